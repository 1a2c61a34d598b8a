// One measurement: start a server pinned to core 0, drive it with the load client pinned to
// core 1, and read the server's CPU time over the client's measured window and its peak RSS.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadSpec, ServerSpec } from './catalog.js';
import { runLoadgen } from './loadgen.js';
import { cpuSeconds, memoryKiB, openFiles, startServer } from './proc.js';

/** The server CPU the client run on; the client gets the other core. */
export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;
/** A server whose RSS passes this is stopped (an unbounded buffer would otherwise eat the machine). */
export const RSS_CAP_MB = 2048;

/** What one round of one server under one load gave. */
export interface Sample {
  /** Messages, lines or deliveries per second (NaN for idle). */
  rate: number;
  serverCpuPct: number;
  clientCpuPct: number;
  /** Peak resident memory of the server (VmHWM), MB. */
  peakMB: number;
  /** Lines a chat receiver never got (a server that drops for slow readers). */
  gaps?: number;
  /** Clients that never read and that the server disconnected. */
  stuckDropped?: number;
  /** The client's measured window ran well past its duration: it was starved of CPU. */
  stalled?: boolean;
  /** Idle: seconds until the server held every connection. */
  acceptSeconds?: number;
  error?: string;
}

/** Options for {@link measure}. */
export interface MeasureOptions {
  root: string;
  loadgen: string;
  /** Open-file limit to give the server (idle loads), if it must be raised. */
  nofile?: number;
  /** Seconds the client measures for (to notice a client that was starved). */
  duration: number;
  /** Seconds of warm-up before the client measures. */
  warmup: number;
}

/**
 * Seconds a rate load's client may take beyond its warm-up and measured window before it is
 * killed as hung: connecting, getting every chat client into the room (the client's own
 * --join-timeout is 5 s) and printing its result.
 */
export const CLIENT_MARGIN = 10;

const now = (): number => performance.now() / 1000;

/** Run `server` under `load` once. Failures become a sample with `error`, never a throw. */
export async function measure(load: LoadSpec, server: ServerSpec, options: MeasureOptions): Promise<Sample> {
  const sample: Sample = { rate: Number.NaN, serverCpuPct: Number.NaN, clientCpuPct: Number.NaN, peakMB: Number.NaN };
  let srv;
  try {
    srv = await startServer(server.cmd, { cpu: SERVER_CPU, cwd: options.root, nofile: options.nofile, ready: server.ready });
  } catch (e) {
    sample.error = `server did not start: ${firstLines((e as Error).message)}`;
    return sample;
  }
  const pid = srv.pid;
  let capped = false;
  const watch = setInterval(() => {
    const { rss } = memoryKiB(pid);
    if (rss / 1024 > RSS_CAP_MB && !capped) {
      capped = true;
      srv.child.kill('SIGKILL');
    }
  }, 100);
  try {
    let cpu0 = Number.NaN;
    let t0 = Number.NaN;
    let cpu1 = Number.NaN;
    let t1 = Number.NaN;
    const baseFds = openFiles(pid);
    let peakAtIdle = Number.NaN;
    // Idle loads hold their connections until the runner kills the client; rate loads end by themselves.
    const limit = load.idleConns === undefined ? options.warmup + options.duration + CLIENT_MARGIN : undefined;
    const result = await runLoadgen(options.loadgen, ['--port', String(srv.port), ...load.client, ...(server.clientArgs ?? [])], CLIENT_CPU, {
      onStart: () => { cpu0 = cpuSeconds(pid); t0 = now(); },
      onResult: async (_r, kill) => {
        cpu1 = cpuSeconds(pid);
        t1 = now();
        if (load.idleConns !== undefined) {
          // The client's connects complete in the kernel; wait until the server accepted them all.
          const start = now();
          while (openFiles(pid) < baseFds + load.idleConns && now() - start < 30 && !srv.exited()) await sleep(50);
          sample.acceptSeconds = now() - start;
          if (openFiles(pid) < baseFds + load.idleConns) sample.error = `server held only ${String(openFiles(pid) - baseFds)} of ${String(load.idleConns)} connections after 30 s`;
          await sleep(300);
          peakAtIdle = memoryKiB(pid).peak;
          kill();
        }
      },
    }, limit);
    const mem = memoryKiB(pid);
    sample.peakMB = (Number.isFinite(peakAtIdle) ? peakAtIdle : mem.peak) / 1024;
    if (load.idleConns === undefined) {
      sample.rate = Number(result['rate']);
      if (Number(result['seconds']) > options.duration * 1.2) sample.stalled = true;
      sample.clientCpuPct = Number(result['client_cpu_pct']);
      sample.serverCpuPct = (100 * (cpu1 - cpu0)) / (t1 - t0);
      const dropped = Number(result['stuck_dropped']);
      if (dropped > 0) sample.stuckDropped = dropped;
      const gaps = Number(result['gaps']);
      if (gaps > 0) sample.gaps = gaps;
    }
    if (srv.exited()) sample.error ??= `server exited during the run${capped ? ` (RSS passed ${String(RSS_CAP_MB)} MB)` : ''}`;
  } catch (e) {
    sample.error = capped ? `server RSS passed ${String(RSS_CAP_MB)} MB; stopped` : firstLines((e as Error).message);
    if (!capped && srv.stderr().trim() !== '') sample.error += ` | server: ${firstLines(srv.stderr())}`;
  } finally {
    clearInterval(watch);
    await srv.stop();
  }
  return sample;
}

function firstLines(s: string): string {
  return s.trim().split('\n').slice(0, 3).join(' / ');
}
