/**
 * Save and load weights with their config and a SHA-256 of the bytes.
 * A bundle is an index file (format, config, tensor index, hash) and a
 * weights file (float32, little-endian, in index order). A model checkpoint
 * is the bundle `model.json` + `weights.bin` in one folder.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { sha256 } from "../core/hash.ts";
import { type ModelConfig, type Params, paramShapes, validateModelConfig } from "./model.ts";

/** The index file of a bundle. */
export interface BundleIndex<C> {
  format: string;
  config: C;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  weightsSha256: string;
  meta: Record<string, unknown>;
}

/** The index file of a model checkpoint. */
export type CheckpointIndex = BundleIndex<ModelConfig> & { format: "blockem-checkpoint/1" };

/** Where a bundle lives and what it holds. */
export interface BundleLayout<C> {
  format: string;
  indexFile: string;
  weightsFile: string;
  /** The tensor names and shapes a config implies. */
  shapes: (config: C) => Record<string, number[]>;
  /** Throws on an invalid config. */
  validate: (config: C) => void;
}

/** Write `params` as a bundle in `dir`; returns the weights hash. */
export async function saveBundle<C>(
  layout: BundleLayout<C>,
  dir: string,
  params: Params,
  config: C,
  meta: Record<string, unknown> = {},
): Promise<string> {
  const tensors: BundleIndex<C>["tensors"] = [];
  let total = 0;
  for (const name of Object.keys(layout.shapes(config))) {
    const v = params[name];
    if (!v) throw new RangeError(`Cannot save ${layout.indexFile}: missing parameter '${name}'`);
    tensors.push({ name, shape: v.shape, offset: total, length: v.size });
    total += v.size;
  }
  const flat = new Float32Array(total);
  for (const t of tensors) flat.set(await params[t.name].data() as Float32Array, t.offset);
  const bytes = new Uint8Array(flat.buffer);
  const hash = sha256(bytes);
  // Weights first, index last: an index always points at complete weights.
  await writeFileAtomic(join(dir, layout.weightsFile), bytes);
  const index: BundleIndex<C> = { format: layout.format, config, tensors, weightsSha256: hash, meta };
  await writeJsonAtomic(join(dir, layout.indexFile), index);
  return hash;
}

/** Read a bundle, verifying format, hash and every tensor's shape. */
export async function loadBundle<C>(
  layout: BundleLayout<C>,
  dir: string,
  trainable = false,
): Promise<{ params: Params; config: C; hash: string; meta: Record<string, unknown> }> {
  const where = `Cannot load ${dir}`;
  let index: BundleIndex<C>;
  try {
    index = JSON.parse(await Deno.readTextFile(join(dir, layout.indexFile)));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`${where}: ${layout.indexFile} not found (run the upstream stage first)`);
    }
    throw new Error(`${where}: ${layout.indexFile} is not valid JSON`);
  }
  if (index.format !== layout.format) {
    throw new TypeError(`${where}: unknown format ${JSON.stringify(index.format)}`);
  }
  layout.validate(index.config);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(join(dir, layout.weightsFile));
  } catch {
    throw new Error(`${where}: ${layout.weightsFile} not found`);
  }
  const hash = sha256(bytes);
  if (hash !== index.weightsSha256) {
    throw new Error(`${where}: weights hash mismatch (corrupt or truncated ${layout.weightsFile})`);
  }
  const flat = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const params: Params = {};
  for (const [name, shape] of Object.entries(layout.shapes(index.config))) {
    const t = index.tensors.find((x) => x.name === name);
    if (!t) throw new RangeError(`${where}: missing tensor '${name}'`);
    if (t.shape.join() !== shape.join()) {
      throw new RangeError(`${where}: shape mismatch for '${name}' (file ${t.shape}, config ${shape})`);
    }
    if (t.offset + t.length > flat.length) throw new RangeError(`${where}: tensor '${name}' out of range`);
    const values = flat.slice(t.offset, t.offset + t.length);
    params[name] = tf.tidy(() => tf.variable(tf.tensor(values, shape), trainable));
  }
  return { params, config: index.config, hash, meta: index.meta ?? {} };
}

const MODEL_LAYOUT: BundleLayout<ModelConfig> = {
  format: "blockem-checkpoint/1",
  indexFile: "model.json",
  weightsFile: "weights.bin",
  shapes: paramShapes,
  validate: validateModelConfig,
};

/** Write a model checkpoint to `dir`; returns the weights hash. */
export function saveCheckpoint(
  dir: string,
  params: Params,
  config: ModelConfig,
  meta: Record<string, unknown> = {},
): Promise<string> {
  return saveBundle(MODEL_LAYOUT, dir, params, config, meta);
}

/** Read a model checkpoint, verifying format, hash and every tensor's shape. */
export function loadCheckpoint(
  dir: string,
  trainable = false,
): Promise<{ params: Params; config: ModelConfig; hash: string; meta: Record<string, unknown> }> {
  return loadBundle(MODEL_LAYOUT, dir, trainable);
}
