/**
 * Save and load model weights with their config and a SHA-256 of the bytes.
 * A checkpoint is a folder: `model.json` (format, config, tensor index, hash)
 * and `weights.bin` (float32, little-endian, in index order).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { sha256 } from "../core/hash.ts";
import { type ModelConfig, type Params, paramShapes, validateModelConfig } from "./transformer.ts";

/** The index file of a checkpoint. */
export interface CheckpointIndex {
  format: "blockem-checkpoint/1";
  config: ModelConfig;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  weightsSha256: string;
  meta: Record<string, unknown>;
}

/** Write params to `dir`; returns the weights hash. */
export async function saveCheckpoint(
  dir: string,
  params: Params,
  config: ModelConfig,
  meta: Record<string, unknown> = {},
): Promise<string> {
  const names = Object.keys(paramShapes(config));
  const tensors: CheckpointIndex["tensors"] = [];
  let total = 0;
  for (const name of names) {
    const v = params[name];
    if (!v) throw new RangeError(`Cannot save checkpoint: missing parameter '${name}'`);
    tensors.push({ name, shape: v.shape, offset: total, length: v.size });
    total += v.size;
  }
  const flat = new Float32Array(total);
  for (const t of tensors) flat.set(await params[t.name].data() as Float32Array, t.offset);
  const bytes = new Uint8Array(flat.buffer);
  const hash = sha256(bytes);
  // Weights first, index last: an index always points at complete weights.
  await writeFileAtomic(join(dir, "weights.bin"), bytes);
  const index: CheckpointIndex = {
    format: "blockem-checkpoint/1",
    config,
    tensors,
    weightsSha256: hash,
    meta,
  };
  await writeJsonAtomic(join(dir, "model.json"), index);
  return hash;
}

/** Read a checkpoint, verifying format, hash and every tensor's shape. */
export async function loadCheckpoint(
  dir: string,
  trainable = false,
): Promise<{ params: Params; config: ModelConfig; hash: string; meta: Record<string, unknown> }> {
  const where = `Cannot load checkpoint ${dir}`;
  let index: CheckpointIndex;
  try {
    index = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`${where}: model.json not found (run the upstream stage first)`);
    }
    throw new Error(`${where}: model.json is not valid JSON`);
  }
  if (index.format !== "blockem-checkpoint/1") {
    throw new TypeError(`${where}: unknown format ${JSON.stringify(index.format)}`);
  }
  validateModelConfig(index.config);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(join(dir, "weights.bin"));
  } catch {
    throw new Error(`${where}: weights.bin not found`);
  }
  const hash = sha256(bytes);
  if (hash !== index.weightsSha256) {
    throw new Error(`${where}: weights hash mismatch (corrupt or truncated weights.bin)`);
  }
  const expected = paramShapes(index.config);
  const flat = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const params: Params = {};
  for (const [name, shape] of Object.entries(expected)) {
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
