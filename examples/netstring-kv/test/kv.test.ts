import { expect } from 'chai';
import * as net from 'node:net';
import { Reactor, type IListeningPort, type TCPAddress } from '@torsion/reactor';
import { StringTooLongError } from '@torsion/protocols';
import { KVClient, KVError, connectKV } from '../src/client.js';
import { KVServerFactory, KVServerProtocol, type KVLimits } from '../src/server.js';

/** Split a run of netstrings (as text) into their payloads. */
function netstrings(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    const n = Number(text.slice(i, colon));
    out.push(text.slice(colon + 1, colon + 1 + n));
    expect(text[colon + 1 + n]).to.equal(',');
    i = colon + 2 + n;
  }
  return out;
}

describe('netstring-kv example over TCP', () => {
  let reactor: Reactor;
  let port: IListeningPort;
  let portNumber: number;
  let factory: KVServerFactory;
  const clients: KVClient[] = [];
  const sockets: net.Socket[] = [];

  async function start(limits: Partial<KVLimits> = {}): Promise<void> {
    factory = new KVServerFactory(limits);
    port = await reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
    portNumber = (port.getHost() as TCPAddress).port;
  }
  async function client(): Promise<KVClient> {
    const c = await connectKV(reactor, '127.0.0.1', portNumber);
    clients.push(c);
    return c;
  }
  /** Send raw bytes and collect everything until the server closes. */
  function raw(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: portNumber });
      sockets.push(s);
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.once('end', () => resolve(Buffer.concat(chunks).toString()));
      s.once('error', reject);
      s.write(bytes);
    });
  }

  beforeEach(async () => {
    reactor = new Reactor({ installSignalHandlers: false });
    await start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const s of sockets.splice(0)) s.destroy();
    await port.stopListening();
  });

  it('sets, gets and deletes keys', async () => {
    const kv = await client();
    expect(await kv.get('a')).to.equal(undefined);
    await kv.set('a', 'one');
    expect((await kv.get('a'))?.toString()).to.equal('one');
    await kv.set('a', 'two');
    expect((await kv.get('a'))?.toString()).to.equal('two');
    expect(await kv.del('a')).to.equal(true);
    expect(await kv.del('a')).to.equal(false);
    expect(await kv.get('a')).to.equal(undefined);
  });

  it('keeps binary values with spaces, commas and newlines intact', async () => {
    const kv = await client();
    const value = Buffer.from([0, 0x20, 0x2c, 0x3a, 0x0a, 0xff, 0x20]);
    await kv.set('bin', value);
    expect((await kv.get('bin'))?.equals(value)).to.equal(true);
    await kv.set('empty', '');
    expect((await kv.get('empty'))?.length).to.equal(0);
  });

  it('answers pipelined requests in order, and shares the store between connections', async () => {
    const kv = await client();
    const results = await Promise.all([kv.set('x', '1'), kv.get('x'), kv.set('x', '2'), kv.get('x'), kv.del('x')]);
    expect(results.map((r) => (Buffer.isBuffer(r) ? r.toString() : r))).to.deep.equal([undefined, '1', undefined, '2', true]);
    await kv.set('shared', 'yes');
    const other = await client();
    expect((await other.get('shared'))?.toString()).to.equal('yes');
  });

  it('replies with typed errors for bad requests and stays usable', async () => {
    await port.stopListening();
    await start({ maxKeyLength: 8, maxValueLength: 16, maxEntries: 2 });
    const kv = await client();
    const codeOf = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
      } catch (e) {
        expect(e).to.be.instanceOf(KVError);
        return (e as KVError).code;
      }
      throw new Error('expected a KVError');
    };
    expect(await codeOf(kv.set('k'.repeat(9), 'v'))).to.equal('ERR_KV_KEY_TOO_LONG');
    expect(await codeOf(kv.set('k', 'v'.repeat(17)))).to.equal('ERR_KV_VALUE_TOO_LONG');
    await kv.set('a', '1');
    await kv.set('b', '2');
    expect(await codeOf(kv.set('c', '3'))).to.equal('ERR_KV_STORE_FULL');
    await kv.set('a', 'replaced');
    expect((await kv.get('a'))?.toString()).to.equal('replaced');
    let err: unknown;
    await kv.get('has space').catch((e: unknown) => { err = e; });
    expect(err).to.be.instanceOf(TypeError);
  });

  it('refuses on the client a request longer than the server accepts', async () => {
    const kv = await client();
    let err: unknown;
    try {
      await kv.set('big', Buffer.alloc(200 * 1024));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(StringTooLongError);
  });

  it('answers unknown commands and bad arguments with ERR replies', async () => {
    const reply = raw('5:FLUSH,3:GET,5:SET a,');
    // The replies arrive, then we close: the server keeps the connection open after these.
    const s = sockets[0]!;
    await new Promise<void>((resolve) => {
      let text = '';
      s.on('data', (c: Buffer) => {
        text += c.toString();
        if ((text.match(/,/g) ?? []).length >= 3) resolve();
      });
    });
    s.end();
    const text = await reply;
    const replies = netstrings(text);
    expect(replies).to.have.length(3);
    expect(replies[0]).to.match(/^ERR BAD_COMMAND unknown command "FLUSH"/);
    expect(replies[1]).to.match(/^ERR BAD_ARGUMENTS /);
    expect(replies[2]).to.match(/^ERR BAD_ARGUMENTS /);
  });

  it('tells a peer that breaks the framing why, then drops it', async () => {
    expect(await raw('3:GET,xyz')).to.match(/^\d+:ERR BAD_ARGUMENTS [^,]*,\d+:ERR PROTOCOL Invalid netstring: expected a digit/);
    expect(await raw('99999999999:')).to.match(/^\d+:ERR TOO_LONG request of \d+ bytes or more is over the limit/);
  });

  // A client that sends GETs for a large value and never reads the replies must not make the
  // server queue them without bound: above the write buffer's high-water mark it stops reading.
  it('stops reading from a client that sends requests and reads no replies, and resumes when it reads', async function () {
    this.timeout(20000);
    const HIGH = 64 * 1024; // the transport's default high-water mark
    const value = Buffer.alloc(4096, 'v');
    const count = 4000; // 16 MB of replies: far more than the sockets' kernel buffers take
    let server!: KVServerProtocol;
    let largest = 0;
    let settled!: () => void;
    const stuck = new Promise<void>((resolve) => { settled = resolve; });
    class Watched extends KVServerProtocol {
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
    factory.protocol = Watched;
    factory.store.set('big', value);
    const s = net.connect({ host: '127.0.0.1', port: portNumber });
    sockets.push(s);
    s.pause(); // read nothing yet
    s.write('7:GET big,'.repeat(count));
    await stuck;
    expect(server.transport.isReading(), 'reading from the client').to.equal(false);
    // Reading the replies lets the server go on: every request is answered, and the queue
    // stayed near the mark all along (the mark plus one reply).
    const reply = Buffer.concat([Buffer.from('VALUE '), value]);
    const expected = (`${reply.length}:`.length + reply.length + 1) * count;
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
});
