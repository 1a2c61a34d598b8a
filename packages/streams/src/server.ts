import type { Address, IListeningPort } from '@torsion/reactor';
import { ServerFactory } from '@torsion/protocols';
import { StreamReader } from './stream-reader.js';
import { StreamReaderProtocol, type ClientConnectedCallback } from './stream-reader-protocol.js';

/**
 * The factory behind a {@link Server}: a fresh reader and {@link StreamReaderProtocol} per
 * connection, each tracked until its connection ends.
 *
 * @internal Use {@link startServer}.
 */
export class StreamServerFactory extends ServerFactory {
  readonly #callback: ClientConnectedCallback;
  readonly #limit: number | undefined;
  readonly #live = new Set<StreamReaderProtocol>();
  #idle: Array<() => void> = [];

  constructor(callback: ClientConnectedCallback, limit: number | undefined) {
    super();
    this.#callback = callback;
    this.#limit = limit;
  }

  override buildProtocol(): StreamReaderProtocol {
    const reader = new StreamReader(this.#limit === undefined ? {} : { limit: this.#limit });
    const protocol = new StreamReaderProtocol(reader, this.#callback);
    protocol.factory = this;
    this.#live.add(protocol);
    const done = (): void => {
      this.#live.delete(protocol);
      if (this.#live.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
    };
    protocol.closed().then(done, done);
    return protocol;
  }

  /** The connections still up. */
  get connections(): ReadonlySet<StreamReaderProtocol> {
    return this.#live;
  }

  /** Resolves once no connection is up. */
  whenIdle(): Promise<void> {
    if (this.#live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

/** Options for {@link Server.serveForever}. */
export interface ServeForeverOptions {
  /** Close the server when this signal aborts. */
  signal?: AbortSignal;
}

/**
 * A listening streams server, as returned by {@link startServer}: asyncio's `Server`.
 *
 * {@link close} stops listening and leaves established connections alone;
 * {@link waitClosed} resolves once the server is closed and every connection has ended;
 * {@link closeClients} and {@link abortClients} end the connections.
 *
 * @example
 * ```ts
 * await using server = await startServer(handler, '127.0.0.1', 0);
 * console.log(server.ports[0]!.getHost());
 * ```
 */
export class Server<A extends Address = Address> {
  /** The listening ports (one per host). */
  readonly ports: readonly IListeningPort<A>[];
  readonly #factory: StreamServerFactory;
  #closing: Promise<void> | null = null;
  #closedWaiters: Array<() => void> = [];

  /** @internal Use {@link startServer}. */
  constructor(ports: readonly IListeningPort<A>[], factory: StreamServerFactory) {
    this.ports = ports;
    this.#factory = factory;
  }

  /** True until {@link close} is called. */
  isServing(): boolean {
    return this.#closing === null;
  }

  /** How many connections are up. */
  get connectionCount(): number {
    return this.#factory.connections.size;
  }

  /** Stop listening on every port; connections stay up. Calling it again returns the same promise. */
  close(): Promise<void> {
    if (this.#closing === null) {
      this.#closing = Promise.all(this.ports.map((p) => p.stopListening())).then(() => undefined);
      for (const resolve of this.#closedWaiters.splice(0)) resolve();
    }
    return this.#closing;
  }

  /** Resolves once {@link close} has completed and every connection has ended. */
  async waitClosed(): Promise<void> {
    if (this.#closing === null) await new Promise<void>((resolve) => this.#closedWaiters.push(resolve));
    await this.#closing;
    await this.#factory.whenIdle();
  }

  /** Close every connection gracefully (buffered data is sent first). */
  closeClients(): void {
    for (const p of [...this.#factory.connections]) p.transport?.loseConnection();
  }

  /** Close every connection now, dropping buffered data. */
  abortClients(): void {
    for (const p of [...this.#factory.connections]) p.transport?.abortConnection();
  }

  /** Serve until {@link close} is called (or `signal` aborts, which closes the server). */
  async serveForever(options: ServeForeverOptions = {}): Promise<void> {
    const signal = options.signal;
    const onAbort = (): void => void this.close();
    if (signal !== undefined) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    try {
      if (this.#closing === null) await new Promise<void>((resolve) => this.#closedWaiters.push(resolve));
      await this.#closing;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** `await using server = ...`: close, close the clients, and wait for the end. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
    this.closeClients();
    await this.waitClosed();
  }
}
