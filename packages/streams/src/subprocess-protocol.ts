import type {
  Address,
  Data,
  ExtraInfoName,
  IProcessProtocol,
  IProcessTransport,
  IPullProducer,
  IPushProducer,
  ITransport,
} from '@torsion/reactor';
import { ConnectionDone, ConnectionLost, ProcessDone, ProcessTerminated } from '@torsion/reactor';
import { constants } from 'node:os';
import { StreamReader } from './stream-reader.js';
import { StreamReaderProtocol } from './stream-reader-protocol.js';
import type { StreamWriter } from './stream-writer.js';

/** asyncio's return code: the exit status, or `-N` for a process killed by signal `N`. */
export function returnCodeOf(reason: Error): number {
  if (reason instanceof ProcessDone) return 0;
  if (reason instanceof ProcessTerminated) {
    if (reason.exitCode !== null) return reason.exitCode;
    if (reason.signal !== null) return -(constants.signals[reason.signal] ?? 0);
  }
  return -1;
}

/**
 * The child's stdin as a transport of its own, for a {@link StreamWriter}: writes go to the
 * process transport, and closing it closes stdin alone (stdout and stderr stay open, so a
 * program can close stdin and then read the output to its end).
 */
class StdinTransport implements ITransport {
  readonly #process: IProcessTransport;
  #closing = false;
  #lost = false;

  constructor(process: IProcessTransport) {
    this.#process = process;
  }

  get disconnecting(): boolean {
    return this.#closing || this.#lost;
  }

  /** Whether we closed it (rather than the child or the pipe). */
  get closedByUs(): boolean {
    return this.#closing;
  }

  // After the pipe is gone, writes are dropped (as on any lost connection); drain() says why.
  write(data: Data): void {
    if (!this.#closing && !this.#lost) this.#process.write(data);
  }

  writeSequence(chunks: Iterable<Data>): void {
    if (!this.#closing && !this.#lost) this.#process.writeSequence(chunks);
  }

  /** The pipe closed (whoever closed it). */
  pipeLost(): void {
    this.#lost = true;
  }

  /** Close stdin once what was written is flushed: the child reads EOF. */
  loseConnection(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#process.closeStdin();
  }

  /**
   * Close stdin. A process transport has no way to drop what is already queued for one pipe
   * alone, so that is still flushed (abort the whole process transport to drop it).
   */
  abortConnection(): void {
    this.loseConnection();
  }

  writeEof(): void {
    this.loseConnection();
  }

  canWriteEof(): boolean {
    return true;
  }

  getPeer(): Address {
    return this.#process.getPeer();
  }

  getHost(): Address {
    return this.#process.getHost();
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.#process.setWriteBufferLimits(high, low);
  }

  getWriteBufferSize(): number {
    return this.#process.getWriteBufferSize();
  }

  getExtraInfo(name: ExtraInfoName): unknown {
    return this.#process.getExtraInfo(name);
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#process.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.#process.unregisterProducer();
  }

  // Stdin has no read side: there is nothing to pause.
  isReading(): boolean {
    return false;
  }
  pauseProducing(): void {}
  resumeProducing(): void {}
  stopProducing(): void {}
}

/**
 * The protocol of a {@link Subprocess}: output from the process transport goes to the stdout
 * and stderr readers, stdin is driven through a {@link StreamWriter}, and the end of the process
 * settles `ended`.
 *
 * Both readers pause the one process transport: reading stops while *either* holds more than
 * twice its limit, and goes on once neither does (a process transport pauses stdout and stderr
 * together).
 *
 * @internal
 */
export class SubprocessProtocol implements IProcessProtocol {
  readonly stdout: StreamReader;
  readonly stderr: StreamReader;
  readonly #stdin = new StreamReaderProtocol(new StreamReader());
  #stdinTransport: StdinTransport | undefined;
  #transport: IProcessTransport | undefined;
  /** Which readers asked for a pause: [stdout, stderr]. */
  readonly #pausedBy = [false, false];
  #paused = false;
  #exitReason: Error | undefined;
  /** The return code once the process has exited, else `null`. */
  returnCode: number | null = null;
  readonly #onExited: (reason: Error) => void;
  readonly #onEnded: (reason: Error) => void;

  constructor(limit: number | undefined, onExited: (reason: Error) => void, onEnded: (reason: Error) => void) {
    const options = limit === undefined ? {} : { limit };
    this.stdout = new StreamReader(options);
    this.stderr = new StreamReader(options);
    this.stdout.setTransport(this.#readerSwitch(0));
    this.stderr.setTransport(this.#readerSwitch(1));
    this.#onExited = onExited;
    this.#onEnded = onEnded;
  }

  /** The writer on the child's stdin (once connected). */
  get stdin(): StreamWriter {
    return this.#stdin.writer!;
  }

  get transport(): IProcessTransport | undefined {
    return this.#transport;
  }

  makeConnection(transport: IProcessTransport): void {
    this.#transport = transport;
    this.#stdinTransport = new StdinTransport(transport);
    void this.#stdin.makeConnection(this.#stdinTransport);
  }

  childDataReceived(childFD: number, data: Buffer): void {
    if (childFD === 1) this.stdout.feedData(data);
    else if (childFD === 2) this.stderr.feedData(data);
  }

  childConnectionLost(childFD: number): void {
    if (childFD === 1) this.stdout.feedEof();
    else if (childFD === 2) this.stderr.feedEof();
    else if (childFD === 0) {
      // Closed by us, or by the process's end, is an orderly end; the child closing its stdin
      // while it runs and we have not is not (a later drain() rejects with it).
      const orderly = this.#exitReason !== undefined || this.#stdinTransport?.closedByUs === true;
      this.#stdinTransport?.pipeLost();
      void this.#stdin.connectionLost(orderly ? new ConnectionDone() : new ConnectionLost('The child process closed its stdin.'));
    }
  }

  processExited(reason: Error): void {
    this.#exitReason = reason;
    this.returnCode = returnCodeOf(reason);
    this.#onExited(reason);
  }

  processEnded(reason: Error): void {
    this.#onEnded(reason);
  }

  pauseWriting(): void {
    this.#stdin.pauseWriting();
  }

  resumeWriting(): void {
    this.#stdin.resumeWriting();
  }

  /** What one reader sees as its transport: a vote on whether the process transport reads. */
  #readerSwitch(index: 0 | 1): IPushProducer {
    return {
      pauseProducing: () => this.#vote(index, true),
      resumeProducing: () => this.#vote(index, false),
      stopProducing: () => this.#vote(index, false),
    };
  }

  #vote(index: 0 | 1, pause: boolean): void {
    this.#pausedBy[index] = pause;
    const want = this.#pausedBy[0] === true || this.#pausedBy[1] === true;
    const transport = this.#transport;
    if (want === this.#paused || transport === undefined) return;
    this.#paused = want;
    if (want) transport.pauseProducing();
    else transport.resumeProducing();
  }
}
