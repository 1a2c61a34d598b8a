import { expect } from 'chai';
import * as net from 'node:net';
import { ConnectionDone, Reactor, setLogObserver, type IListeningPort, type LogEvent, type TCPAddress } from '@torsion/reactor';
import { StringTooLongError } from '@torsion/protocols';
import { RpcClient, connectRpc } from '../src/client.js';
import { RpcServerFactory, RpcServerProtocol, type RpcMethod } from '../src/server.js';
import { RpcError, RpcProtocolError } from '../src/wire.js';

interface Gate {
  promise: Promise<unknown>;
  open(value?: unknown): void;
}
function gate(): Gate {
  let open!: (value?: unknown) => void;
  const promise = new Promise<unknown>((r) => { open = r; });
  return { promise, open };
}

function frame(json: string | Buffer): Buffer {
  const body = typeof json === 'string' ? Buffer.from(json) : json;
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('int32-rpc example over TCP', () => {
  let reactor: Reactor;
  let port: IListeningPort | undefined;
  let portNumber: number;
  let factory: RpcServerFactory;
  const clients: RpcClient[] = [];
  const sockets: net.Socket[] = [];
  let logged: LogEvent[];
  let restoreLog: () => void;

  async function serve(methods: Record<string, RpcMethod>, maxInFlight?: number): Promise<void> {
    factory = new RpcServerFactory(methods, maxInFlight === undefined ? {} : { maxInFlight });
    port = await reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
    portNumber = (port.getHost() as TCPAddress).port;
  }
  async function client(): Promise<RpcClient> {
    const c = await connectRpc(reactor, '127.0.0.1', portNumber);
    clients.push(c);
    return c;
  }
  /** Raw bytes in; the replies (decoded) out, once `count` have arrived or the server closed. */
  function raw(bytes: Buffer, count: number): Promise<{ replies: unknown[]; closed: boolean }> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: portNumber });
      sockets.push(s);
      let buf = Buffer.alloc(0);
      const replies: unknown[] = [];
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
          const n = buf.readUInt32BE(0);
          replies.push(JSON.parse(buf.subarray(4, 4 + n).toString()));
          buf = buf.subarray(4 + n);
        }
        if (replies.length >= count) resolve({ replies, closed: false });
      });
      s.once('close', () => resolve({ replies, closed: true }));
      s.once('error', reject);
      s.write(bytes);
    });
  }

  beforeEach(() => {
    reactor = new Reactor({ installSignalHandlers: false });
    logged = [];
    const previous = setLogObserver((e) => logged.push(e));
    restoreLog = () => setLogObserver(previous);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const s of sockets.splice(0)) s.destroy();
    await port?.stopListening();
    port = undefined;
    restoreLog();
  });

  it('calls methods and returns their results', async () => {
    await serve({ add: (p) => (p as number[]).reduce((a, b) => a + b, 0), echo: (p) => p, nothing: () => undefined });
    const rpc = await client();
    expect(await rpc.call('add', [1, 2, 3])).to.equal(6);
    expect(await rpc.call('echo', { a: [1, 'é', null] })).to.deep.equal({ a: [1, 'é', null] });
    expect(await rpc.call('nothing')).to.equal(null);
    expect(rpc.pendingCalls).to.equal(0);
  });

  it('matches replies to calls by id when they finish out of order', async () => {
    const gates = [gate(), gate(), gate()];
    await serve({ wait: (i) => gates[i as number]!.promise });
    const rpc = await client();
    const calls = [0, 1, 2].map((i) => rpc.call('wait', i));
    const order: number[] = [];
    calls.forEach((c, i) => void c.then(() => order.push(i)));
    gates[2]!.open('two');
    expect(await calls[2]).to.equal('two');
    gates[0]!.open('zero');
    gates[1]!.open('one');
    expect(await Promise.all(calls)).to.deep.equal(['zero', 'one', 'two']);
    expect(order[0]).to.equal(2);
  });

  it('sends typed error replies: unknown method, method error, internal error', async () => {
    await serve({
      picky: () => { throw new RpcError('INVALID_PARAMS', 'picky wants nothing'); },
      broken: () => Promise.reject(new Error('secret details')),
    });
    const rpc = await client();
    const notFound = await rejection(rpc.call('nope'));
    expect(notFound).to.be.instanceOf(RpcError);
    expect((notFound as RpcError).code).to.equal('ERR_RPC_METHOD_NOT_FOUND');
    const invalid = (await rejection(rpc.call('picky'))) as RpcError;
    expect(invalid.rpcCode).to.equal('INVALID_PARAMS');
    expect(invalid.message).to.equal('picky wants nothing');
    const internal = (await rejection(rpc.call('broken'))) as RpcError;
    expect(internal.rpcCode).to.equal('INTERNAL_ERROR');
    expect(internal.message).to.not.include('secret');
    expect(logged.some((e) => e.level === 'error' && (e.error as Error).message === 'secret details')).to.equal(true);
    expect(await rejection(rpc.call('toString'))).to.have.property('code', 'ERR_RPC_METHOD_NOT_FOUND');
  });

  it('answers unreadable requests with id null and keeps the connection', async () => {
    await serve({ echo: (p) => p });
    const { replies, closed } = await raw(
      Buffer.concat([frame('{nope'), frame('{"method":"echo"}'), frame('{"id":3,"method":"echo","params":"ok"}')]),
      3,
    );
    expect(closed).to.equal(false);
    expect(replies).to.deep.equal([
      { id: null, error: { code: 'PARSE_ERROR', message: 'The request is not valid JSON.' } },
      { id: null, error: { code: 'INVALID_REQUEST', message: 'A request is {"id": <integer>, "method": <string>, "params"?: <any>}.' } },
      { id: 3, result: 'ok' },
    ]);
  });

  it('drops a peer that announces a message over the limit', async () => {
    await serve({ echo: (p) => p });
    const head = Buffer.alloc(4);
    head.writeUInt32BE(2 * 1024 * 1024);
    const { replies, closed } = await raw(head, 1);
    expect(closed).to.equal(true);
    expect(replies).to.deep.equal([]);
  });

  it('refuses on the client a request over the limit, and stays usable', async () => {
    await serve({ echo: (p) => p });
    const rpc = await client();
    expect(await rejection(rpc.call('echo', 'x'.repeat(1024 * 1024)))).to.be.instanceOf(StringTooLongError);
    expect(await rpc.call('echo', 'small')).to.equal('small');
  });

  it('replaces a result too large to send with a RESULT_TOO_LARGE error', async () => {
    await serve({ big: () => 'y'.repeat(2 * 1024 * 1024) });
    const rpc = await client();
    expect(await rejection(rpc.call('big'))).to.have.property('rpcCode', 'RESULT_TOO_LARGE');
  });

  it('rejects calls in progress when the connection is lost', async () => {
    const hang = gate();
    await serve({ hang: () => hang.promise });
    const rpc = await client();
    const call = rpc.call('hang');
    await rpc.close();
    expect(await rejection(call)).to.be.instanceOf(ConnectionDone);
    expect(await rejection(rpc.call('hang'))).to.be.instanceOf(ConnectionDone);
    hang.open();
  });

  it('drops a server that sends replies to no call, with RpcProtocolError', async () => {
    const server = net.createServer((s) => {
      sockets.push(s);
      s.write(frame('{"id":999,"result":1}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const rpc = await connectRpc(reactor, '127.0.0.1', (server.address() as net.AddressInfo).port);
      clients.push(rpc);
      const err = await rejection(rpc.call('anything'));
      expect(err).to.be.instanceOf(RpcProtocolError);
    } finally {
      const done = new Promise<void>((r) => server.close(() => r()));
      for (const sock of sockets.splice(0)) sock.destroy();
      await done;
    }
  });

  it('stops reading from a connection with maxInFlight calls running, and resumes as they finish', async () => {
    const events: string[] = [];
    const gates = [gate(), gate(), gate()];
    const started = [gate(), gate(), gate()];
    await serve(
      {
        work: (i) => {
          const n = i as number;
          events.push(`start ${n}`);
          started[n]!.open();
          return gates[n]!.promise.then(() => events.push(`end ${n}`));
        },
      },
      2,
    );
    const rpc = await client();
    const calls = [0, 1, 2].map((i) => rpc.call('work', i));
    await Promise.all([started[0]!.promise, started[1]!.promise]);
    gates[0]!.open();
    await calls[0];
    await started[2]!.promise;
    gates[1]!.open();
    gates[2]!.open();
    await Promise.all(calls);
    expect(events.slice(0, 4)).to.deep.equal(['start 0', 'start 1', 'end 0', 'start 2']);
  });

  // A client that sends requests and never reads its replies must not make the server queue
  // them without bound: above the write buffer's high-water mark the server stops reading.
  const result = 'y'.repeat(400);
  for (const [kind, request, reply] of [
    ['unreadable requests', frame('{nope'), { id: null, error: { code: 'PARSE_ERROR', message: 'The request is not valid JSON.' } }],
    ['calls', frame('{"id":1,"method":"big"}'), { id: 1, result }],
  ] as const) {
    it(`stops reading from a client that sends ${kind} and reads no replies, and resumes when it reads`, async function () {
      this.timeout(20000);
      const HIGH = 64 * 1024; // the transport's default high-water mark
      const count = 100_000; // over 8 MB of replies: far more than the sockets' kernel buffers take
      let server!: RpcServerProtocol;
      let largest = 0;
      let settled!: () => void;
      const stuck = new Promise<void>((resolve) => { settled = resolve; });
      class Watched extends RpcServerProtocol {
        override sendString(data: string | Uint8Array): void {
          super.sendString(data);
          server = this;
          largest = Math.max(largest, this.transport.getWriteBufferSize());
          if (largest > 16 * HIGH) settled(); // far past the mark: no need to wait for more
        }
        override pauseWriting(): void {
          super.pauseWriting();
          // A turn of the loop later the queue has gone to the kernel as far as it could: if
          // the server is still not reading then, the kernel's buffers are full too.
          setImmediate(() => {
            if (!this.transport.isReading()) settled();
          });
        }
      }
      await serve({ big: () => result });
      factory.protocol = Watched;
      const s = net.connect({ host: '127.0.0.1', port: portNumber });
      sockets.push(s);
      s.pause(); // read nothing yet
      s.write(Buffer.concat(Array.from({ length: count }, () => request)));
      await stuck;
      expect(server.transport.isReading(), 'reading from the client').to.equal(false);
      // Reading the replies lets the server go on: every request is answered, and the queue
      // stayed near the mark all along (the mark plus the replies of the calls running).
      const expected = frame(JSON.stringify(reply)).length * count;
      let received = 0;
      await new Promise<void>((resolve) => {
        s.on('data', (c: Buffer) => {
          received += c.length;
          if (received >= expected) resolve();
        });
        s.resume();
      });
      expect(received).to.equal(expected);
      expect(largest, 'bytes queued for the client').to.be.below(2 * HIGH);
    });
  }
});
