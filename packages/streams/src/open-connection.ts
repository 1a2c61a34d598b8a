import type { Address, IConnector, Reactor, TLSOptions } from '@torsion/reactor';
import { reactor as globalReactor } from '@torsion/reactor';
import { ClientFactory } from '@torsion/protocols';
import { AbortError } from './errors.js';
import { StreamReader } from './stream-reader.js';
import { StreamReaderProtocol } from './stream-reader-protocol.js';
import type { StreamWriter } from './stream-writer.js';

/** The reactor methods the streams functions use; the global `reactor` by default. */
export type StreamsReactor = Pick<Reactor, 'connectTCP' | 'connectSSL' | 'connectUNIX' | 'listenTCP' | 'listenSSL' | 'listenUNIX'>;

/** Options for {@link openConnection} and {@link openUnixConnection}. */
export interface OpenConnectionOptions {
  /** The reader's limit in bytes (default 64 KiB). */
  limit?: number;
  /** Connect with TLS: `true` for the defaults, or options for `node:tls` (`ca`, `servername`...). */
  tls?: TLSOptions | boolean;
  /** Cancel the connection attempt: the promise rejects with {@link AbortError}. */
  signal?: AbortSignal;
  /** Seconds before the attempt fails with `TimeoutError` (default 30). */
  timeout?: number;
  /** The reactor to connect with (default: the global `reactor`). */
  reactor?: StreamsReactor;
}

/** A client factory that settles one promise with the first connection's reader/writer pair. */
class OneShotFactory extends ClientFactory {
  readonly #limit: number | undefined;
  readonly #resolve: (pair: [StreamReader, StreamWriter]) => void;
  readonly #reject: (err: Error) => void;
  readonly #signal: AbortSignal | undefined;
  #connector: IConnector | null = null;
  #settled = false;

  constructor(
    limit: number | undefined,
    signal: AbortSignal | undefined,
    resolve: (pair: [StreamReader, StreamWriter]) => void,
    reject: (err: Error) => void,
  ) {
    super();
    // Checked here so a bad limit fails the call, not the connection.
    new StreamReader(limit === undefined ? {} : { limit });
    this.#limit = limit;
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  attach(connector: IConnector): void {
    this.#connector = connector;
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #onAbort = (): void => {
    this.#connector?.stopConnecting();
  };

  override buildProtocol(_addr: Address): StreamReaderProtocol {
    const reader = new StreamReader(this.#limit === undefined ? {} : { limit: this.#limit });
    return new StreamReaderProtocol(reader, (r, w) => this.#settle(null, [r, w]));
  }

  override clientConnectionFailed(_connector: IConnector, reason: Error): void {
    const signal = this.#signal;
    if (signal?.aborted === true) {
      this.#settle(new AbortError('The connection attempt was aborted through its AbortSignal.', { cause: signal.reason }), null);
    } else {
      this.#settle(reason, null);
    }
  }

  #settle(err: Error | null, pair: [StreamReader, StreamWriter] | null): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (err !== null) this.#reject(err);
    else this.#resolve(pair!);
  }
}

function connectWith(
  options: OpenConnectionOptions,
  start: (r: StreamsReactor, factory: OneShotFactory) => IConnector,
): Promise<[StreamReader, StreamWriter]> {
  const signal = options.signal;
  if (signal?.aborted === true) {
    return Promise.reject(new AbortError('The connection attempt was aborted through its AbortSignal.', { cause: signal.reason }));
  }
  return new Promise((resolve, reject) => {
    const factory = new OneShotFactory(options.limit, signal, resolve, reject);
    factory.attach(start(options.reactor ?? globalReactor, factory));
  });
}

/**
 * Connect to `host:port` over TCP (or TLS with `tls`) and resolve with a reader/writer pair:
 * asyncio's `open_connection`. Rejects with the reactor's connect errors
 * (`ConnectionRefusedError`, `TimeoutError`, `DNSLookupError`...) or with {@link AbortError}.
 *
 * @example
 * ```ts
 * import { openConnection } from '@torsion/streams';
 *
 * const [reader, writer] = await openConnection('127.0.0.1', 8000);
 * writer.write('ping\n');
 * console.log((await reader.readLine()).toString());
 * writer.close();
 * await writer.waitClosed();
 * ```
 */
export function openConnection(host: string, port: number, options: OpenConnectionOptions = {}): Promise<[StreamReader, StreamWriter]> {
  const tls = options.tls;
  const connectOptions = options.timeout === undefined ? {} : { timeout: options.timeout };
  return connectWith(options, (r, factory) =>
    tls === undefined || tls === false
      ? r.connectTCP(host, port, factory, connectOptions)
      : r.connectSSL(host, port, factory, tls === true ? {} : tls, connectOptions),
  );
}

/**
 * Connect to a UNIX-domain socket and resolve with a reader/writer pair: asyncio's
 * `open_unix_connection`. `tls` is ignored.
 *
 * @example
 * ```ts
 * const [reader, writer] = await openUnixConnection('/tmp/app.sock');
 * ```
 */
export function openUnixConnection(path: string, options: OpenConnectionOptions = {}): Promise<[StreamReader, StreamWriter]> {
  const connectOptions = options.timeout === undefined ? {} : { timeout: options.timeout };
  return connectWith(options, (r, factory) => r.connectUNIX(path, factory, connectOptions));
}
