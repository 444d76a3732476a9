import { join } from "node:path";
import { assertEquals, assertOk } from "../../core/assert.ts";
import { findOpenBlas, nativeBlas, resetNativeBlas } from "./openblas.ts";

/** Whether this machine has OpenBLAS where blockem looks (CI installs libopenblas0-pthread). */
const present = findOpenBlas() !== undefined;

/** Row-major reference product in float64, then rounded: op(a) is m×k, op(b) is k×n. */
function reference(
  tA: boolean,
  tB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
) {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      }
      c[i * n + j] = s;
    }
  }
  return c;
}

const random = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 2);

Deno.test({
  name: "OpenBLAS sgemm: every transpose, beta 0 and 1, odd sizes, against a float64 reference",
  ignore: !present,
  fn() {
    resetNativeBlas();
    const blas = nativeBlas((n) => (n === "BLOCKEM_BLAS" ? undefined : Deno.env.get(n)));
    assertOk(blas.ok, blas.ok ? "" : blas.reason);
    if (!blas.ok) return;
    assertOk(/OpenBLAS \d+\.\d+/.test(blas.info.config), blas.info.config);
    const [m, n, k] = [37, 19, 53];
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = random(m * k, 1), b = random(k * n, 2);
        const want = reference(tA, tB, m, n, k, a, b);
        const c = new Float32Array(m * n);
        blas.sgemm(tA, tB, m, n, k, a, b, 0, c);
        const worst = Math.max(...c.map((v, i) => Math.abs(v - want[i])));
        assertOk(worst < 1e-4, `transA ${tA} transB ${tB}: ${worst}`);
        // beta 1 adds to what is there.
        const before = c.slice();
        blas.sgemm(tA, tB, m, n, k, a, b, 1, c);
        const worstAdd = Math.max(...c.map((v, i) => Math.abs(v - 2 * before[i])));
        assertOk(worstAdd < 1e-4, `beta 1, transA ${tA} transB ${tB}: ${worstAdd}`);
      }
    }
  },
});

Deno.test({
  name: "OpenBLAS sgemm: the same bytes every time on a given thread count (which is in the backend key)",
  ignore: !present,
  fn() {
    resetNativeBlas();
    const blas = nativeBlas();
    if (!blas.ok) throw new Error(blas.reason);
    const [m, n, k] = [512, 384, 640];
    const a = random(m * k, 3), b = random(k * n, 4);
    const out = (threads: number) => {
      blas.setThreads(threads);
      const c = new Float32Array(m * n);
      blas.sgemm(false, true, m, n, k, a, b, 0, c);
      return c;
    };
    const differing = (x: Float32Array, y: Float32Array) =>
      x.reduce((count, v, i) => count + (Object.is(v, y[i]) ? 0 : 1), 0);
    for (const threads of [1, 2]) {
      assertEquals(differing(out(threads), out(threads)), 0, `${threads} threads`);
    }
    blas.setThreads(blas.info.threads);
  },
});

Deno.test("OpenBLAS falls back with a reason: turned off, a missing library, no --allow-ffi", async () => {
  resetNativeBlas();
  const off = nativeBlas((n) => (n === "BLOCKEM_BLAS" ? "off" : undefined));
  assertEquals(off.ok ? "" : off.reason, "BLOCKEM_BLAS=off");
  resetNativeBlas();
  const missing = nativeBlas((n) => (n === "BLOCKEM_BLAS" ? "/nonexistent/libopenblas.so.0" : undefined));
  assertEquals(missing.ok ? "" : missing.reason, "BLOCKEM_BLAS=/nonexistent/libopenblas.so.0 does not exist");
  resetNativeBlas();
  // A process without --allow-ffi: the reason, and no exception.
  const script = join(await Deno.makeTempDir(), "noffi.ts");
  await Deno.writeTextFile(
    script,
    `import { nativeBlas } from ${JSON.stringify(new URL("./openblas.ts", import.meta.url).href)};\n` +
      `const b = nativeBlas(); console.log(b.ok ? "loaded" : b.reason);\n`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--allow-read", "--allow-env", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(join(script, ".."), { recursive: true });
  assertEquals(
    new TextDecoder().decode(out.stdout).trim(),
    "no --allow-ffi permission",
    new TextDecoder().decode(out.stderr),
  );
});

Deno.test({
  name: "BLOCKEM_BLAS_THREADS is checked",
  ignore: !present,
  fn() {
    resetNativeBlas();
    let message = "";
    try {
      nativeBlas((n) => (n === "BLOCKEM_BLAS_THREADS" ? "two" : undefined));
    } catch (err) {
      message = (err as Error).message;
    }
    resetNativeBlas();
    assertEquals(message, 'BLOCKEM_BLAS_THREADS expects a whole number in 1…256, got "two"');
  },
});
