import { expect } from 'chai';
import * as net from 'node:net';
import { ConnectionDone, type Reactor, type TCPAddress } from '@torsion/reactor';
import { Factory, Protocol } from '@torsion/protocols';
import { Cleanup, Echo, Recorder, RecordingFactory, closed, newReactor, rawConnect, readAtLeast } from './support/tcp-helpers.js';

class Boom extends Error {}

describe('TCP fault isolation', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;
  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
    cleanup.captureLog();
  });
  afterEach(() => cleanup.run());

  /** A client that keeps its errors instead of failing on them. */
  function dial(port: number): { socket: net.Socket; errors: Error[] } {
    const socket = cleanup.socket(net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }));
    const errors: Error[] = [];
    socket.on('error', (err: Error) => errors.push(err));
    return { socket, errors };
  }

  type Hook = 'connectionMade' | 'dataReceived' | 'eofReceived' | 'pauseWriting';
  class Faulty extends Recorder {
    constructor(
      readonly hook: Hook,
      readonly asyncFault: boolean,
    ) {
      super();
    }
    #fail(where: string): void | Promise<void> {
      if (this.asyncFault) return Promise.reject(new Boom(`async failure in ${where}`));
      throw new Boom(`failure in ${where}`);
    }
    override connectionMade(): void {
      super.connectionMade();
      if (this.hook === 'connectionMade') return this.#fail('connectionMade') as void;
    }
    override dataReceived(data: Buffer): void {
      super.dataReceived(data);
      if (this.hook === 'dataReceived') return this.#fail('dataReceived') as void;
      if (this.hook === 'pauseWriting') {
        this.transport.setWriteBufferLimits(10, 5);
        this.transport.write(Buffer.alloc(100));
      }
    }
    override eofReceived(): boolean {
      // Plain JavaScript may make eofReceived async; its rejection must be caught too.
      if (this.hook === 'eofReceived' && this.asyncFault) return Promise.reject(new Boom('async failure in eofReceived')) as unknown as boolean;
      if (this.hook === 'eofReceived') throw new Boom('failure in eofReceived');
      return super.eofReceived();
    }
    override pauseWriting(): void {
      if (this.hook === 'pauseWriting') throw new Boom('failure in pauseWriting');
    }
  }

  const cases: Array<[Hook, boolean]> = [
    ['connectionMade', false],
    ['connectionMade', true],
    ['dataReceived', false],
    ['dataReceived', true],
    ['eofReceived', false],
    ['eofReceived', true],
    ['pauseWriting', false],
  ];
  for (const [hook, asyncFault] of cases) {
    it(`drops only the connection whose ${hook} ${asyncFault ? 'returns a rejected promise' : 'throws'}, and logs it with its addresses`, async () => {
      const bad = new RecordingFactory(() => new Faulty(hook, asyncFault));
      const good = Factory.forProtocol(Echo);
      const badPort = cleanup.port(await reactor.listenTCP(0, bad, { interface: '127.0.0.1' }));
      const goodPort = cleanup.port(await reactor.listenTCP(0, good, { interface: '127.0.0.1' }));
      const healthy = await rawConnect((goodPort.getHost() as TCPAddress).port, cleanup);
      // The victim is reset, possibly before its own connect() completes (connectionMade).
      const victim = dial((badPort.getHost() as TCPAddress).port);
      if (hook === 'eofReceived') victim.socket.end('x');
      else victim.socket.write('x');

      const p = await bad.nextProtocol(0);
      const reason = await p.lost.promise;
      expect(reason).to.be.instanceOf(Boom);
      await closed(victim.socket);
      // Dropped with a reset: the peer can tell it was cut off, not finished.
      expect(victim.errors.map((e) => (e as { code?: string }).code)).to.deep.equal(['ECONNRESET']);

      const errors = cleanup.logged.filter((e) => e.level === 'error');
      expect(errors).to.have.length(1);
      expect(errors[0]!.error).to.equal(reason);
      const victimPort = (p.transport.getPeer() as TCPAddress).port;
      expect(victimPort).to.be.greaterThan(0);
      expect(errors[0]!.fields).to.include({ peer: `127.0.0.1:${victimPort}`, host: `127.0.0.1:${(badPort.getHost() as TCPAddress).port}` });
      expect(errors[0]!.message).to.contain(hook);

      // Everyone else keeps being served, and the bad port still accepts.
      const echoed = readAtLeast(healthy, 5);
      healthy.write('still');
      expect((await echoed).toString()).to.equal('still');
      dial((badPort.getHost() as TCPAddress).port);
      await bad.nextProtocol(1);
    });
  }

  it('logs a throwing connectionLost and carries on', async () => {
    const factory = new RecordingFactory(
      () =>
        new (class extends Recorder {
          override connectionLost(reason: Error): void {
            super.connectionLost(reason);
            throw new Boom('failure in connectionLost');
          }
        })(),
    );
    const port = cleanup.port(await reactor.listenTCP(0, factory, { interface: '127.0.0.1' }));
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    client.end();
    expect(await p.lost.promise).to.be.instanceOf(ConnectionDone);
    await new Promise((r) => setImmediate(r));
    const errors = cleanup.logged.filter((e) => e.level === 'error');
    expect(errors).to.have.length(1);
    expect(errors[0]!.error).to.be.instanceOf(Boom);
  });

  it('drops a connection whose buildProtocol throws and keeps accepting', async () => {
    let calls = 0;
    const factory = new (class extends Factory {
      override buildProtocol(): Protocol {
        calls++;
        if (calls === 1) throw new Boom('failure in buildProtocol');
        return new Echo();
      }
    })();
    const port = cleanup.port(await reactor.listenTCP(0, factory, { interface: '127.0.0.1' }));
    const portNumber = (port.getHost() as TCPAddress).port;
    const first = await rawConnect(portNumber, cleanup);
    first.on('error', () => {});
    await closed(first);
    expect(cleanup.logged.filter((e) => e.level === 'error')[0]!.message).to.contain('buildProtocol');
    const second = await rawConnect(portNumber, cleanup);
    const echoed = readAtLeast(second, 2);
    second.write('ok');
    expect((await echoed).toString()).to.equal('ok');
  });
});
