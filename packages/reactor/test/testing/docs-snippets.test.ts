// The snippets of docs/testing.md, run as written (kept in step with the page by hand).
import { expect } from 'chai';
import fc from 'fast-check';
import { Factory, Protocol } from '@torsion/protocols';
import {
  Clock, MemoryReactor, StringTransport, connectedPair, everySplit, feedChunks, splitAt,
} from '@torsion/reactor/testing';

/** Answers "PING\n" with "PONG\n"; closes on "QUIT\n". */
class Pinger extends Protocol {
  #buffer = '';
  override dataReceived(data: Buffer): void {
    this.#buffer += data.toString();
    let i: number;
    while ((i = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, i);
      this.#buffer = this.#buffer.slice(i + 1);
      if (line === 'PING') this.transport.write('PONG\n');
      if (line === 'QUIT') this.transport.loseConnection();
    }
  }
}

describe('docs/testing.md snippets', () => {
  it('StringTransport', () => {
    const transport = new StringTransport();
    const proto = new Pinger();
    transport.connect(proto);
    proto.dataReceived(Buffer.from('PING\nPI'));
    proto.dataReceived(Buffer.from('NG\n'));
    expect(transport.value().toString()).to.equal('PONG\nPONG\n');
    transport.clear();
    proto.dataReceived(Buffer.from('QUIT\n'));
    expect(transport.disconnecting).to.equal(true);
  });

  it('Clock', () => {
    const clock = new Clock();
    const seen: number[] = [];
    clock.callLater(1.5, () => seen.push(clock.seconds()));
    clock.advance(1);
    expect(seen).to.deep.equal([]);
    clock.advance(0.5);
    expect(seen).to.deep.equal([1.5]);
    clock.pump([1, 1, 1]);
    expect(clock.seconds()).to.equal(4.5);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('MemoryReactor fake listening port', async () => {
    const reactor = new MemoryReactor();
    await reactor.listenTCP(8023, Factory.forProtocol(Pinger), { interface: '127.0.0.1' });
    const [server] = reactor.tcpServers;
    expect(server!.port).to.equal(8023);
    const { protocol, transport } = server!.listeningPort.accept<Pinger>()!;
    protocol.dataReceived(Buffer.from('PING\n'));
    expect(transport.value().toString()).to.equal('PONG\n');
  });

  it('connectedPair', () => {
    class Client extends Protocol {
      received = '';
      override connectionMade(): void { this.transport.write('PING\n'); }
      override dataReceived(data: Buffer): void { this.received += data.toString(); }
    }
    const { client, server, pump } = connectedPair(new Pinger(), new Client());
    expect(client.received).to.equal('PONG\n');
    client.transport.write('QUIT\n');
    pump.flush();
    expect(server.connected).to.equal(false);
    expect(client.connected).to.equal(false);
  });

  it('chunk boundaries with fast-check and everySplit', () => {
    function replies(chunks: Buffer[]): string {
      const transport = new StringTransport();
      const proto = new Pinger();
      transport.connect(proto);
      feedChunks(proto, chunks);
      return transport.value().toString();
    }
    const input = Buffer.from('PING\nPING\nQUIT\nPING\n');
    const expected = replies([input]);
    expect(expected).to.equal('PONG\nPONG\n');
    fc.assert(fc.property(fc.array(fc.nat({ max: input.length })), (cuts) => {
      expect(replies(splitAt(input, cuts))).to.equal(expected);
    }), { numRuns: 100 });
    for (const chunks of everySplit(Buffer.from('PING\nPI'))) {
      expect(replies(chunks)).to.equal('PONG\n');
    }
  });
});
