/**
 * OpenBLAS's single-precision matrix product, called through Deno's FFI on
 * float32 views of the wasm backend's own memory (nothing is copied). Native
 * BLAS runs several times faster than WebAssembly SIMD on these cores and
 * uses every core, so the wasm backend's large products go here when the
 * library and the `--allow-ffi` permission are present; otherwise blockem's
 * wasm kernels and XNNPACK run them as before.
 *
 * `BLOCKEM_BLAS=off` turns it off, `BLOCKEM_BLAS=/path/libopenblas.so.0`
 * names the library, and `BLOCKEM_BLAS_THREADS=N` sets its thread count
 * (default: OpenBLAS's own, one per core).
 *
 * The result depends on OpenBLAS's kernels for the CPU it finds (its "core")
 * and on the thread count (a product split between threads rounds some
 * elements differently: measured, about 5% of a 512×384×640 product's), so
 * both are part of the backend key, and a stage that fixes its own count
 * (cells, which run many at a time, use one) is keyed on that.
 * @module
 */

/** Where Debian and Ubuntu (`libopenblas0-pthread`), Fedora and others put the threaded library. */
export const OPENBLAS_PATHS = [
  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib64/libopenblasp.so.0",
  "/usr/lib64/libopenblas.so.0",
  "/usr/lib/libopenblas.so.0",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib",
] as const;

/** The library file: `wanted` if it exists, else the first of OPENBLAS_PATHS that does; undefined when none. */
export function findOpenBlas(wanted?: string): string | undefined {
  return (wanted ? [wanted] : OPENBLAS_PATHS).find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
}

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32", // order
      "i32", // transA
      "i32", // transB
      "i32", // m
      "i32", // n
      "i32", // k
      "f32", // alpha
      "buffer", // a
      "i32", // lda
      "buffer", // b
      "i32", // ldb
      "f32", // beta
      "buffer", // c
      "i32", // ldc
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_corename: { parameters: [], result: "pointer" },
  openblas_get_config: { parameters: [], result: "pointer" },
} as const;

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

/** What ran, recorded in manifests beside the backend. */
export interface BlasInfo {
  /** "openblas". */
  name: string;
  /** OpenBLAS's build line, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64". */
  config: string;
  /** The CPU kernels it chose ("Haswell"): results depend on them. */
  core: string;
  /** Threads per product: `BLOCKEM_BLAS_THREADS`, else OpenBLAS's default (one per core). Results depend on it. */
  threads: number;
  path: string;
}

/** c = a·b + beta·c on row-major float32 views; a is m×k (k×m when transA), b is k×n (n×k when transB). */
export interface Sgemm {
  (
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    beta: 0 | 1,
    c: Float32Array,
  ): void;
}

/** A loaded BLAS, or why there is none. */
export type NativeBlas =
  | {
    ok: true;
    info: BlasInfo;
    sgemm: Sgemm;
    /** Products computed so far (tests check that a path really ran on BLAS). */
    readonly calls: number;
    /** Set the thread count of later products; returns the one before. */
    setThreads(n: number): number;
  }
  | { ok: false; reason: string };

let loaded: NativeBlas | undefined;

/**
 * The process's BLAS, loaded once: OpenBLAS from `BLOCKEM_BLAS` or the usual
 * paths. `{ ok: false, reason }` when it is turned off, absent, or the
 * process lacks `--allow-ffi`.
 */
export function nativeBlas(env: (name: string) => string | undefined = (n) => Deno.env.get(n)): NativeBlas {
  if (loaded === undefined) loaded = loadOpenBlas(env);
  return loaded;
}

/**
 * Forget what was loaded, so the next call reads the environment again
 * (tests). The library itself stays open: unloading OpenBLAS with its
 * thread pool running is unsafe, and reopening it is a no-op anyway.
 */
export function resetNativeBlas(): void {
  loaded = undefined;
}

/** Libraries opened in this process, with OpenBLAS's own thread count at opening. */
const opened = new Map<string, { lib: Deno.DynamicLibrary<typeof SYMBOLS>; defaultThreads: number }>();

function loadOpenBlas(env: (name: string) => string | undefined): NativeBlas {
  const wanted = env("BLOCKEM_BLAS");
  if (wanted === "off") return { ok: false, reason: "BLOCKEM_BLAS=off" };
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return { ok: false, reason: "no --allow-ffi permission" };
  }
  const path = findOpenBlas(wanted);
  if (path === undefined) {
    return {
      ok: false,
      reason: wanted
        ? `BLOCKEM_BLAS=${wanted} does not exist`
        : "no OpenBLAS library found (libopenblas0-pthread)",
    };
  }
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    if (!opened.has(path)) {
      const fresh = Deno.dlopen(path, SYMBOLS);
      opened.set(path, { lib: fresh, defaultThreads: fresh.symbols.openblas_get_num_threads() });
    }
    lib = opened.get(path)!.lib;
  } catch (err) {
    return { ok: false, reason: `cannot load ${path}: ${(err as Error).message.split("\n")[0]}` };
  }
  const s = lib.symbols;
  const threads = env("BLOCKEM_BLAS_THREADS");
  if (threads !== undefined) {
    const n = Number(threads);
    if (!Number.isInteger(n) || n < 1 || n > 256) {
      throw new Error(`BLOCKEM_BLAS_THREADS expects a whole number in 1…256, got "${threads.slice(0, 40)}"`);
    }
    s.openblas_set_num_threads(n);
  } else s.openblas_set_num_threads(opened.get(path)!.defaultThreads);
  const text = (p: Deno.PointerValue) => p === null ? "" : new Deno.UnsafePointerView(p).getCString();
  let calls = 0;
  const sgemm: Sgemm = (transA, transB, m, n, k, a, b, beta, c) => {
    calls++;
    s.cblas_sgemm(
      ROW_MAJOR,
      transA ? TRANS : NO_TRANS,
      transB ? TRANS : NO_TRANS,
      m,
      n,
      k,
      1,
      a,
      transA ? m : k,
      b,
      transB ? k : n,
      beta,
      c,
      n,
    );
  };
  return {
    ok: true,
    info: {
      name: "openblas",
      config: text(s.openblas_get_config()).trim(),
      core: text(s.openblas_get_corename()).trim(),
      threads: s.openblas_get_num_threads(),
      path,
    },
    sgemm,
    get calls() {
      return calls;
    },
    setThreads: (n) => {
      const before = s.openblas_get_num_threads();
      if (n !== before) s.openblas_set_num_threads(n);
      return before;
    },
  };
}
