// A tiny client for the key-value server: each method sends one request and resolves with its
// reply. Requests may be pipelined; the server answers them in order.
import { ClientFactory, NetstringReceiver } from '@torsion/protocols';
import { ConnectionDone, TorsionError } from '@torsion/reactor';
import type { IConnector, IReactorTCP } from '@torsion/reactor';
import { DEFAULT_LIMITS, maxRequestLength } from './server.js';

/** The server answered `ERR <CODE> <message>`; `code` is `ERR_KV_<CODE>` (`ERR_KV_STORE_FULL`...). */
export class KVError extends TorsionError {
  /** The server's code, such as `STORE_FULL`. */
  readonly serverCode: string;
  constructor(serverCode: string, message: string) {
    super(`ERR_KV_${serverCode}`, `The key-value server refused the request: ${message} (${serverCode}).`);
    this.serverCode = serverCode;
  }
}

// Keys travel as latin1 bytes: one byte per character, no spaces (they separate the arguments).
function checkKey(key: string): string {
  if (key.length === 0 || key.includes(' ') || /[^\x00-\xff]/.test(key)) {
    throw new TypeError(`Invalid key ${JSON.stringify(key)}: keys are 1 or more latin1 characters without spaces.`);
  }
  return key;
}

interface Pending {
  resolve(reply: Buffer): void;
  reject(err: Error): void;
}

/** The client side of one connection. Get one with {@link connectKV}. */
export class KVClient extends NetstringReceiver {
  // Replies carry a value as large as the biggest request the server takes, plus "VALUE ".
  override MAX_LENGTH = maxRequestLength(DEFAULT_LIMITS) + 6;
  readonly #pending: Pending[] = [];
  #lost: Error | undefined = undefined;
  #closed: Array<() => void> = [];

  /** Store `value` under `key`. */
  async set(key: string, value: Uint8Array | string): Promise<void> {
    const v = typeof value === 'string' ? Buffer.from(value) : value;
    await this.#request(Buffer.concat([Buffer.from(`SET ${checkKey(key)} `, 'latin1'), v]));
  }

  /** The value under `key`, or undefined. */
  async get(key: string): Promise<Buffer | undefined> {
    const reply = await this.#request(Buffer.from(`GET ${checkKey(key)}`, 'latin1'));
    return reply.toString('latin1', 0, 9) === 'NOT_FOUND' ? undefined : reply.subarray(6);
  }

  /** Delete `key`; true if it existed. */
  async del(key: string): Promise<boolean> {
    const reply = await this.#request(Buffer.from(`DEL ${checkKey(key)}`, 'latin1'));
    return reply.toString('latin1') === 'DELETED';
  }

  /** Close the connection once the replies already asked for have arrived. */
  close(): Promise<void> {
    if (!this.connected) return Promise.resolve();
    return new Promise((resolve) => {
      this.#closed.push(resolve);
      if (this.#pending.length === 0) this.transport.loseConnection();
    });
  }

  override connectionMade(): void {
    if (this.factory instanceof KVClientFactory) this.factory.onMade(this);
  }

  override stringReceived(reply: Buffer): void {
    const pending = this.#pending.shift();
    if (pending === undefined) {
      this.transport.loseConnection();
      return;
    }
    if (reply.toString('latin1', 0, 4) === 'ERR ') {
      const text = reply.toString('utf8', 4);
      const sp = text.indexOf(' ');
      pending.reject(new KVError(sp < 0 ? text : text.slice(0, sp), sp < 0 ? '' : text.slice(sp + 1)));
    } else {
      pending.resolve(Buffer.from(reply));
    }
    if (this.#pending.length === 0 && this.#closed.length > 0) this.transport.loseConnection();
  }

  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.#lost = reason;
    for (const p of this.#pending.splice(0)) p.reject(reason);
    for (const resolve of this.#closed.splice(0)) resolve();
  }

  #request(request: Buffer): Promise<Buffer> {
    if (this.#lost !== undefined || !this.connected) return Promise.reject(this.#lost ?? new ConnectionDone('Not connected to the key-value server.'));
    // sendString throws StringTooLongError for requests the server would refuse.
    this.sendString(request);
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }
}

class KVClientFactory extends ClientFactory {
  override protocol = KVClient;
  constructor(
    readonly onMade: (client: KVClient) => void,
    readonly onFailed: (reason: Error) => void,
  ) {
    super();
  }
  override clientConnectionFailed(_connector: IConnector, reason: Error): void {
    this.onFailed(reason);
  }
}

/**
 * Connect to a key-value server.
 *
 * @example
 * ```ts
 * const kv = await connectKV(reactor, '127.0.0.1', 7070);
 * await kv.set('greeting', 'hello');
 * console.log((await kv.get('greeting'))?.toString());
 * await kv.close();
 * ```
 */
export function connectKV(reactor: IReactorTCP, host: string, port: number): Promise<KVClient> {
  return new Promise((resolve, reject) => {
    reactor.connectTCP(host, port, new KVClientFactory(resolve, reject));
  });
}
