// The RPC client: call(method, params) sends a request with a fresh id and resolves with the
// reply that carries that id, whatever order replies come back in.
import { ClientFactory, Int32StringReceiver } from '@torsion/protocols';
import { ConnectionDone } from '@torsion/reactor';
import type { IConnector, IReactorTCP } from '@torsion/reactor';
import { MAX_MESSAGE_LENGTH, RpcError, RpcProtocolError, isId, isObject } from './wire.js';

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
}

/** One connection to an RPC server. Get one with {@link connectRpc}. */
export class RpcClient extends Int32StringReceiver {
  override MAX_LENGTH = MAX_MESSAGE_LENGTH;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #lost: Error | undefined = undefined;
  #closed: Array<() => void> = [];

  /**
   * Call `method` with `params`. Resolves with its result; rejects with `RpcError` for an error
   * reply, `StringTooLongError` for a request over the size limit, or the connection's end reason.
   */
  call(method: string, params?: unknown): Promise<unknown> {
    if (this.#lost !== undefined || !this.connected) {
      return Promise.reject(this.#lost ?? new ConnectionDone('Not connected to the RPC server.'));
    }
    const id = this.#nextId++;
    try {
      this.sendString(JSON.stringify({ id, method, params }));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  /** How many calls await their reply. */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /** Close the connection (calls still waiting reject with `ConnectionDone`). */
  close(): Promise<void> {
    if (!this.connected) return Promise.resolve();
    return new Promise((resolve) => {
      this.#closed.push(resolve);
      this.transport.loseConnection();
    });
  }

  override connectionMade(): void {
    if (this.factory instanceof RpcClientFactory) this.factory.onMade(this);
  }

  override stringReceived(data: Buffer): void {
    let reply: unknown;
    try {
      reply = JSON.parse(data.toString('utf8'));
    } catch {
      return this.#violation('A reply is not valid JSON');
    }
    if (!isObject(reply) || !isId(reply.id) || !this.#pending.has(reply.id)) {
      return this.#violation('A reply has no id of a call in progress');
    }
    const pending = this.#pending.get(reply.id)!;
    this.#pending.delete(reply.id);
    const error = reply.error;
    if (isObject(error)) pending.reject(new RpcError(String(error.code), String(error.message)));
    else pending.resolve(reply.result);
  }

  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.#lost ??= reason;
    for (const p of this.#pending.values()) p.reject(this.#lost);
    this.#pending.clear();
    for (const resolve of this.#closed.splice(0)) resolve();
  }

  #violation(what: string): void {
    this.#lost = new RpcProtocolError(what);
    this.transport.loseConnection();
  }
}

class RpcClientFactory extends ClientFactory {
  override protocol = RpcClient;
  constructor(
    readonly onMade: (client: RpcClient) => void,
    readonly onFailed: (reason: Error) => void,
  ) {
    super();
  }
  override clientConnectionFailed(_connector: IConnector, reason: Error): void {
    this.onFailed(reason);
  }
}

/**
 * Connect to an RPC server.
 *
 * @example
 * ```ts
 * const rpc = await connectRpc(reactor, '127.0.0.1', 7071);
 * console.log(await rpc.call('add', [2, 3])); // 5
 * await rpc.close();
 * ```
 */
export function connectRpc(reactor: IReactorTCP, host: string, port: number): Promise<RpcClient> {
  return new Promise((resolve, reject) => {
    reactor.connectTCP(host, port, new RpcClientFactory(resolve, reject));
  });
}
