import { assertEquals, assertOk, assertThrows } from "../../core/assert.ts";
import { at, code, emitModule, F32, forLoop, func, I32, op, V128 } from "./emit.ts";

Deno.test("FunctionBuilder: named parameters, locals numbered after them and declared in runs", () => {
  const fn = func("f", ["ptr", "n"]);
  assertEquals(fn.param, { ptr: 0, n: 1 });
  const locals = [fn.i32(), fn.i32(), fn.f32(), fn.v128(), fn.v128(), fn.i32()];
  assertEquals(locals, [2, 3, 4, 5, 6, 7]);
  const f = fn.finish();
  assertEquals(f.params, ["ptr", "n"]);
  assertEquals(f.locals, [{ type: I32, count: 2 }, { type: F32, count: 1 }, { type: V128, count: 2 }, {
    type: I32,
    count: 1,
  }]);
  assertThrows(() => fn.i32(), /after finish/);
  assertThrows(() => func("g", ["x", "x"]), /repeated parameter/);
  assertEquals(func("h", []).finish().locals, []);
});

Deno.test("FunctionBuilder: a function using its allocated locals runs", () => {
  // out[i] = i · 0.5 for i < n, through an i32 counter and an f32 accumulator.
  const fn = func("halves", ["out", "n"]);
  const { out, n } = fn.param;
  const i = fn.i32(), x = fn.f32();
  const module = emitModule([
    fn.finish(
      code(op.f32(0), op.set(x)),
      forLoop(i, op.i32(0), op.get(n), op.i32(1), [
        ...code(at(out, op.get(i)), op.get(x), op.f32Store()),
        ...code(op.get(x), op.f32(0.5), op.f32Add, op.set(x)),
      ]),
    ),
  ]);
  assertOk(WebAssembly.validate(module));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(module), { env: { memory } });
  (instance.exports.halves as (out: number, n: number) => void)(16, 5);
  assertEquals([...new Float32Array(memory.buffer, 16, 6)], [0, 0.5, 1, 1.5, 2, 0]);
});
