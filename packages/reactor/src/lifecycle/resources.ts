/**
 * What the reactor keeps so that `stop()` can close it: ports (and the like) in a set, and live
 * connections in a list threaded through the connections themselves. A server holding 10,000
 * idle connections then spends no object, no hash-table slot and no table growth on keeping
 * track of them: two fields on each transport.
 *
 * @internal
 * @module
 */
import type { ReactorResource } from '../reactor.js';

/**
 * The key of the method `reactor.stop()` calls to close a connection gracefully. Symbols keep
 * the transport's public surface what `ITransport` promises.
 */
export const closeForShutdown: unique symbol = Symbol('torsion.closeForShutdown');
/** The key of a tracked connection's link to the one tracked before it. */
export const previousLive: unique symbol = Symbol('torsion.previousLive');
/** The key of a tracked connection's link to the one tracked after it. */
export const nextLive: unique symbol = Symbol('torsion.nextLive');

/** A live connection as the reactor tracks it: the transport itself, carrying the list links. */
export interface LiveConnection {
  /** Flush, then close; resolves once the connection is lost. */
  [closeForShutdown](): Promise<void>;
  abortConnection(): void;
  [previousLive]: LiveConnection | undefined;
  [nextLive]: LiveConnection | undefined;
}

/** Something the reactor closes on `stop()`. */
export type Tracked = ReactorResource | LiveConnection;

/** What a transport or port needs from the reactor. */
export interface TransportReactor {
  track(resource: Tracked): () => void;
  /** As `track`, without making an unregister function: a connection calls `untrack` itself. */
  trackConnection(connection: LiveConnection): void;
  untrack(resource: Tracked): void;
}

export function isConnection(r: Tracked): r is LiveConnection {
  return closeForShutdown in r;
}

export function kindOf(r: Tracked): 'port' | 'connection' {
  return isConnection(r) ? 'connection' : r.kind;
}

/** Everything tracked: add, remove (either at most once per registration), count, list. */
export class Resources implements Iterable<Tracked> {
  readonly #others = new Set<ReactorResource>();
  #first: LiveConnection | undefined = undefined;
  #connections = 0;

  get size(): number {
    return this.#others.size + this.#connections;
  }

  add(r: Tracked): void {
    if (!isConnection(r)) {
      this.#others.add(r);
      return;
    }
    if (this.#has(r)) return;
    r[previousLive] = undefined;
    r[nextLive] = this.#first;
    if (this.#first !== undefined) this.#first[previousLive] = r;
    this.#first = r;
    this.#connections += 1;
  }

  delete(r: Tracked): void {
    if (!isConnection(r)) {
      this.#others.delete(r);
      return;
    }
    if (!this.#has(r)) return;
    const before = r[previousLive];
    const after = r[nextLive];
    if (before === undefined) this.#first = after;
    else before[nextLive] = after;
    if (after !== undefined) after[previousLive] = before;
    r[previousLive] = undefined;
    r[nextLive] = undefined;
    this.#connections -= 1;
  }

  clear(): void {
    this.#others.clear();
    while (this.#first !== undefined) this.delete(this.#first);
  }

  /** Iterate over a copy: members may leave (or join) while the caller works through them. */
  [Symbol.iterator](): Iterator<Tracked> {
    const all: Tracked[] = [...this.#others];
    for (let c = this.#first; c !== undefined; c = c[nextLive]) all.push(c);
    return all[Symbol.iterator]();
  }

  /** In this list: linked to another member, or its only member. */
  #has(c: LiveConnection): boolean {
    return c[previousLive] !== undefined || this.#first === c;
  }
}
