import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "../../../core/assert.ts";
import { initBackend } from "../../backend.ts";

Deno.test("gather refuses an index out of range, as tfjs does", async () => {
  await initBackend("wasm");
  const table = tf.ones([4, 2]), ids = tf.tensor1d([1, 4], "int32");
  const before = tf.memory().numTensors;
  assertThrows(() => tf.gather(table, ids), /index 4/);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([table, ids]);
});

Deno.test("gather reads its ids after allocating an output that grows the wasm memory", async () => {
  await initBackend("wasm");
  const memory =
    (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
  const rowLen = 1 << 20, table = tf.range(0, 2 * rowLen, 1, "float32").reshape([2, rowLen]);
  // More rows of output than the whole memory holds now, so that allocating it must grow the memory.
  const n = Math.ceil(memory.buffer.byteLength / (4 * rowLen)) + 1;
  const ids = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2), "int32");
  const sizeBefore = memory.buffer.byteLength;
  const out = tf.gather(table, ids);
  assertEquals(memory.buffer.byteLength > sizeBefore, true);
  const values = out.dataSync();
  assertEquals([values[0], values[rowLen], values[2 * rowLen + 5], values[(n - 1) * rowLen]], [
    0,
    rowLen,
    5,
    ((n - 1) % 2) * rowLen,
  ]);
  tf.dispose([table, ids, out]);
});
