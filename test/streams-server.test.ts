// startServer / openConnection over real sockets on 127.0.0.1.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConnectionLost, ConnectionRefusedError, setLogObserver } from '@torsion/reactor';
import type { LogEvent, TCPAddress, TLSAddress } from '@torsion/reactor';
import {
  AbortError,
  openConnection,
  openUnixConnection,
  startServer,
  startUnixServer,
  type Server,
  type StreamReader,
  type StreamWriter,
} from '@torsion/streams';

const HOST = '127.0.0.1';

// startServer's ports are TCP (or TLS) ports: getHost().port needs no cast.
function portOf(server: Server<TCPAddress | TLSAddress>): number {
  return server.ports[0]!.getHost().port;
}

async function echoLines(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for await (const line of reader) {
    writer.write(line);
    await writer.drain();
  }
  writer.close();
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

async function settled<T>(p: Promise<T>): Promise<'pending' | 'done' | 'failed'> {
  let state: 'pending' | 'done' | 'failed' = 'pending';
  p.then(() => (state = 'done'), () => (state = 'failed'));
  await new Promise((r) => setImmediate(r));
  return state;
}

describe('streams over TCP: startServer and openConnection', () => {
  const servers: Server[] = [];
  const writers: StreamWriter[] = [];

  async function serve(cb: Parameters<typeof startServer>[0]): Promise<Server<TCPAddress | TLSAddress>> {
    const server = await startServer(cb, HOST, 0);
    servers.push(server);
    return server;
  }

  async function connect(server: Server<TCPAddress | TLSAddress>): Promise<[StreamReader, StreamWriter]> {
    const pair = await openConnection(HOST, portOf(server));
    writers.push(pair[1]);
    return pair;
  }

  afterEach(async () => {
    for (const w of writers.splice(0)) {
      w.transport.abortConnection();
      await w.waitClosed().catch(() => undefined);
    }
    for (const s of servers.splice(0)) {
      await s.close();
      s.abortClients();
      await s.waitClosed();
    }
  });

  it('echoes lines between a server and a client', async () => {
    const server = await serve(echoLines);
    expect(portOf(server)).to.be.above(0);
    const [reader, writer] = await connect(server);
    writer.write('hello\n');
    writer.writeLines(['wor', 'ld\n']);
    await writer.drain();
    expect((await reader.readLine()).toString()).to.equal('hello\n');
    expect((await reader.readLine()).toString()).to.equal('world\n');
    writer.writeEof();
    expect((await reader.readLine()).length).to.equal(0); // the server closed after our EOF
    await writer.waitClosed();
  });

  it('a half-closed client still gets the reply written after its EOF', async () => {
    const server = await serve(async (reader, writer) => {
      const all = await reader.read();
      writer.write(`got ${all.length} bytes`);
      writer.close();
    });
    const [reader, writer] = await connect(server);
    expect(writer.canWriteEof()).to.equal(true);
    writer.write('x'.repeat(1000));
    writer.writeEof();
    expect((await reader.read()).toString()).to.equal('got 1000 bytes');
  });

  it('reports addresses through getExtraInfo', async () => {
    const server = await serve(echoLines);
    const [, writer] = await connect(server);
    const peer = writer.getExtraInfo('peername') as unknown;
    expect(JSON.stringify(peer)).to.contain(String(portOf(server)));
  });

  it('logs a failing handler, closes that connection, and keeps serving', async () => {
    const logged: LogEvent[] = [];
    const previous = setLogObserver((e) => logged.push(e));
    try {
      let n = 0;
      const server = await serve(async (reader, writer) => {
        n += 1;
        if (n === 1) throw new Error('handler broke');
        await echoLines(reader, writer);
      });
      const [r1] = await connect(server);
      expect((await r1.read()).length).to.equal(0); // closed by the server
      const [r2, w2] = await connect(server);
      w2.write('still here\n');
      expect((await r2.readLine()).toString()).to.equal('still here\n');
      expect(logged.some((e) => e.level === 'error' && (e.error as Error).message === 'handler broke')).to.equal(true);
    } finally {
      setLogObserver(previous);
    }
  });

  it('waitClosed resolves only once closed and every connection has ended', async () => {
    const server = await startServer(echoLines, HOST, 0);
    const [reader, writer] = await openConnection(HOST, portOf(server));
    writer.write('ping\n');
    await reader.readLine(); // the server side is surely up
    const closed = server.waitClosed();
    expect(await settled(closed)).to.equal('pending');
    await server.close();
    expect(server.isServing()).to.equal(false);
    expect(await settled(closed)).to.equal('pending');
    expect(server.connectionCount).to.equal(1);
    server.closeClients();
    await closed;
    expect(server.connectionCount).to.equal(0);
    expect((await reader.read()).length).to.equal(0);
    // EOF leaves our side open for writing, as in asyncio: close it ourselves.
    writer.close();
    await writer.waitClosed();
    // A closed server refuses new connections.
    expect(await rejection(openConnection(HOST, portOf(server)))).to.be.instanceOf(ConnectionRefusedError);
  });

  it('abortClients drops connections and waitClosed then resolves', async () => {
    const server = await serve(async () => {});
    const [reader, writer] = await connect(server);
    while (server.connectionCount === 0) await new Promise((r) => setImmediate(r));
    server.abortClients();
    await server.close();
    await server.waitClosed();
    // An abort resets the connection: the client can tell it was cut off, not finished.
    const end = await reader.read().then((data) => data.length, (err: Error) => err);
    expect(end).to.be.instanceOf(ConnectionLost);
    writer.close();
    await writer.waitClosed().catch(() => undefined);
  });

  it('after an unclean loss, waitClosed, drain and reads reject with the reason', async () => {
    let serverSide: Promise<Error> | null = null;
    const server = await serve(async (reader, writer) => {
      serverSide = rejection(writer.waitClosed());
      await rejection(reader.read());
    });
    const [, writer] = await connect(server);
    while (serverSide === null) await new Promise((r) => setImmediate(r));
    // The client aborts, which resets the connection: the server's end is lost uncleanly.
    writer.transport.abortConnection();
    const reason = await serverSide!;
    expect(reason).to.be.instanceOf(ConnectionLost);
    await writer.waitClosed(); // a local abort is an orderly end for this side
  });

  it('serveForever resolves when the server is closed, or when its signal aborts', async () => {
    const server = await serve(echoLines);
    const forever = server.serveForever();
    expect(await settled(forever)).to.equal('pending');
    await server.close();
    await forever;

    const other = await serve(echoLines);
    const ac = new AbortController();
    const f2 = other.serveForever({ signal: ac.signal });
    ac.abort();
    await f2;
    expect(other.isServing()).to.equal(false);
  });

  it('await using closes the server and its clients', async () => {
    let reader: StreamReader;
    {
      await using server = await startServer(echoLines, HOST, 0);
      const pair = await openConnection(HOST, portOf(server));
      reader = pair[0];
      writers.push(pair[1]);
      pair[1].write('a\n');
      await reader.readLine();
    }
    expect((await reader.read()).length).to.equal(0);
  });

  it('rejects a refused connection with ConnectionRefusedError', async () => {
    const server = await startServer(echoLines, HOST, 0);
    const port = portOf(server);
    await server.close();
    await server.waitClosed();
    expect(await rejection(openConnection(HOST, port))).to.be.instanceOf(ConnectionRefusedError);
  });

  it('an AbortSignal cancels a pending connect with AbortError', async () => {
    const server = await serve(echoLines);
    const ac = new AbortController();
    const pending = openConnection(HOST, portOf(server), { signal: ac.signal });
    ac.abort(new Error('changed my mind'));
    const err = await rejection(pending);
    expect(err).to.be.instanceOf(AbortError);
    expect(err.name).to.equal('AbortError');
    expect(await rejection(openConnection(HOST, portOf(server), { signal: AbortSignal.abort() }))).to.be.instanceOf(AbortError);
  });

  it('an AbortSignal cancels a pending read on a live connection', async () => {
    const server = await serve(echoLines);
    const [reader, writer] = await connect(server);
    const ac = new AbortController();
    const pending = reader.readLine({ signal: ac.signal });
    ac.abort();
    expect(await rejection(pending)).to.be.instanceOf(AbortError);
    writer.write('after\n');
    expect((await reader.readLine()).toString()).to.equal('after\n');
  });

  it('drain holds a fast writer back while the peer does not read, with bounded buffers', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let maxBuffered = 0;
    let waited = 0;
    let sent = 0;
    const server = await serve(async (_reader, writer) => {
      // Write until drain() has had to wait (the kernel's buffers are full too), then a bit more.
      let more = 16;
      for (let i = 0; i < 1024 && (waited === 0 || more-- > 0); i++) {
        writer.write(chunk);
        sent += chunk.length;
        maxBuffered = Math.max(maxBuffered, writer.transport.getWriteBufferSize());
        const d = writer.drain();
        if ((await settled(d)) === 'pending') waited += 1;
        await d;
      }
      writer.close();
    });
    const [reader] = await connect(server);
    // Do not read until the server is blocked in drain().
    while (waited === 0) await new Promise((r) => setTimeout(r, 5));
    let received = 0;
    for (;;) {
      const data = await reader.read(100_000);
      if (data.length === 0) break;
      received += data.length;
    }
    expect(waited).to.be.above(0);
    expect(received).to.equal(sent);
    expect(maxBuffered).to.be.at.most(64 * 1024 + chunk.length);
  });

  it('readExactly of more than twice the limit completes over a real socket', async () => {
    const server = await startServer(async (_r, writer) => {
      writer.write(Buffer.alloc(100_000, 0x62));
      writer.close();
    }, HOST, 0);
    servers.push(server);
    const [reader, writer] = await openConnection(HOST, portOf(server), { limit: 1024 });
    writers.push(writer);
    expect((await reader.readExactly(100_000)).length).to.equal(100_000);
  });
});

describe('streams over UNIX sockets', () => {
  it('echoes through startUnixServer and openUnixConnection', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torsion-streams-'));
    const sock = path.join(dir, 'echo.sock');
    const server = await startUnixServer(echoLines, sock);
    try {
      const [reader, writer] = await openUnixConnection(sock);
      writer.write('over unix\n');
      expect((await reader.readLine()).toString()).to.equal('over unix\n');
      writer.close();
      await writer.waitClosed();
    } finally {
      await server.close();
      server.abortClients();
      await server.waitClosed();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
