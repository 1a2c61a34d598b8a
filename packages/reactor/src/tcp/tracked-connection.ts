import type { ReactorResource } from '../reactor.js';

/** What a transport needs from the reactor. */
export interface TransportReactor {
  track(resource: ReactorResource): () => void;
  untrack(resource: ReactorResource): void;
}

/** The connection a tracking entry stands for. */
export interface TrackedTransport {
  abortConnection(): void;
}

/**
 * How the entry closes its connection gracefully: set once by the transport class, which keeps
 * that method private (a function per class rather than a closure per connection).
 */
let closeGracefully: (transport: TrackedTransport) => Promise<void> = () => Promise.resolve();

/** @internal Called once by StreamTransport's static block. */
export function setGracefulClose(close: (transport: TrackedTransport) => Promise<void>): void {
  closeGracefully = close;
}

/**
 * The reactor's handle on one connection (so `reactor.stop()` can close it): one small object
 * whose methods live on the prototype, rather than a literal with two closures per connection.
 *
 * @internal
 */
export class TrackedConnection implements ReactorResource {
  readonly #transport: TrackedTransport;
  readonly #reactor: TransportReactor;

  constructor(transport: TrackedTransport, reactor: TransportReactor) {
    this.#transport = transport;
    this.#reactor = reactor;
  }

  track(): void {
    this.#reactor.track(this);
  }

  untrack(): void {
    this.#reactor.untrack(this);
  }

  get kind(): 'connection' {
    return 'connection';
  }

  close(): Promise<void> {
    return closeGracefully(this.#transport);
  }

  abort(): void {
    this.#transport.abortConnection();
  }
}
