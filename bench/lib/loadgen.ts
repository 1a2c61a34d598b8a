// The C load client: built on first use with `cc -O2` into bench/.build/, run pinned to its core.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pinned, track } from './proc.js';

/** Compile bench/loadgen/loadgen.c unless the binary is newer; returns the binary's path. */
export function buildLoadgen(benchDir: string): string {
  const src = path.join(benchDir, 'loadgen', 'loadgen.c');
  const bin = path.join(benchDir, '.build', 'loadgen');
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(src).mtimeMs) return bin;
  mkdirSync(path.dirname(bin), { recursive: true });
  const cc = process.env['CC'] ?? 'cc';
  const r = spawnSync(cc, ['-O2', '-Wall', '-o', bin, src], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`building the load client failed (${cc} -O2 ${src}): ${r.error?.message ?? r.stderr}\n` +
      'A C compiler is needed: install one (apt-get install gcc) or set CC.');
  }
  return bin;
}

/** What the client printed: one JSON object of results. */
export type ClientResult = Record<string, number | string>;

/** Callbacks while the client runs. */
export interface ClientHooks {
  /** The measured window begins. */
  onStart?(): void;
  /** The result line arrived (the client may still be running, as in idle mode). */
  onResult?(result: ClientResult, kill: () => void): void | Promise<void>;
}

/**
 * Run the client to completion; rejects with its stderr when it fails (a verification error
 * included). With `timeout` (seconds), a client still running that long after it started is
 * killed and the run rejected as hung: no measurement waits forever.
 */
export function runLoadgen(bin: string, args: readonly string[], cpu: number | undefined, hooks: ClientHooks = {},
  timeout?: number): Promise<ClientResult> {
  const argv = pinned([bin, ...args], cpu);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let hung = false;
  const timer = timeout === undefined ? undefined : setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, timeout * 1000);
  let err = '';
  let result: ClientResult | undefined;
  let pending: Promise<void> = Promise.resolve();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => { err = (err + s).slice(-4000); });
  child.stdout.setEncoding('utf8');
  let buf = '';
  child.stdout.on('data', (s: string) => {
    buf += s;
    let nl = buf.indexOf('\n');
    while (nl !== -1) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line === 'START') hooks.onStart?.();
      else if (line.startsWith('{')) {
        result = JSON.parse(line) as ClientResult;
        const r = result;
        pending = Promise.resolve(hooks.onResult?.(r, () => child.kill('SIGTERM')));
      }
      nl = buf.indexOf('\n');
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      void pending.then(() => {
        const killedByUs = signal === 'SIGTERM' && result !== undefined;
        if (hung) reject(new Error(`the load client hung: killed after ${String(timeout)} s${err.trim() === '' ? '' : `: ${err.trim()}`}`));
        else if ((code === 0 || killedByUs) && result !== undefined) resolve(result);
        else {
          const what = code === 3 ? 'the load client found corrupt data'
            : code === 4 ? 'the server stopped delivering' : `the load client failed (${String(code ?? signal)})`;
          reject(new Error(`${what}: ${err.trim() || 'no message'}`));
        }
      }, reject);
    });
  });
}
