import type { ChildProcess } from 'node:child_process';
import { childProcess } from '../builtins.js';
import type { Readable, Writable } from 'node:stream';
import {
  ProcessDone,
  ProcessExitedAlready,
  ProcessSpawnError,
  ProcessTerminated,
  ProducerAlreadyRegistered,
  TorsionRangeError,
  TorsionTypeError,
  WriteAfterEofError,
} from '../errors.js';
import type {
  Data,
  ExtraInfoName,
  IProcessProtocol,
  IProcessTransport,
  IPullProducer,
  IPushProducer,
  ProcessAddress,
  ProcessSignal,
  SpawnProcessOptions,
} from '../interfaces.js';
import { log } from '../log.js';
import { notBytes } from '../tcp/transport-errors.js';

const DEFAULT_HIGH = 64 * 1024;
const DEFAULT_LOW = 16 * 1024;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function checkArgs(executable: unknown, args: unknown, options: SpawnProcessOptions): void {
  if (typeof executable !== 'string' || executable === '') {
    throw new TorsionTypeError(`spawnProcess needs the executable as a non-empty string; got ${String(executable)}.`);
  }
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new TorsionTypeError(
      "spawnProcess needs args as an array of strings, args[0] being argv[0]: ['/bin/sh', '-c', 'echo hi'].",
    );
  }
  if (options.cwd !== undefined && typeof options.cwd !== 'string') {
    throw new TorsionTypeError(`spawnProcess option cwd must be a string; got ${typeof options.cwd}.`);
  }
  if (options.env !== undefined && (options.env === null || typeof options.env !== 'object')) {
    throw new TorsionTypeError('spawnProcess option env must be an object of strings.');
  }
}

/**
 * A running child process as a transport (see `IProcessTransport`). Made by
 * `reactor.spawnProcess()`.
 *
 * Stdin writes issued within one turn of the loop leave together. A protocol callback that
 * throws (or returns a promise that rejects) is logged and the pipes are closed; the process
 * itself is left to exit on its own.
 *
 * @example
 * ```ts
 * const transport = reactor.spawnProcess(new WordCount(), '/bin/sh', ['/bin/sh', '-c', 'wc -w']);
 * transport.write('one two three\n');
 * transport.closeStdin();   // the child reads EOF; WordCount.processEnded() follows
 * ```
 */
export class ProcessTransport implements IProcessTransport {
  readonly #child: ChildProcess;
  readonly #protocol: IProcessProtocol;
  readonly #stdin: Writable;
  readonly #stdout: Readable;
  readonly #stderr: Readable;
  #pid: number | null;
  #exitReason: Error | undefined = undefined;
  readonly #lost = [false, false, false];
  #ended = false;
  #disconnecting = false;
  #stdinClosing = false;
  /** closeStdin() was called: a later write is a mistake (the child closing its stdin is not). */
  #stdinEnded = false;
  #reading = true;
  #corked = false;
  #inSequence = false;
  #high = DEFAULT_HIGH;
  #low = DEFAULT_LOW;
  #writePaused = false;
  #producer: IPushProducer | IPullProducer | undefined = undefined;
  #streaming = false;
  /** A `#pull` is on its way: every write's completion may find stdin drained, but one asks. */
  #pullScheduled = false;

  /** @internal Use `reactor.spawnProcess()`. */
  static spawn(
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options: SpawnProcessOptions = {},
  ): ProcessTransport {
    checkArgs(executable, args, options);
    let child: ChildProcess;
    try {
      child = childProcess().spawn(executable, args.slice(1), {
        argv0: args[0] ?? executable,
        cwd: options.cwd,
        env: options.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      throw new TorsionTypeError(`spawnProcess could not start ${executable}: ${(error as Error).message}`);
    }
    const transport = new ProcessTransport(child, protocol, executable);
    // A throw is the protocol's fault like any other: logged, the pipes closed (the child is
    // not left running behind an exception the caller cannot clean up after).
    transport.#call('makeConnection', () => protocol.makeConnection(transport));
    return transport;
  }

  private constructor(child: ChildProcess, protocol: IProcessProtocol, executable: string) {
    this.#child = child;
    this.#protocol = protocol;
    this.#stdin = child.stdin!;
    this.#stdout = child.stdout!;
    this.#stderr = child.stderr!;
    this.#pid = child.pid ?? null;
    const pipes = [this.#stdin, this.#stdout, this.#stderr] as const;
    pipes.forEach((pipe, fd) => {
      pipe.on('close', () => this.#pipeClosed(fd));
      // EPIPE on stdin when the child has gone, say: the 'close' that follows is what counts.
      pipe.on('error', (error: Error) => log.debug(`Pipe ${fd} of process ${String(this.#pid)}: ${error.message}`));
    });
    // 'readable' mode, not flowing mode: Node resumes a child's flowing stdio streams when it
    // exits, which would undo pauseProducing(); a 'readable' listener keeps reads ours.
    this.#stdout.on('readable', this.#onStdout);
    this.#stderr.on('readable', this.#onStderr);
    child.on('exit', (code, signal) => {
      this.#exited(code === 0 ? new ProcessDone() : new ProcessTerminated(code, signal));
    });
    child.on('error', (error: Error) => {
      if (this.#exitReason !== undefined) return;
      if (child.pid === undefined) {
        // It never started: report it as an exit, and let the pipes close.
        this.#exited(new ProcessSpawnError(`Could not start ${executable}: ${error.message}`, { cause: error }));
        for (const pipe of pipes) pipe.destroy();
      } else {
        log.warn(`Process ${child.pid}: ${error.message}`);
      }
    });
  }

  /** The process id; null once the process has exited (or if it never started). */
  get pid(): number | null {
    return this.#pid;
  }

  get disconnecting(): boolean {
    return this.#disconnecting;
  }

  write(data: Data): void {
    if (this.#disconnecting) return;
    if (this.#stdinEnded) {
      throw new WriteAfterEofError('Cannot write to the process after closeStdin()/writeEof(): its stdin is closed.');
    }
    // The child closed its stdin or is gone: dropped, as writes to a peer that went away are.
    if (this.#stdinClosing || this.#lost[0] || this.#stdin.destroyed) return;
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw notBytes(data);
    if (!this.#corked) {
      // Writes made in this turn of the loop go to the pipe together.
      this.#corked = true;
      this.#stdin.cork();
      process.nextTick(this.#uncork);
    }
    this.#stdin.write(data, this.#onWritten);
    if (!this.#inSequence) this.#flowControl();
  }

  /** Several chunks as one write: flow control acts once, after the last, never between two. */
  writeSequence(chunks: Iterable<Data>): void {
    const parts = [...chunks];
    for (const part of parts) {
      if (typeof part !== 'string' && !(part instanceof Uint8Array)) throw notBytes(part); // before any is written
    }
    const outer = !this.#inSequence;
    this.#inSequence = true;
    try {
      for (const part of parts) this.write(part);
    } finally {
      if (outer) this.#inSequence = false;
    }
    if (outer) this.#flowControl();
  }

  #flowControl(): void {
    if (!this.#writePaused && this.#stdin.writableLength > this.#high) {
      this.#writePaused = true;
      if (this.#producer !== undefined && this.#streaming) (this.#producer as IPushProducer).pauseProducing();
      this.#protocol.pauseWriting?.();
    }
  }

  writeToChild(childFD: number, data: Data): void {
    if (childFD !== 0) {
      throw new TorsionRangeError(`Only the child's stdin (fd 0) can be written to; got fd ${String(childFD)}.`);
    }
    this.write(data);
  }

  closeStdin(): void {
    this.#stdinEnded = true;
    if (this.#stdinClosing) return;
    this.#stdinClosing = true;
    this.#uncork();
    this.#stdin.end();
  }

  closeStdout(): void {
    this.#stdout.destroy();
  }

  closeStderr(): void {
    this.#stderr.destroy();
  }

  closeChildFD(childFD: number): void {
    if (childFD === 0) this.closeStdin();
    else if (childFD === 1) this.closeStdout();
    else if (childFD === 2) this.closeStderr();
    else throw new TorsionRangeError(`A process has pipes 0, 1 and 2 only; got fd ${String(childFD)}.`);
  }

  writeEof(): void {
    this.closeStdin();
  }

  canWriteEof(): boolean {
    return true;
  }

  /** Close stdin (after flushing), stdout and stderr. The process is not signalled. */
  loseConnection(): void {
    if (this.#disconnecting) return;
    this.#disconnecting = true;
    this.closeStdin();
    this.closeStdout();
    this.closeStderr();
  }

  /** Close every pipe now; what was buffered for stdin is dropped. */
  abortConnection(): void {
    this.#disconnecting = true;
    this.#stdinClosing = true;
    this.#stdin.destroy();
    this.closeStdout();
    this.closeStderr();
  }

  signalProcess(signal: ProcessSignal): void {
    if (this.#exitReason !== undefined || this.#pid === null) throw new ProcessExitedAlready();
    const name = (typeof signal === 'string' && !signal.startsWith('SIG') ? `SIG${signal}` : signal) as
      | NodeJS.Signals
      | number;
    try {
      this.#child.kill(name);
    } catch {
      throw new TorsionTypeError(`Unknown signal ${String(signal)}: use a name such as 'TERM', 'SIGKILL', or a number.`);
    }
  }

  getPeer(): ProcessAddress {
    return this.#pid === null ? { type: 'PROCESS' } : { type: 'PROCESS', pid: this.#pid };
  }

  getHost(): ProcessAddress {
    return { type: 'PROCESS' };
  }

  setWriteBufferLimits(high = DEFAULT_HIGH, low = Math.min(DEFAULT_LOW, high)): void {
    if (!(high >= 0 && low >= 0 && low <= high)) {
      throw new TorsionRangeError(`Write buffer limits need 0 <= low <= high; got high ${high}, low ${low}.`);
    }
    this.#high = high;
    this.#low = low;
  }

  getWriteBufferSize(): number {
    return this.#stdin.destroyed ? 0 : this.#stdin.writableLength;
  }

  /** `pid`, and `subprocess` (the Node `ChildProcess`). */
  getExtraInfo(name: ExtraInfoName): unknown {
    if (name === 'pid') return this.#pid ?? undefined;
    if (name === 'subprocess') return this.#child;
    return undefined;
  }

  isReading(): boolean {
    return this.#reading && !(this.#lost[1] && this.#lost[2]);
  }

  /** Stop delivering stdout and stderr until {@link resumeProducing}. */
  pauseProducing(): void {
    this.#reading = false;
  }

  /** Deliver output again; what was held back arrives on the next tick. */
  resumeProducing(): void {
    if (this.#reading) return;
    this.#reading = true;
    process.nextTick(this.#drainBoth);
  }

  stopProducing(): void {
    this.loseConnection();
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== undefined) throw new ProducerAlreadyRegistered();
    this.#producer = producer;
    this.#streaming = streaming;
    if (streaming) {
      if (this.#writePaused) (producer as IPushProducer).pauseProducing();
    } else {
      this.#schedulePull();
    }
  }

  unregisterProducer(): void {
    this.#producer = undefined;
  }

  #schedulePull(): void {
    if (this.#pullScheduled) return;
    this.#pullScheduled = true;
    setImmediate(this.#pull);
  }

  readonly #pull = (): void => {
    this.#pullScheduled = false;
    const producer = this.#producer;
    if (producer === undefined || this.#streaming || this.#disconnecting || this.#stdinClosing) return;
    this.#call('the pull producer resumeProducing', () => producer.resumeProducing());
  };

  readonly #uncork = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.#stdin.uncork();
  };

  readonly #onWritten = (): void => {
    const size = this.#stdin.writableLength;
    if (this.#writePaused && size <= this.#low) {
      this.#writePaused = false;
      // From a pipe's write callback: a throw here would escape as an uncaught exception.
      const producer = this.#producer;
      if (producer !== undefined && this.#streaming) this.#call('the producer resumeProducing', () => producer.resumeProducing());
      if (this.#protocol.resumeWriting !== undefined) this.#call('resumeWriting', () => this.#protocol.resumeWriting!());
    }
    if (size === 0 && this.#producer !== undefined && !this.#streaming) this.#schedulePull();
  };

  readonly #onStdout = (): void => {
    this.#drain(this.#stdout, 1);
  };

  readonly #onStderr = (): void => {
    this.#drain(this.#stderr, 2);
  };

  readonly #drainBoth = (): void => {
    this.#drain(this.#stdout, 1);
    this.#drain(this.#stderr, 2);
  };

  #drain(pipe: Readable, fd: 1 | 2): void {
    // A callback may pause us (or close the pipe) between two chunks.
    while (this.#reading && !this.#lost[fd]) {
      const chunk = pipe.read() as Buffer | null;
      if (chunk === null) return;
      let result: unknown;
      try {
        result = this.#protocol.childDataReceived(fd, chunk);
      } catch (error) {
        this.#failed('childDataReceived', error);
        return;
      }
      if (result !== undefined) this.#guard('childDataReceived', result);
    }
  }

  #pipeClosed(fd: number): void {
    if (this.#lost[fd] === true) return;
    this.#lost[fd] = true;
    if (fd === 0) this.#stdinClosing = true;
    this.#call('childConnectionLost', () => this.#protocol.childConnectionLost(fd));
    this.#maybeEnded();
  }

  #exited(reason: Error): void {
    if (this.#exitReason !== undefined) return;
    this.#exitReason = reason;
    this.#pid = null;
    this.#call('processExited', () => this.#protocol.processExited(reason));
    this.#maybeEnded();
  }

  #maybeEnded(): void {
    if (this.#ended || this.#exitReason === undefined || !this.#lost.every(Boolean)) return;
    this.#ended = true;
    this.#producer = undefined;
    const reason = this.#exitReason;
    this.#call('processEnded', () => this.#protocol.processEnded(reason));
  }

  #call(what: string, fn: () => unknown): void {
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      this.#failed(what, error);
      return;
    }
    this.#guard(what, result);
  }

  #guard(what: string, result: unknown): void {
    if (isThenable(result)) result.then(undefined, (error: unknown) => this.#failed(what, error));
  }

  #failed(what: string, error: unknown): void {
    log.error(`Process protocol's ${what} failed; closing the process's pipes`, error, {
      pid: this.#pid ?? this.#child.pid,
    });
    if (!this.#ended) this.loseConnection();
  }
}
