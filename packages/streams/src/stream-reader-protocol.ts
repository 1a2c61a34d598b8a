import type { ITransport, MaybePromise } from '@torsion/reactor';
import { ConnectionAborted, ConnectionDone, log } from '@torsion/reactor';
import { Protocol, formatAddress } from '@torsion/protocols';
import { StreamReader } from './stream-reader.js';
import { StreamWriter } from './stream-writer.js';

/** Called once per connection with its reader and writer; may be async. */
export type ClientConnectedCallback = (reader: StreamReader, writer: StreamWriter) => unknown;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The protocol that joins a transport to a {@link StreamReader} and a {@link StreamWriter}:
 * bytes received are fed to the reader, EOF and the end of the connection are reported to it,
 * and the transport's `pauseWriting`/`resumeWriting` drive `writer.drain()`.
 *
 * Put it in any protocol slot — a factory for TCP, TLS or UNIX, a process — to drive that
 * connection with `await`. With a callback, it is called with the pair once the connection is
 * made; if it throws (or its promise rejects) the error is logged and the connection closed.
 *
 * @example
 * ```ts
 * import { Factory } from '@torsion/protocols';
 * import { reactor } from '@torsion/reactor';
 * import { StreamReader, StreamReaderProtocol } from '@torsion/streams';
 *
 * class Upper extends Factory {
 *   override buildProtocol() {
 *     return new StreamReaderProtocol(new StreamReader(), async (reader, writer) => {
 *       for await (const line of reader) writer.write(line.toString().toUpperCase());
 *       writer.close();
 *     });
 *   }
 * }
 * await reactor.listenTCP(8000, new Upper(), { interface: '127.0.0.1' });
 * ```
 */
export class StreamReaderProtocol extends Protocol {
  /** The reader this protocol feeds. */
  readonly reader: StreamReader;
  #callback: ClientConnectedCallback | null;
  #writer: StreamWriter | null = null;
  #paused = false;
  #lost: Error | null = null;
  #drainWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  #closed: Promise<void>;
  #settleClosed!: (err: Error | null) => void;
  #made: Array<(writer: StreamWriter) => void> = [];

  constructor(reader: StreamReader, clientConnected: ClientConnectedCallback | null = null) {
    super();
    this.reader = reader;
    this.#callback = clientConnected;
    this.#closed = new Promise<void>((resolve, reject) => {
      this.#settleClosed = (err) => (err === null ? resolve() : reject(err));
    });
    // Nobody may ever wait for the close; that must not be an unhandled rejection.
    this.#closed.catch(() => {});
  }

  /** The writer, once the connection is made (`null` before). */
  get writer(): StreamWriter | null {
    return this.#writer;
  }

  /** Resolves with the writer once the connection is made. */
  whenConnected(): Promise<StreamWriter> {
    if (this.#writer !== null) return Promise.resolve(this.#writer);
    return new Promise((resolve) => this.#made.push(resolve));
  }

  override makeConnection(transport: ITransport): MaybePromise<void> {
    this.reader.setTransport(transport);
    this.#writer = new StreamWriter(transport, this, this.reader);
    return super.makeConnection(transport);
  }

  override connectionMade(): void {
    const writer = this.#writer!;
    for (const resolve of this.#made.splice(0)) resolve(writer);
    const cb = this.#callback;
    if (cb === null) return;
    let result: unknown;
    try {
      result = cb(this.reader, writer);
    } catch (err) {
      this.#handlerFailed(err);
      return;
    }
    if (result instanceof Promise) result.catch((err: unknown) => this.#handlerFailed(err));
  }

  override dataReceived(data: Buffer): void {
    this.reader.feedData(data);
  }

  /** Feed EOF to the reader and keep the connection open, so the writer can still write. */
  override eofReceived(): boolean {
    this.reader.feedEof();
    return true;
  }

  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.#lost = reason;
    if (reason instanceof ConnectionDone) this.reader.feedEof();
    else this.reader.setException(reason);
    for (const w of this.#drainWaiters.splice(0)) w.reject(reason);
    // A local abort is the user's own doing: waitClosed() still resolves.
    this.#settleClosed(reason instanceof ConnectionDone || reason instanceof ConnectionAborted ? null : reason);
  }

  override pauseWriting(): void {
    this.#paused = true;
  }

  override resumeWriting(): void {
    this.#paused = false;
    for (const w of this.#drainWaiters.splice(0)) w.resolve();
  }

  /**
   * Resolves at once unless writing is paused; then when it resumes. Rejects with the reason
   * once the connection is lost. Used by `StreamWriter.drain()`.
   */
  drainHelper(): Promise<void> {
    if (this.#lost !== null) return Promise.reject(this.#lost);
    if (!this.#paused) return RESOLVED;
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  /** Resolves when the connection has ended cleanly; rejects with the reason otherwise. */
  closed(): Promise<void> {
    return this.#closed;
  }

  /** The reason the connection ended, or `null` while it is up. */
  lostReason(): Error | null {
    return this.#lost;
  }

  #handlerFailed(err: unknown): void {
    const peer = this.transport === undefined ? undefined : formatAddress(this.transport.getPeer());
    log.error('A stream connection handler failed; closing that connection.', err, { peer });
    this.transport?.loseConnection();
  }
}
