/**
 * Edits applied to an activation site during a forward pass: add a
 * direction (steering), project directions out, or clamp the projection on a
 * direction to a value. Optional position masks restrict where they apply.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Add `scale · direction` at every (masked) position. */
export interface AddIntervention {
  kind: "add";
  site: string;
  /** [dModel] */
  direction: tf.Tensor1D;
  scale: number;
  /** [batch, seq] of 0/1; all positions when absent. */
  positions?: tf.Tensor2D;
}

/** Remove the component of the activation in the span of `directions`. */
export interface ProjectOutIntervention {
  kind: "project_out";
  site: string;
  /** [k, dModel], rows orthonormal. */
  directions: tf.Tensor2D;
  positions?: tf.Tensor2D;
}

/** Set the projection on unit `direction` to `value`. */
export interface ClampIntervention {
  kind: "clamp";
  site: string;
  /** [dModel], unit norm. */
  direction: tf.Tensor1D;
  value: number;
  positions?: tf.Tensor2D;
}

/** Any site edit. */
export type Intervention = AddIntervention | ProjectOutIntervention | ClampIntervention;

/** Apply edits, in order, to x [batch, seq, d]. */
export function applyInterventions(
  x: tf.Tensor3D,
  interventions: readonly Intervention[],
): tf.Tensor3D {
  let y = x;
  for (const iv of interventions) {
    let delta: tf.Tensor3D;
    if (iv.kind === "add") {
      delta = tf.mul(
        tf.onesLike(y.slice([0, 0, 0], [-1, -1, 1])),
        tf.mul(iv.direction, iv.scale),
      ) as tf.Tensor3D;
    } else if (iv.kind === "project_out") {
      const [b, s, d] = y.shape;
      const flat = y.reshape([b * s, d]) as tf.Tensor2D;
      const coeffs = tf.matMul(flat, tf.transpose(iv.directions));
      delta = tf.neg(tf.matMul(coeffs, iv.directions)).reshape([b, s, d]) as tf.Tensor3D;
    } else {
      const proj = tf.sum(tf.mul(y, iv.direction), -1, true);
      delta = tf.mul(tf.sub(iv.value, proj), iv.direction) as tf.Tensor3D;
    }
    if (iv.positions) delta = tf.mul(delta, iv.positions.expandDims(-1)) as tf.Tensor3D;
    y = tf.add(y, delta) as tf.Tensor3D;
  }
  return y;
}
