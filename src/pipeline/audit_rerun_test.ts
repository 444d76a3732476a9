import { assertEquals } from "../core/assert.ts";
import type { BackendInfo } from "../backend/backend.ts";
import { backendMismatch } from "./audit_rerun.ts";

const blas = { name: "openblas", config: "OpenBLAS 0.3.21", core: "Haswell", threads: 2, path: "/lib.so" };
const wasm: BackendInfo = { name: "wasm", requested: "auto", adapter: null, kernels: "blockem", blas: null };
const withBlas: BackendInfo = { ...wasm, blas };

Deno.test("re-run backend: the same key passes; each difference names what to change", () => {
  assertEquals(
    backendMismatch({ name: "wasm", adapter: null, kernels: "blockem" }, wasm, undefined),
    undefined,
  );
  assertEquals(
    backendMismatch({ name: "wasm", adapter: null, kernels: "blockem", blas }, withBlas, undefined),
    undefined,
  );
  // A cell recorded on one thread re-runs on one thread whatever the process's default.
  assertEquals(
    backendMismatch(
      { name: "wasm", adapter: null, kernels: "blockem", blas: { ...blas, threads: 1 } },
      withBlas,
      1,
    ),
    undefined,
  );
  assertEquals(
    backendMismatch({ name: "webgpu", adapter: null, kernels: null }, wasm, undefined),
    "recorded on webgpu, this audit runs on wasm: audit with --backend webgpu",
  );
  assertEquals(
    backendMismatch({ name: "wasm", adapter: null, kernels: "blockem", blas }, wasm, undefined),
    "recorded on wasm+openblas-haswell-t2, this audit runs on wasm: audit with OpenBLAS (libopenblas0-pthread, --allow-ffi)",
  );
  assertEquals(
    backendMismatch({ name: "wasm", adapter: null, kernels: "blockem" }, withBlas, undefined),
    "recorded on wasm, this audit runs on wasm+openblas-haswell-t2: audit with BLOCKEM_BLAS=off",
  );
  assertEquals(
    backendMismatch(
      { name: "wasm", adapter: null, kernels: "blockem", blas: { ...blas, threads: 4 } },
      withBlas,
      undefined,
    ),
    "recorded on wasm+openblas-haswell-t4, this audit runs on wasm+openblas-haswell-t2: audit with BLOCKEM_BLAS_THREADS=4",
  );
});
