/**
 * Progress bars on stderr with an ETA. Uses cli-progress on a terminal and
 * plain periodic lines otherwise (CI logs).
 * @module
 */
import cliProgress from "cli-progress";
import process from "node:process";

/** A progress reporter for one long piece of work. */
export interface Progress {
  update(done: number, extra?: Record<string, string | number>): void;
  stop(): void;
}

/** Start a progress reporter for `total` units of work named `label`. */
export function startProgress(label: string, total: number): Progress {
  if (Deno.env.get("BLOCKEM_QUIET") === "1") {
    return { update() {}, stop() {} };
  }
  if (Deno.stderr.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      format: `${label.padEnd(18)} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {info}`,
      stream: process.stderr,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { info: "" });
    return {
      update(done, extra) {
        bar.update(done, { info: formatExtra(extra) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const start = performance.now();
  let nextReport = 0;
  return {
    update(done, extra) {
      if (done < nextReport && done < total) return;
      nextReport = done + Math.max(1, Math.ceil(total / 10));
      const elapsed = (performance.now() - start) / 1000;
      const eta = done > 0 ? (elapsed / done) * (total - done) : 0;
      console.error(
        `${label}: ${done}/${total} (${Math.round((100 * done) / total)}%) ` +
          `elapsed ${elapsed.toFixed(0)}s ETA ${eta.toFixed(0)}s ${formatExtra(extra)}`,
      );
    },
    stop() {},
  };
}

function formatExtra(extra?: Record<string, string | number>): string {
  if (!extra) return "";
  return Object.entries(extra).map(([k, v]) => `${k} ${typeof v === "number" ? v.toFixed(3) : v}`).join(" ");
}
