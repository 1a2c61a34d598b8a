import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { ProcessExitedAlready } from '@torsion/reactor';
import type { StreamReader } from './stream-reader.js';
import type { StreamWriter } from './stream-writer.js';
import { pairOver } from './adapters/from-duplex.js';

/** Options for {@link createSubprocess}. */
export interface SubprocessOptions {
  /** The environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The working directory (default: this process's). */
  cwd?: string;
  /** The limit of the stdout and stderr readers, in bytes (default 64 KiB). */
  limit?: number;
}

/**
 * A child process with streams on its pipes: asyncio's `Process`. Read `stdout`/`stderr` while
 * the child runs: a reader stops reading its pipe above twice its limit, so a child that writes
 * much more than that blocks until you read (use {@link communicate} to do it all at once).
 *
 * @example
 * ```ts
 * const child = await createSubprocess('sort', []);
 * const [out] = await child.communicate('b\na\n');
 * console.log(out.toString(), await child.wait());   // 'a\nb\n' 0
 * ```
 */
export class Subprocess {
  /** The child's stdin: write to it, `close()` it (EOF for the child). */
  readonly stdin: StreamWriter;
  /** The child's stdout. */
  readonly stdout: StreamReader;
  /** The child's stderr. */
  readonly stderr: StreamReader;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number>;
  #returnCode: number | null = null;

  /** @internal Use {@link createSubprocess}. */
  constructor(child: ChildProcess, limit: number | undefined) {
    this.#child = child;
    const peer = { type: 'PROCESS' as const, ...(child.pid === undefined ? {} : { pid: child.pid }) };
    const options = { peer, ...(limit === undefined ? {} : { limit }) };
    this.stdin = pairOver({ writable: child.stdin }, options)[1];
    this.stdout = pairOver({ readable: child.stdout }, options)[0];
    this.stderr = pairOver({ readable: child.stderr }, options)[0];
    this.#exited = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      // 'close' comes after the exit and after the pipes have closed.
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.#returnCode = code ?? -(signal === null ? 0 : constants.signals[signal] ?? 0);
        // Nobody reads the child's stdin any more: release the pipe.
        if (!this.stdin.isClosing()) this.stdin.transport.abortConnection();
        resolve(this.#returnCode);
      });
    });
    this.#exited.catch(() => {});
  }

  /** The child's process id (undefined if it could not be started). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The exit status once the child has exited (negative: killed by that signal), else `null`. */
  get returnCode(): number | null {
    return this.#returnCode;
  }

  /** Resolves with the return code once the child has exited and its pipes are closed. */
  wait(): Promise<number> {
    return this.#exited;
  }

  /**
   * Send `input` (if any) to stdin and close it, read stdout and stderr to the end, and wait
   * for the exit: resolves with `[stdout, stderr]`.
   */
  async communicate(input?: Uint8Array | string): Promise<[Buffer, Buffer]> {
    if (input !== undefined) this.stdin.write(input);
    this.stdin.close();
    const [out, err] = await Promise.all([this.stdout.read(), this.stderr.read()]);
    await this.wait();
    return [out, err];
  }

  /** Send a signal (default SIGTERM). Throws `ProcessExitedAlready` once the child has exited. */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): void {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) throw new ProcessExitedAlready();
    this.#child.kill(signal);
  }

  /** Same as `kill('SIGTERM')`. */
  terminate(): void {
    this.kill('SIGTERM');
  }
}

/**
 * Start `command` with `args` (not including argv[0]) and pipes on stdin, stdout and stderr:
 * asyncio's `create_subprocess_exec`. Resolves once the process has been spawned; rejects if
 * it could not be (no such file, say).
 *
 * @example
 * ```ts
 * import { createSubprocess } from '@torsion/streams';
 *
 * const proc = await createSubprocess('sort', []);
 * const [out] = await proc.communicate('b\na\n');
 * console.log(out.toString(), await proc.wait()); // 'a\nb\n' 0
 * ```
 */
export function createSubprocess(command: string, args: readonly string[] = [], options: SubprocessOptions = {}): Promise<Subprocess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const onError = (err: Error): void => {
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
      reject(err);
    };
    child.once('error', onError);
    child.once('spawn', () => {
      child.off('error', onError);
      resolve(new Subprocess(child, options.limit));
    });
  });
}
