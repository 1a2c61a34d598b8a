import type { IProcessTransport, IReactorProcess } from '@torsion/reactor';
import { ProcessSpawnError, reactor as globalReactor } from '@torsion/reactor';
import type { StreamReader } from './stream-reader.js';
import type { StreamWriter } from './stream-writer.js';
import { SubprocessProtocol, returnCodeOf } from './subprocess-protocol.js';

/** Options for {@link createSubprocess}. */
export interface SubprocessOptions {
  /** The environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The working directory (default: this process's). */
  cwd?: string;
  /** The limit of the stdout and stderr readers, in bytes (default 64 KiB). */
  limit?: number;
  /** The reactor to spawn with (default: the global `reactor`). */
  reactor?: IReactorProcess;
}

/**
 * A child process with streams on its pipes: asyncio's `Process`, over the process transport
 * of `reactor.spawnProcess()`. Read `stdout`/`stderr` while the child runs: reading the
 * process's output stops while either reader holds more than twice its limit, so a child that
 * writes much more than that blocks until you read (use {@link communicate} to do it all at
 * once).
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
  /** The process transport the streams run over. */
  readonly transport: IProcessTransport;
  readonly #protocol: SubprocessProtocol;
  readonly #pid: number | undefined;
  readonly #ended: Promise<number>;

  /** @internal Use {@link createSubprocess}. */
  constructor(protocol: SubprocessProtocol, transport: IProcessTransport, ended: Promise<number>) {
    this.#protocol = protocol;
    this.stdin = protocol.stdin;
    this.stdout = protocol.stdout;
    this.stderr = protocol.stderr;
    this.transport = transport;
    this.#pid = transport.pid ?? undefined;
    this.#ended = ended;
  }

  /** The child's process id (it stays readable after the exit). */
  get pid(): number | undefined {
    return this.#pid;
  }

  /** The exit status once the child has exited (negative: killed by that signal), else `null`. */
  get returnCode(): number | null {
    return this.#protocol.returnCode;
  }

  /** Resolves with the return code once the child has exited and its pipes are closed. */
  wait(): Promise<number> {
    return this.#ended;
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
    this.transport.signalProcess(signal);
  }

  /** Same as `kill('SIGTERM')`. */
  terminate(): void {
    this.kill('SIGTERM');
  }
}

/**
 * Start `command` with `args` (not including argv[0]) and pipes on stdin, stdout and stderr:
 * asyncio's `create_subprocess_exec`, over `reactor.spawnProcess()`. Resolves once the process
 * has been spawned; rejects if it could not be, with the system's error (`code: 'ENOENT'`...).
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
export async function createSubprocess(command: string, args: readonly string[] = [], options: SubprocessOptions = {}): Promise<Subprocess> {
  const r = options.reactor ?? globalReactor;
  let exited!: (reason: Error) => void;
  const exit = new Promise<Error>((resolve) => (exited = resolve));
  let ended!: (code: number) => void;
  const end = new Promise<number>((resolve) => (ended = resolve));
  // A bad limit throws here, before anything is spawned.
  const protocol = new SubprocessProtocol(options.limit, exited, (reason) => ended(returnCodeOf(reason)));
  const transport = r.spawnProcess(protocol, command, [command, ...args], {
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  if (transport.pid === null) {
    // It never started; the transport reports why as the exit reason.
    const reason = await exit;
    throw reason instanceof ProcessSpawnError && reason.cause instanceof Error ? reason.cause : reason;
  }
  return new Subprocess(protocol, transport, end);
}
