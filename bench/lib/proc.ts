// Processes for the benchmark: start a server and wait for `LISTENING <port>`, read its CPU time,
// memory and open descriptors from /proc, pin to a core with taskset when it exists.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const live = new Set<ChildProcess>();
let cleanupInstalled = false;

/**
 * Remember `child` until it exits, so that a runner stopped by a signal or an error does not leave
 * servers or clients behind.
 */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`\nbench: ${sig}, stopping`);
      process.exit(130);
    });
  }
}

let ticks: number | undefined;

/** Kernel clock ticks per second (for /proc/<pid>/stat times). */
export function clockTicks(): number {
  if (ticks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    ticks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticks;
}

let taskset: boolean | undefined;

/** True when `taskset` can pin processes here. */
export function hasTaskset(): boolean {
  if (taskset === undefined) {
    const r = spawnSync('taskset', ['-c', '0', 'true']);
    taskset = r.status === 0;
  }
  return taskset;
}

/** Prefix `cmd` with `taskset -c <cpu>` when pinning is available (taskset execs, so the pid stays). */
export function pinned(cmd: readonly string[], cpu: number | undefined): string[] {
  return cpu !== undefined && hasTaskset() ? ['taskset', '-c', String(cpu), ...cmd] : [...cmd];
}

/** User + system CPU seconds of a live process; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // The command name may hold spaces; fields are counted after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clockTicks();
  } catch {
    return Number.NaN;
  }
}

/** Current and peak resident memory of a live process in KiB; NaN once it is gone. */
export function memoryKiB(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const field = (name: string): number => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m === null ? Number.NaN : Number(m[1]);
    };
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

/** Number of open descriptors of a process (NaN when /proc does not say). */
export function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${String(pid)}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

/** Soft and hard limits on open files for processes this one starts. */
export function fileLimits(): { soft: number; hard: number } {
  const read = (flag: string): number => {
    const r = spawnSync('bash', ['-c', `ulimit ${flag}`], { encoding: 'utf8' });
    const s = r.stdout?.trim() ?? '';
    return s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s);
  };
  return { soft: read('-Sn'), hard: read('-Hn') };
}

/** A server process that announced its port. */
export interface RunningServer {
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
  /** What the server wrote on stderr so far (the tail). */
  stderr(): string;
  /** True once the process exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `grace` seconds; resolves once it exited. */
  stop(grace?: number): Promise<void>;
}

/** Options for {@link startServer}. */
export interface StartOptions {
  /** Pin to this CPU (when taskset exists). */
  cpu?: number;
  /** Raise the soft open-file limit to this for the server (via `ulimit -n`). */
  nofile?: number;
  cwd?: string;
  /** Seconds to wait for `LISTENING <port>`. */
  timeout?: number;
  /** What the server prints once ready; its first group is the port (default `LISTENING <port>`). */
  ready?: RegExp;
}

/** Start `cmd` and resolve once it prints `LISTENING <port>` (or `ready`); reject with its stderr if it dies first. */
export function startServer(cmd: readonly string[], options: StartOptions = {}): Promise<RunningServer> {
  let argv = pinned(cmd, options.cpu);
  if (options.nofile !== undefined) argv = ['bash', '-c', `ulimit -n ${String(options.nofile)} && exec "$@"`, 'bash', ...argv];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let err = '';
  let done = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { done = true; resolve(); }));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => { err = (err + s).slice(-4000); });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd.join(' ')} did not print LISTENING within ${String(options.timeout ?? 15)} s\n${err}`));
    }, (options.timeout ?? 15) * 1000);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${cmd.join(' ')} exited (${String(code ?? signal)}) before listening\n${err.trim()}`));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      out += s;
      const m = (options.ready ?? /LISTENING (\d+)/).exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({
        pid: child.pid!,
        port: Number(m[1]),
        child,
        stderr: () => err,
        exited: () => done,
        async stop(grace = 2): Promise<void> {
          if (done) return;
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), grace * 1000);
          await exit;
          clearTimeout(t);
        },
      });
    });
  });
}
