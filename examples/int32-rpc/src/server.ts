// The RPC server: each request runs its method (which may be async); replies go out as they
// finish, matched by id. At most `maxInFlight` requests per connection run at once: past that,
// the server stops reading from the connection until one finishes (backpressure instead of an
// unbounded queue). Replies get the same treatment: when a client does not read them and they
// pile up past the transport's high-water mark (pauseWriting), the server stops reading its
// requests until they drain (resumeWriting).
import { Int32StringReceiver, ServerFactory } from '@torsion/protocols';
import { log } from '@torsion/reactor';
import { MAX_MESSAGE_LENGTH, RpcError, isId, isObject } from './wire.js';
import type { RpcReply } from './wire.js';

/** A method: takes the request's params, returns (or resolves to) a JSON-serialisable result. */
export type RpcMethod = (params: unknown) => unknown;

/** Serves one connection; the methods live on the factory. */
export class RpcServerProtocol extends Int32StringReceiver {
  declare factory: RpcServerFactory;
  override MAX_LENGTH = MAX_MESSAGE_LENGTH;
  #inFlight = 0;
  /** True between pauseWriting() and resumeWriting(): the client is not taking its replies. */
  #writePaused = false;

  override stringReceived(data: Buffer): void {
    let request: unknown;
    try {
      request = JSON.parse(data.toString('utf8'));
    } catch {
      return this.#reply({ id: null, error: { code: 'PARSE_ERROR', message: 'The request is not valid JSON.' } });
    }
    if (!isObject(request) || !isId(request.id) || typeof request.method !== 'string') {
      const id = isObject(request) && isId(request.id) ? request.id : null;
      return this.#reply({ id, error: { code: 'INVALID_REQUEST', message: 'A request is {"id": <integer>, "method": <string>, "params"?: <any>}.' } });
    }
    const { id, method, params } = request;
    const methods = this.factory.methods;
    const fn = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (fn === undefined) {
      return this.#reply({ id, error: { code: 'METHOD_NOT_FOUND', message: `There is no method ${JSON.stringify(method)}.` } });
    }
    this.#inFlight += 1;
    if (this.#inFlight >= this.factory.maxInFlight) this.transport.pauseProducing();
    new Promise<unknown>((resolve) => resolve(fn(params))).then(
      (result) => this.#finish({ id, result: result ?? null }),
      (err: unknown) => {
        if (err instanceof RpcError) return this.#finish({ id, error: { code: err.rpcCode, message: err.message } });
        log.error(`${this.logPrefix()}: RPC method ${method} failed`, err);
        this.#finish({ id, error: { code: 'INTERNAL_ERROR', message: `The method ${method} failed; see the server's log.` } });
      },
    );
  }

  #finish(reply: RpcReply): void {
    this.#inFlight -= 1;
    this.#reply(reply);
    this.#resumeIfAllowed();
  }

  // Replies queued past the high-water mark: read no more requests (each would add a reply),
  // so what a client that never reads can make the server hold stays at the mark plus the
  // replies of the calls already running (at most maxInFlight).
  override pauseWriting(): void {
    this.#writePaused = true;
    this.transport.pauseProducing();
  }

  override resumeWriting(): void {
    this.#writePaused = false;
    this.#resumeIfAllowed();
  }

  /** Read again unless too many requests are running or the replies are not being taken. */
  #resumeIfAllowed(): void {
    if (this.#inFlight < this.factory.maxInFlight && !this.#writePaused && this.connected) this.transport.resumeProducing();
  }

  #reply(reply: RpcReply): void {
    if (!this.connected || this.transport.disconnecting) return;
    let text: string;
    try {
      text = JSON.stringify(reply);
    } catch {
      text = JSON.stringify({ id: reply.id, error: { code: 'INTERNAL_ERROR', message: 'The result cannot be sent as JSON.' } });
    }
    if (Buffer.byteLength(text) > this.MAX_LENGTH) {
      text = JSON.stringify({ id: reply.id, error: { code: 'RESULT_TOO_LARGE', message: `The result is over ${this.MAX_LENGTH} bytes.` } });
    }
    this.sendString(text);
  }
}

/** Holds the methods; builds an {@link RpcServerProtocol} per connection. */
export class RpcServerFactory extends ServerFactory {
  override protocol = RpcServerProtocol;
  readonly methods: Readonly<Record<string, RpcMethod>>;
  /** Requests run at once per connection before the server stops reading from it. */
  readonly maxInFlight: number;

  constructor(methods: Record<string, RpcMethod>, options: { maxInFlight?: number } = {}) {
    super();
    this.methods = { ...methods };
    this.maxInFlight = options.maxInFlight ?? 64;
    if (!Number.isSafeInteger(this.maxInFlight) || this.maxInFlight < 1) {
      throw new RangeError(`RpcServerFactory: maxInFlight must be a positive integer, got ${String(options.maxInFlight)}.`);
    }
  }
}
