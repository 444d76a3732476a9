/**
 * The bench's peer: the same model and training step in PyTorch
 * (`tasks/bench_peer.py`), run with Debian's own python3 and python3-torch
 * where they are installed, and our throughput as a ratio of its.
 * @module
 */

/** Debian's python3: the pyenv one first on PATH has no torch. */
export const PEER_PYTHON = "/usr/bin/python3";

/** One PyTorch measurement, as `bench_peer.py` prints it. */
export interface PeerResult {
  peer: "pytorch";
  version: string;
  /** The BLAS shared libraries the process had loaded (its speed depends on them). */
  blas: string[];
  /** Cores it used: the larger of torch's threads and OpenBLAS's. */
  threads: number;
  torchThreads: number;
  blasThreads: number;
  shape: string;
  mode: "train";
  msPerStep: number;
  tokensPerSecond: number;
}

/** Whether the peer can run here: Debian's python3 with torch importable. */
export async function peerAvailable(python = PEER_PYTHON): Promise<boolean> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.code === 0;
  } catch {
    return false;
  }
}

/**
 * Run the peer on `shapes` (bench shape labels) at each thread count, one
 * process per setting. On one thread, torch and OpenBLAS get one each. On N,
 * both splits are run, OpenBLAS on N with torch on one (as blockem runs:
 * the products threaded, the rest not) and torch on N with OpenBLAS on one,
 * and each shape keeps the faster: the peer at its best. (Both on N at once
 * oversubscribes the cores: measured slower than one thread.) Throws with
 * the peer's last stderr line on failure.
 */
export async function runPeer(
  shapes: readonly string[],
  opts: { batch: number; seq: number; steps: number; threads: readonly number[]; python?: string },
): Promise<PeerResult[]> {
  const script = new URL("../../tasks/bench_peer.py", import.meta.url).pathname;
  const results: PeerResult[] = [];
  for (const threads of opts.threads) {
    const splits = threads === 1 ? [[1, 1]] : [[threads, 1], [1, threads]];
    const runs: PeerResult[] = [];
    for (const [blas, torch] of splits) {
      const out = await new Deno.Command(opts.python ?? PEER_PYTHON, {
        args: [
          script,
          "--shapes",
          shapes.join(","),
          "--batch",
          String(opts.batch),
          "--seq",
          String(opts.seq),
          "--steps",
          String(opts.steps),
          "--threads",
          String(torch),
          "--blas-threads",
          String(blas),
        ],
        env: { OPENBLAS_NUM_THREADS: String(blas), OMP_NUM_THREADS: String(torch) },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr).trim();
      if (out.code !== 0) throw new Error(`the PyTorch peer failed: ${stderr.split("\n").at(-1)}`);
      for (const line of new TextDecoder().decode(out.stdout).trim().split("\n")) {
        if (line) runs.push(JSON.parse(line) as PeerResult);
      }
    }
    for (const shape of shapes) {
      const best = runs.filter((r) =>
        r.shape === shape
      ).sort((a, b) => b.tokensPerSecond - a.tokensPerSecond)[0];
      if (best) results.push(best);
    }
  }
  return results;
}

/** Our tokens per second over the peer's at the same shape and thread count, or null where the peer has none. */
export function peerRatio(
  ours: { shape: string; mode: string; tokensPerSecond: number },
  threads: number,
  peer: readonly PeerResult[],
): number | null {
  const p = peer.find((x) => x.shape === ours.shape && x.mode === ours.mode && x.threads === threads);
  return p ? Math.round((ours.tokensPerSecond / p.tokensPerSecond) * 100) / 100 : null;
}
