// LineReceiver over a real TCP connection: pausing from inside lineReceived, resuming later,
// and the MAX_LENGTH drop, with the reactor's own transport rather than StringTransport.
import { expect } from 'chai';
import type { TCPAddress } from '@torsion/reactor';
import { Factory, LineOnlyReceiver, LineReceiver } from '@torsion/protocols';
import { Cleanup, deferred, newReactor, rawConnect, readAtLeast, readToEnd } from './support/tcp-helpers.js';

describe('LineReceiver over TCP', () => {
  let cleanup: Cleanup;
  beforeEach(() => {
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  it('holds buffered lines while paused from lineReceived and delivers them on resume', async () => {
    const got: string[] = [];
    const paused = deferred<LineReceiver>();
    const all = deferred<void>();
    class Pausing extends LineReceiver {
      override lineReceived(line: Buffer): void {
        got.push(line.toString());
        if (line.toString() === 'pause') {
          this.transport.pauseProducing();
          paused.resolve(this);
        }
        if (line.toString() === 'last') all.resolve();
      }
    }
    const reactor = newReactor();
    const port = cleanup.port(await reactor.listenTCP(0, Factory.forProtocol(Pausing), { interface: '127.0.0.1' }));
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    client.write('a\r\npause\r\nb\r\nc\r\nlast\r\n');
    const p = await paused.promise;
    expect(got).to.deep.equal(['a', 'pause']);
    // Give the loop a few turns: nothing more may arrive while paused.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(got).to.deep.equal(['a', 'pause']);
    p.transport.resumeProducing();
    await all.promise;
    expect(got).to.deep.equal(['a', 'pause', 'b', 'c', 'last']);
  });

  it('holds the peer\'s EOF while paused, so lines held back are delivered before eofReceived', async () => {
    // Regression: EOF used to reach eofReceived while reading was paused; the default then
    // closed the connection and the held lines were lost.
    const got: string[] = [];
    const ended = deferred<void>();
    class PauseEachLine extends LineReceiver {
      override delimiter = Buffer.from('\n');
      override lineReceived(line: Buffer): void {
        got.push(line.toString());
        this.transport.pauseProducing();
        setImmediate(() => this.transport.resumeProducing());
      }
      override eofReceived(): void {
        got.push(`EOF reading=${String(this.transport.isReading())}`);
        ended.resolve();
      }
    }
    const reactor = newReactor();
    const port = cleanup.port(await reactor.listenTCP(0, Factory.forProtocol(PauseEachLine), { interface: '127.0.0.1' }));
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    client.end('a\nb\nc\n');
    await ended.promise;
    expect(got).to.deep.equal(['a', 'b', 'c', 'EOF reading=true']);
  });

  it('closes the connection on an over-long line, after replies already written', async () => {
    cleanup.captureLog();
    class Echo extends LineReceiver {
      override MAX_LENGTH = 64;
      override lineReceived(line: Buffer): void {
        this.sendLine(line);
      }
    }
    const reactor = newReactor();
    const port = cleanup.port(await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' }));
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    const reply = readToEnd(client);
    client.write('hi\r\n' + 'x'.repeat(1000));
    expect((await reply).toString()).to.equal('hi\r\n');
    expect(cleanup.logged.some((e) => (e.error as { code?: string } | undefined)?.code === 'ERR_LINE_TOO_LONG')).to.equal(true);
  });
  // An async handler that echoes a line, or rejects on "bad"; both line framings.
  async function handle(p: { sendLine(line: Buffer): void }, line: Buffer): Promise<void> {
    await Promise.resolve();
    if (line.toString() === 'bad') throw new RangeError('bad line');
    p.sendLine(line);
  }
  const lost = { current: deferred<Error>() };
  class AsyncLR extends LineReceiver {
    override async lineReceived(line: Buffer): Promise<void> {
      await handle(this, line);
    }
    override connectionLost(reason: Error): void {
      super.connectionLost(reason);
      lost.current.resolve(reason);
    }
  }
  class AsyncLOR extends LineOnlyReceiver {
    override async lineReceived(line: Buffer): Promise<void> {
      await handle(this, line);
    }
    override connectionLost(reason: Error): void {
      super.connectionLost(reason);
      lost.current.resolve(reason);
    }
  }

  for (const AsyncLines of [AsyncLR, AsyncLOR]) {
    it(`${Object.getPrototypeOf(AsyncLines).name}: an async lineReceived that rejects drops that connection with the error, not the process`, async () => {
      cleanup.captureLog();
      lost.current = deferred<Error>();
      const reactor = newReactor();
      const port = cleanup.port(await reactor.listenTCP(0, Factory.forProtocol(AsyncLines), { interface: '127.0.0.1' }));
      const n = (port.getHost() as TCPAddress).port;
      const bad = await rawConnect(n, cleanup);
      bad.on('error', () => {});
      bad.write('bad\r\n');
      // Before the fix the rejected promise was dropped: an unhandled rejection, which ends a
      // Node process by default, and the connection stayed up.
      const reason = await lost.current.promise;
      expect(reason).to.be.instanceOf(RangeError);
      expect(reason.message).to.equal('bad line');
      const good = await rawConnect(n, cleanup);
      const reply = readAtLeast(good, 4);
      good.write('ok\r\n');
      expect((await reply).toString()).to.equal('ok\r\n');
      expect(cleanup.logged.filter((e) => e.level === 'error')).to.have.length(1);
    });
  }
});
