/**
 * A real single-node Slurm on this machine, for tests: Debian's slurmctld,
 * slurmd and munge, started without systemd, both daemons on 127.0.0.1,
 * state and logs in a scratch folder, with settings that work without
 * systemd or accounting. Also the few queries a job array needs: submit, wait, and each
 * task's state and exit code from `scontrol`.
 * @module
 */
import { join } from "node:path";

const BINARIES = ["slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo", "munged"];

/** A running local cluster; `env` points Slurm's commands at its config. */
export interface LocalSlurm {
  env: Record<string, string>;
  stop(): Promise<void>;
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  return {
    ok: out.success,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

function which(name: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/sbin", "/sbin", "/usr/bin"])) {
    try {
      Deno.statSync(join(dir, name));
      return join(dir, name);
    } catch {
      // next
    }
  }
  return null;
}

/** Why a local Slurm cannot start here, or null when it can. */
export function slurmUnavailable(): string | null {
  if (Deno.build.os !== "linux") return "Slurm's daemons need Linux";
  const missing = BINARIES.filter((b) => which(b) === null);
  if (missing.length > 0) {
    return `missing ${
      missing.join(", ")
    } (apt-get install --no-install-recommends slurmctld slurmd slurm-client munge)`;
  }
  const uid = new TextDecoder().decode(
    new Deno.Command("id", { args: ["-u"], stdout: "piped" }).outputSync().stdout,
  );
  if (uid.trim() !== "0") return "starting munge and the Slurm daemons needs root";
  return null;
}

/** The slurm.conf of a one-node cluster on loopback with state under `dir`. */
export function slurmConf(dir: string, host: string, cpus: number, memoryMb: number): string {
  return [
    "ClusterName=blockem",
    "SlurmctldHost=localhost(127.0.0.1)",
    "CommunicationParameters=NoCtldInAddrAny,NoInAddrAny",
    "SlurmUser=root",
    "SlurmdUser=root",
    "AuthType=auth/munge",
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_Core_Memory",
    "SchedulerType=sched/backfill",
    "AccountingStorageType=accounting_storage/none",
    "JobAcctGatherType=jobacct_gather/none",
    "JobCompType=jobcomp/none",
    "ReturnToService=2",
    "MinJobAge=600",
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/slurmctld.log`,
    `SlurmdLogFile=${dir}/slurmd.log`,
    `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memoryMb} State=UNKNOWN`,
    `PartitionName=local Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    "",
  ].join("\n");
}

/** Start munge (if not running) and both daemons; resolves once the node is idle. */
export async function startLocalSlurm(dir: string): Promise<LocalSlurm> {
  const why = slurmUnavailable();
  if (why) throw new Error(`Cannot start a local Slurm: ${why}`);
  for (const sub of ["state", "spool"]) await Deno.mkdir(join(dir, sub), { recursive: true });
  const host = (await run("hostname", ["-s"])).stdout.trim();
  const cpus = navigator.hardwareConcurrency || 1;
  // `free`, not /proc/meminfo: Deno reads /proc files only with every permission.
  const free = (await run("free", ["-m"])).stdout;
  const totalMb = Number(/^Mem:\s+(\d+)/m.exec(free)?.[1] ?? "2048");
  const conf = join(dir, "slurm.conf");
  await Deno.writeTextFile(conf, slurmConf(dir, host, cpus, Math.max(1024, totalMb - 1024)));
  const env = { SLURM_CONF: conf };

  let startedMunge = false;
  if (!(await run("pgrep", ["-x", "munged"])).ok) {
    await Deno.mkdir("/run/munge", { recursive: true });
    await run("chown", ["munge:munge", "/run/munge"]);
    const m = await run("runuser", ["-u", "munge", "--", which("munged")!]);
    if (!m.ok) throw new Error(`munged did not start: ${m.stderr.trim()}`);
    startedMunge = true;
  }
  for (const daemon of ["slurmctld", "slurmd"]) {
    const r = await run(which(daemon)!, ["-f", conf], env);
    if (!r.ok) throw new Error(`${daemon} did not start: ${r.stderr.trim()}`);
  }
  const stop = async () => {
    await run("scontrol", ["shutdown"], env);
    for (const pid of ["slurmd.pid", "slurmctld.pid"]) {
      const text = await Deno.readTextFile(join(dir, pid)).catch(() => "");
      if (text.trim()) await run("kill", [text.trim()]);
    }
    if (startedMunge) await run("pkill", ["-x", "munged"]);
  };
  for (let i = 0; i < 100; i++) {
    const state = (await run("sinfo", ["-h", "-o", "%T"], env)).stdout.trim();
    if (state === "idle") return { env, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  const log = await Deno.readTextFile(join(dir, "slurmctld.log")).catch(() => "");
  await stop();
  throw new Error(`The local Slurm node never became idle; slurmctld.log ends: ${log.slice(-500)}`);
}

/** Submit a job-array script; returns the job id. */
export async function sbatch(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<string> {
  const r = await run("sbatch", ["--parsable", ...args, script], env);
  if (!r.ok) throw new Error(`sbatch failed: ${r.stderr.trim()}`);
  return r.stdout.trim().split(";")[0];
}

/** Poll `squeue` until the job has no pending or running tasks. */
export async function waitForJob(
  job: string,
  env: Record<string, string>,
  timeoutMs = 600_000,
): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const r = await run("squeue", ["-h", "-j", job, "-o", "%i"], env);
    if (r.ok && r.stdout.trim() === "") return;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`Job ${job} still queued or running after ${timeoutMs / 1000}s`);
}

/** Each array task's state and exit code, from `scontrol show job` (no accounting needed). */
export async function arrayTaskStates(
  job: string,
  env: Record<string, string>,
): Promise<{ task: number; state: string; exitCode: string }[]> {
  const r = await run("scontrol", ["show", "job", job, "-o"], env);
  if (!r.ok) throw new Error(`scontrol show job ${job} failed: ${r.stderr.trim()}`);
  return r.stdout.trim().split("\n").filter((l) => l.includes("ArrayTaskId=")).map((l) => ({
    task: Number(/ArrayTaskId=(\d+)/.exec(l)?.[1]),
    state: /JobState=(\S+)/.exec(l)?.[1] ?? "UNKNOWN",
    exitCode: /ExitCode=(\S+)/.exec(l)?.[1] ?? "?",
  })).sort((a, b) => a.task - b.task);
}
