// Shared pieces of the real-socket transport tests: a reactor per test, recording protocols,
// raw node:net peers, and a cleanup list so every test closes what it opened.
import * as net from 'node:net';
import { Reactor, setLogObserver, type IListeningPort, type LogEvent, type IConnector } from '@torsion/reactor';
import { ClientFactory, Factory, Protocol } from '@torsion/protocols';

/** A promise with its resolve function exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Everything a test opened, closed in afterEach. */
export class Cleanup {
  readonly #ports: IListeningPort[] = [];
  readonly #sockets: net.Socket[] = [];
  readonly #servers: net.Server[] = [];
  readonly #connectors: IConnector[] = [];
  #logRestore: (() => void) | undefined;
  readonly logged: LogEvent[] = [];

  port<P extends IListeningPort>(p: P): P {
    this.#ports.push(p);
    return p;
  }
  socket(s: net.Socket): net.Socket {
    this.#sockets.push(s);
    return s;
  }
  server(s: net.Server): net.Server {
    this.#servers.push(s);
    return s;
  }
  connector(c: IConnector): IConnector {
    this.#connectors.push(c);
    return c;
  }
  /** Capture the framework's log for this test (and keep it off the console). */
  captureLog(): LogEvent[] {
    const previous = setLogObserver((e) => this.logged.push(e));
    this.#logRestore = () => setLogObserver(previous);
    return this.logged;
  }

  async run(): Promise<void> {
    for (const c of this.#connectors) c.disconnect();
    for (const s of this.#sockets) s.destroy();
    await Promise.all(this.#ports.map((p) => p.stopListening()));
    await Promise.all(this.#servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    // Let close events of destroyed sockets run before the next test.
    await new Promise((r) => setImmediate(r));
    this.#logRestore?.();
  }
}

export function newReactor(): Reactor {
  return new Reactor({ installSignalHandlers: false });
}

/** A protocol that records what happens to it. */
export class Recorder extends Protocol {
  readonly chunks: Buffer[] = [];
  readonly events: string[] = [];
  readonly made = deferred<void>();
  readonly lost = deferred<Error>();
  readonly eof = deferred<void>();
  keepOpenOnEof = false;
  #waiters: Array<{ n: number; d: Deferred<Buffer> }> = [];

  override connectionMade(): void {
    this.events.push('connectionMade');
    this.made.resolve();
  }
  override dataReceived(data: Buffer): void {
    this.chunks.push(data);
    const total = this.received().length;
    this.#waiters = this.#waiters.filter((w) => {
      if (total >= w.n) w.d.resolve(this.received());
      return total < w.n;
    });
  }
  override eofReceived(): boolean {
    this.events.push('eofReceived');
    this.eof.resolve();
    return this.keepOpenOnEof;
  }
  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.events.push('connectionLost');
    this.lost.resolve(reason);
  }
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }
  /** Resolves once at least `n` bytes have arrived. */
  receivedAtLeast(n: number): Promise<Buffer> {
    if (this.received().length >= n) return Promise.resolve(this.received());
    const d = deferred<Buffer>();
    this.#waiters.push({ n, d });
    return d.promise;
  }
}

/** Echoes what it receives. */
export class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/** A server factory that hands out the protocols it builds, in order. */
export class RecordingFactory<P extends Protocol> extends Factory {
  readonly built: P[] = [];
  readonly #next: Array<Deferred<P>> = [];
  readonly #make: () => P;

  constructor(make: () => P) {
    super();
    this.#make = make;
  }
  override buildProtocol(): P {
    const p = this.#make();
    p.factory = this;
    this.built.push(p);
    const w = this.#next.shift();
    w?.resolve(p);
    return p;
  }
  /** The protocol of the next connection (or one already built and not yet taken). */
  nextProtocol(index = this.built.length): Promise<P> {
    if (index < this.built.length) return Promise.resolve(this.built[index]!);
    const d = deferred<P>();
    this.#next.push(d);
    return d.promise;
  }
}

/** A client factory recording every callback, in order. */
export class RecordingClientFactory<P extends Protocol> extends ClientFactory {
  readonly events: string[] = [];
  readonly protocols: P[] = [];
  readonly failed = deferred<Error>();
  readonly lostReason = deferred<Error>();
  readonly stopped = deferred<void>();
  readonly #make: () => P;

  constructor(make: () => P) {
    super();
    this.#make = make;
  }
  override startFactory(): void {
    this.events.push('startFactory');
  }
  override stopFactory(): void {
    this.events.push('stopFactory');
    this.stopped.resolve();
  }
  override startedConnecting(): void {
    this.events.push('startedConnecting');
  }
  override buildProtocol(): P {
    this.events.push('buildProtocol');
    const p = this.#make();
    p.factory = this;
    this.protocols.push(p);
    return p;
  }
  override clientConnectionFailed(_c: IConnector, reason: Error): void {
    this.events.push('clientConnectionFailed');
    this.failed.resolve(reason);
  }
  override clientConnectionLost(_c: IConnector, reason: Error): void {
    this.events.push('clientConnectionLost');
    this.lostReason.resolve(reason);
  }
}

/** Connect a raw node:net client to 127.0.0.1:port. */
export function rawConnect(port: number, cleanup: Cleanup): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = cleanup.socket(net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }));
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything a raw socket receives until the peer closes its side. */
export function readToEnd(s: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.once('end', () => resolve(Buffer.concat(chunks)));
    s.once('error', reject);
  });
}

/** Resolves once a raw socket has received at least `n` bytes (it keeps collecting). */
export function readAtLeast(s: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (c: Buffer): void => {
      chunks.push(c);
      total += c.length;
      if (total >= n) {
        s.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    s.on('data', onData);
    s.once('error', reject);
  });
}

/** Resolves when the peer of a raw socket has closed its side (EOF, reset) or the socket closed. */
export function closed(s: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.closed || s.readableEnded) resolve();
    else {
      s.once('end', () => resolve());
      s.once('close', () => resolve());
      s.resume();
    }
  });
}

/** Deterministic pseudo-random bytes. */
export function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
