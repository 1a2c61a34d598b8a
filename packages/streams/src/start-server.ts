import type { Address, IListeningPort, TCPAddress, TLSAddress, TLSOptions, UNIXAddress } from '@torsion/reactor';
import { reactor as globalReactor } from '@torsion/reactor';
import type { StreamsReactor } from './open-connection.js';
import { Server, StreamServerFactory } from './server.js';
import type { ClientConnectedCallback } from './stream-reader-protocol.js';
import { StreamReader } from './stream-reader.js';

/** Options for {@link startServer} and {@link startUnixServer}. */
export interface StartServerOptions {
  /** Each connection's reader limit in bytes (default 64 KiB). */
  limit?: number;
  /** Serve TLS with these `node:tls` options (`key`, `cert`...). TCP only. */
  tls?: TLSOptions;
  /** The listen backlog. */
  backlog?: number;
  /** The reactor to listen with (default: the global `reactor`). */
  reactor?: StreamsReactor;
}

function checkLimit(limit: number | undefined): void {
  // A bad limit fails the call, not each connection.
  if (limit !== undefined) new StreamReader({ limit });
}

async function listenAll<A extends Address>(listens: Array<() => Promise<IListeningPort<A>>>): Promise<IListeningPort<A>[]> {
  const ports: IListeningPort<A>[] = [];
  try {
    for (const listen of listens) ports.push(await listen());
  } catch (err) {
    await Promise.all(ports.map((p) => p.stopListening()));
    throw err;
  }
  return ports;
}

/**
 * Listen on `host:port` and call `callback(reader, writer)` for each connection: asyncio's
 * `start_server`. `host` may be one address, several (one port each), or `null`/`undefined` for
 * all interfaces; port 0 picks a free port (read it from `server.ports[0].getHost()`).
 *
 * The callback may be async. If it throws or rejects, the error is logged, that connection is
 * closed, and the server keeps serving. Returning does not close the connection: call
 * `writer.close()`.
 *
 * @example
 * ```ts
 * import { startServer } from '@torsion/streams';
 *
 * const server = await startServer(async (reader, writer) => {
 *   for await (const line of reader) {
 *     writer.write(line);
 *     await writer.drain();
 *   }
 *   writer.close();
 * }, '127.0.0.1', 8000);
 * await server.serveForever();
 * ```
 */
export async function startServer(
  callback: ClientConnectedCallback,
  host: string | readonly string[] | null | undefined,
  port: number,
  options: StartServerOptions = {},
): Promise<Server<TCPAddress | TLSAddress>> {
  checkLimit(options.limit);
  const r = options.reactor ?? globalReactor;
  const factory = new StreamServerFactory(callback, options.limit);
  const hosts: Array<string | undefined> = host === null || host === undefined ? [undefined] : typeof host === 'string' ? [host] : [...host];
  const listens = hosts.map((h) => (): Promise<IListeningPort<TCPAddress | TLSAddress>> => {
    const listenOptions = {
      ...(h === undefined ? {} : { interface: h }),
      ...(options.backlog === undefined ? {} : { backlog: options.backlog }),
    };
    return options.tls === undefined ? r.listenTCP(port, factory, listenOptions) : r.listenSSL(port, factory, options.tls, listenOptions);
  });
  return new Server(await listenAll(listens), factory);
}

/**
 * Listen on a UNIX-domain socket at `path`: asyncio's `start_unix_server`. Same callback rules
 * as {@link startServer}.
 *
 * @example
 * ```ts
 * const server = await startUnixServer(handler, '/tmp/app.sock');
 * ```
 */
export async function startUnixServer(callback: ClientConnectedCallback, path: string, options: StartServerOptions = {}): Promise<Server<UNIXAddress>> {
  checkLimit(options.limit);
  const r = options.reactor ?? globalReactor;
  const factory = new StreamServerFactory(callback, options.limit);
  const listenOptions = options.backlog === undefined ? {} : { backlog: options.backlog };
  return new Server(await listenAll([() => r.listenUNIX(path, factory, listenOptions)]), factory);
}
