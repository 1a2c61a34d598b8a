import type { Address, IProtocol } from '../interfaces.js';
import { PumpLimitExceededError, TorsionRangeError, TorsionTypeError } from '../errors.js';
import { PairedTransport } from './paired-transport.js';

/** A clock the pump can move: a `Clock` or a `MemoryReactorClock`. */
export interface PumpClock {
  advance(seconds: number): void;
}

/** Options for {@link connectedPair}. */
export interface ConnectedPairOptions {
  /** The server end's own address (default TCP 127.0.0.1:1234); the client sees it as its peer. */
  serverAddress?: Address;
  /** The client end's own address (default TCP 127.0.0.1:12345); the server sees it as its peer. */
  clientAddress?: Address;
  /**
   * A clock advanced by 0 seconds at the start of every pump round, so calls scheduled for "now"
   * run as the bytes move; {@link Pump.advance} moves it further.
   */
  clock?: PumpClock;
  /** Rounds `flush()` may run before it gives up with `PumpLimitExceededError` (default 1000). */
  maxRounds?: number;
  /** The largest chunk handed to one `dataReceived` call (default: everything queued at once). */
  chunkSize?: number;
  /** Flush once right after both ends are connected, so greetings are exchanged (default true). */
  flush?: boolean;
}

/**
 * Moves bytes between the two ends of a {@link connectedPair}. Nothing moves on its own: call
 * {@link flush} (or {@link advance} with a clock) and check what the protocols did.
 *
 * @example
 * ```ts
 * const clock = new Clock();
 * const { client, pump } = connectedPair(new Server(), new Client(), { clock });
 * client.transport.write('PING\n');
 * pump.flush();        // until both ends are quiet
 * pump.advance(30);    // 30 s pass (timeouts fire), then flush
 * ```
 */
export class Pump {
  readonly #client: PairedTransport;
  readonly #server: PairedTransport;
  readonly #clock: PumpClock | undefined;
  readonly #maxRounds: number;

  constructor(client: PairedTransport, server: PairedTransport, clock: PumpClock | undefined, maxRounds: number) {
    this.#client = client;
    this.#server = server;
    this.#clock = clock;
    this.#maxRounds = maxRounds;
  }

  /**
   * One round: advance the clock by 0 (if any), move the client's queued bytes to the server and
   * the server's to the client, then the events that follow (producers, EOF, close).
   * Returns whether anything happened.
   */
  step(): boolean {
    this.#clock?.advance(0);
    const fromClient = this.#client.step();
    const fromServer = this.#server.step();
    return fromClient || fromServer;
  }

  /**
   * Run rounds until one moves nothing; returns whether anything moved at all. Exceptions thrown
   * by protocol callbacks propagate to the caller (a real reactor would log them and drop the
   * connection). Throws `PumpLimitExceededError` if the ends are still talking after `maxRounds`.
   */
  flush(): boolean {
    let moved = false;
    for (let round = 0; round < this.#maxRounds; round++) {
      if (!this.step()) return moved;
      moved = true;
    }
    throw new PumpLimitExceededError(
      `The in-memory pump still moved bytes after ${this.#maxRounds} rounds: the protocols may answer each other forever. ` +
        'Fix the loop, or pass a larger maxRounds to connectedPair() if the exchange is really that long.',
    );
  }

  /** Advance the clock by `seconds`, then {@link flush}. Needs the `clock` option. */
  advance(seconds: number): boolean {
    if (this.#clock === undefined) {
      throw new TorsionTypeError('Pump.advance() needs a clock: pass { clock: new Clock() } to connectedPair().');
    }
    this.#clock.advance(seconds);
    return this.flush();
  }
}

/** Two protocols joined in memory, as returned by {@link connectedPair}. */
export interface ConnectedPair<S extends IProtocol, C extends IProtocol> {
  readonly server: S;
  readonly client: C;
  readonly serverTransport: PairedTransport;
  readonly clientTransport: PairedTransport;
  readonly pump: Pump;
}

/**
 * Join a server protocol and a client protocol with in-memory transports, the way a TCP
 * connection would, and return them with the {@link Pump} that moves bytes between them.
 *
 * Both ends get `makeConnection()` (server first); then, unless `flush: false`, the pump is
 * flushed once. Afterwards nothing moves until you call `pump.flush()`: each end's writes are
 * queued, and a flush delivers them in as few `dataReceived` calls as possible (or in pieces of
 * `chunkSize`), honours paused reading and write-buffer water marks, and delivers EOF and
 * `connectionLost` the way a socket would: `loseConnection()` sends what is queued, then both
 * ends see `ConnectionDone`; `abortConnection()` drops it, the aborting end sees
 * `ConnectionAborted` and the other `ConnectionLost`.
 *
 * @example
 * ```ts
 * import { connectedPair } from '@torsion/reactor/testing';
 *
 * const { server, client, pump } = connectedPair(new EchoServer(), new EchoClient());
 * client.transport.write('ping');
 * pump.flush();               // server got 'ping', echoed it, client got 'ping'
 * client.transport.loseConnection();
 * pump.flush();               // both ends saw connectionLost(ConnectionDone)
 * ```
 */
export function connectedPair<S extends IProtocol, C extends IProtocol>(
  server: S,
  client: C,
  options: ConnectedPairOptions = {},
): ConnectedPair<S, C> {
  const maxRounds = options.maxRounds ?? 1000;
  if (!Number.isInteger(maxRounds) || maxRounds < 1) {
    throw new TorsionRangeError(`connectedPair() needs maxRounds to be a whole number >= 1, got ${String(maxRounds)}.`);
  }
  const chunkSize = options.chunkSize ?? Infinity;
  if (!(chunkSize >= 1) || (chunkSize !== Infinity && !Number.isInteger(chunkSize))) {
    throw new TorsionRangeError(`connectedPair() needs chunkSize to be a whole number of bytes >= 1, got ${String(chunkSize)}.`);
  }
  const serverAddress = options.serverAddress ?? { type: 'TCP', host: '127.0.0.1', port: 1234 };
  const clientAddress = options.clientAddress ?? { type: 'TCP', host: '127.0.0.1', port: 12345 };
  const serverTransport = new PairedTransport(server, serverAddress, clientAddress, chunkSize);
  const clientTransport = new PairedTransport(client, clientAddress, serverAddress, chunkSize);
  PairedTransport.pair(serverTransport, clientTransport);
  const pump = new Pump(clientTransport, serverTransport, options.clock, maxRounds);
  void server.makeConnection(serverTransport);
  void client.makeConnection(clientTransport);
  if (options.flush !== false) pump.flush();
  return { server, client, serverTransport, clientTransport, pump };
}
