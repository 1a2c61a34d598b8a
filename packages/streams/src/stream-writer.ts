import type { Data, ExtraInfoName, ITransport, TLSOptions } from '@torsion/reactor';
import { NotSupportedError, WriteAfterEofError } from '@torsion/reactor';
import { WriteAfterCloseError } from './errors.js';

function writeAfterClose(method: string): WriteAfterCloseError {
  return new WriteAfterCloseError(`${method}() was called after close(): this StreamWriter is closed; open a new connection to send more.`);
}
import type { StreamReader } from './stream-reader.js';
import type { StreamReaderProtocol } from './stream-reader-protocol.js';

/** A transport that can be upgraded to TLS in place (TCP transports). */
interface StartTLSTransport extends ITransport {
  startTLS(options: TLSOptions): Promise<void> | void;
}

function canStartTLS(t: ITransport): t is StartTLSTransport {
  return typeof (t as Partial<StartTLSTransport>).startTLS === 'function';
}

/**
 * Bytes to a connection, with `await`-able flow control: asyncio's `StreamWriter` in TypeScript.
 *
 * {@link write} queues bytes on the transport at once; {@link drain} waits while the transport's
 * write buffer is above its high-water mark (64 KiB by default), so a program that awaits it
 * after writing never buffers without bound. Writing to a connection the peer has dropped is
 * silently ignored (as in asyncio); `drain()` then rejects with the reason.
 *
 * @example
 * ```ts
 * const [reader, writer] = await openConnection('127.0.0.1', 8000);
 * writer.write('hello\n');
 * await writer.drain();
 * console.log((await reader.readLine()).toString());
 * writer.close();
 * await writer.waitClosed();
 * ```
 */
export class StreamWriter {
  #transport: ITransport;
  #protocol: StreamReaderProtocol;
  #reader: StreamReader | null;
  #closing = false;
  #eofWritten = false;

  constructor(transport: ITransport, protocol: StreamReaderProtocol, reader: StreamReader | null) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#reader = reader;
  }

  /** The underlying transport. */
  get transport(): ITransport {
    return this.#transport;
  }

  /** Queue `data` for sending (strings as UTF-8). Throws after {@link close} or {@link writeEof}. */
  write(data: Data): void {
    if (this.#closing) throw writeAfterClose('write');
    if (this.#eofWritten) throw new WriteAfterEofError();
    this.#transport.write(data);
  }

  /** Queue several chunks as one write. */
  writeLines(chunks: Iterable<Data>): void {
    if (this.#closing) throw writeAfterClose('writeLines');
    if (this.#eofWritten) throw new WriteAfterEofError();
    this.#transport.writeSequence(chunks);
  }

  /**
   * Wait until the transport's write buffer is below its high-water mark. Resolves at once when
   * it already is; rejects with the reader's stored error, or with the reason once the
   * connection is lost. Any number of calls may wait together; all resolve on resume.
   */
  drain(): Promise<void> {
    const exc = this.#reader?.exception() ?? null;
    if (exc !== null) return Promise.reject(exc);
    return this.#protocol.drainHelper();
  }

  /** Close the write side after buffered data is sent (half-close); later writes throw. */
  writeEof(): void {
    if (this.#closing) throw writeAfterClose('writeEof');
    if (this.#eofWritten) return;
    if (!this.#transport.canWriteEof()) {
      throw new NotSupportedError('writeEof() is not possible on this connection (TLS cannot half-close): call close() to finish sending and close both directions.');
    }
    this.#transport.writeEof();
    this.#eofWritten = true;
  }

  /** Whether {@link writeEof} is supported by the transport. */
  canWriteEof(): boolean {
    return this.#transport.canWriteEof();
  }

  /** Send what is buffered, then close the connection. Calling it again does nothing. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#transport.loseConnection();
  }

  /** True once {@link close} was called or the connection is closing or gone. */
  isClosing(): boolean {
    return this.#closing || this.#transport.disconnecting || this.#protocol.lostReason() !== null;
  }

  /**
   * Resolves once the connection has ended: cleanly (`ConnectionDone`) or by a local
   * `abortConnection()`. Rejects with the reason after an unclean loss (`ConnectionLost`).
   */
  waitClosed(): Promise<void> {
    return this.#protocol.closed();
  }

  /** Transport details by name (`peername`, `sockname`, `socket`, TLS keys), or `fallback`. */
  getExtraInfo(name: ExtraInfoName, fallback?: unknown): unknown {
    const value = this.#transport.getExtraInfo(name);
    return value === undefined ? fallback : value;
  }

  /**
   * Upgrade the connection to TLS in place (STARTTLS). Waits for buffered writes to drain
   * first, then resolves once the TLS handshake has completed (asyncio's `start_tls`). Rejects
   * with `TLSHandshakeError` if the handshake fails (the connection is then dropped), and with
   * `NotSupportedError` if the transport cannot (a process pipe, say).
   */
  async startTls(options: TLSOptions): Promise<void> {
    const transport = this.#transport;
    if (!canStartTLS(transport)) {
      throw new NotSupportedError('This transport cannot be upgraded to TLS: startTls() needs a TCP connection.');
    }
    await this.drain();
    await transport.startTLS(options);
  }

  /** Close and wait for the end: `await using writer = ...` closes it on scope exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }
}
