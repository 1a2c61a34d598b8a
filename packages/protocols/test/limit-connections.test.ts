import { expect } from 'chai';
import type { Address } from '@torsion/reactor';
import { StringTransportWithDisconnection } from '@torsion/reactor/testing';
import { Factory, LimitConnectionsByPeer, LimitTotalConnectionsFactory, Protocol, ProtocolWrapper } from '@torsion/protocols';

const peer = (host: string, port = 40000): Address => ({ type: 'TCP', host, port });

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

class Busy extends Protocol {
  override connectionMade(): void {
    this.transport.write('busy\r\n');
    this.transport.loseConnection();
  }
}

function open(w: ProtocolWrapper | null, addr: Address): StringTransportWithDisconnection {
  expect(w).to.be.instanceOf(ProtocolWrapper);
  const t = new StringTransportWithDisconnection({ peer: addr });
  void t.connect(w!);
  return t;
}

describe('LimitTotalConnectionsFactory', () => {
  it('serves up to connectionLimit connections and refuses the rest without an overflow protocol', () => {
    class Limited extends LimitTotalConnectionsFactory {
      override protocol = Echo;
      override connectionLimit = 2;
    }
    const f = new Limited();
    f.doStart();
    const a = open(f.buildProtocol(peer('10.0.0.1')), peer('10.0.0.1'));
    open(f.buildProtocol(peer('10.0.0.2')), peer('10.0.0.2'));
    expect(f.connectionCount).to.equal(2);
    expect(f.buildProtocol(peer('10.0.0.3'))).to.equal(null);
    a.loseConnection();
    expect(f.connectionCount).to.equal(1);
    const c = open(f.buildProtocol(peer('10.0.0.3')), peer('10.0.0.3'));
    const p = (c.protocol as ProtocolWrapper).wrappedProtocol as Echo;
    expect(p).to.be.instanceOf(Echo);
    expect(p.factory).to.equal(f);
    void (c.protocol as ProtocolWrapper).dataReceived(Buffer.from('ping'));
    expect(c.value().toString()).to.equal('ping');
  });

  it('gives connections over the limit the overflow protocol, counted while open', () => {
    const f = LimitTotalConnectionsFactory.forProtocol(Echo);
    f.connectionLimit = 1;
    f.overflowProtocol = Busy;
    open(f.buildProtocol(peer('10.0.0.1')), peer('10.0.0.1'));
    const w = f.buildProtocol(peer('10.0.0.2'));
    expect(w!.wrappedProtocol).to.be.instanceOf(Busy);
    expect((w!.wrappedProtocol as Busy).factory).to.equal(f);
    expect(f.connectionCount).to.equal(2);
    const t = open(w, peer('10.0.0.2'));
    expect(t.value().toString()).to.equal('busy\r\n');
    expect(f.connectionCount).to.equal(1); // Busy closed at once
  });

  it('has no limit by default', () => {
    const f = LimitTotalConnectionsFactory.forProtocol(Echo);
    for (let i = 0; i < 50; i++) open(f.buildProtocol(peer('10.0.0.1', i)), peer('10.0.0.1', i));
    expect(f.connectionCount).to.equal(50);
  });

  it('rejects a zero, negative or fractional limit', () => {
    expect(() => new LimitTotalConnectionsFactory({ connectionLimit: 0 })).to.throw(RangeError, /connectionLimit must be a whole number of at least 1, got 0/);
    const f = LimitTotalConnectionsFactory.forProtocol(Echo);
    f.connectionLimit = -3;
    expect(() => f.doStart()).to.throw(RangeError, /connectionLimit/);
    f.connectionLimit = 2.5;
    expect(() => f.buildProtocol(peer('10.0.0.1'))).to.throw(RangeError, /got 2.5/);
  });
});

describe('LimitConnectionsByPeer', () => {
  it('limits each peer host separately and forgets peers with no connection', () => {
    const f = new LimitConnectionsByPeer(Factory.forProtocol(Echo), { maxConnectionsPerPeer: 2 });
    f.doStart();
    const a1 = open(f.buildProtocol(peer('10.0.0.1', 1)), peer('10.0.0.1', 1));
    const a2 = open(f.buildProtocol(peer('10.0.0.1', 2)), peer('10.0.0.1', 2));
    expect(f.buildProtocol(peer('10.0.0.1', 3))).to.equal(null);
    const b = open(f.buildProtocol(peer('10.0.0.2', 1)), peer('10.0.0.2', 1));
    expect(f.peerConnections.get('10.0.0.1')).to.equal(2);
    expect(f.peerConnections.get('10.0.0.2')).to.equal(1);
    a1.loseConnection();
    expect(f.peerConnections.get('10.0.0.1')).to.equal(1);
    open(f.buildProtocol(peer('10.0.0.1', 4)), peer('10.0.0.1', 4));
    b.abortConnection();
    expect(f.peerConnections.has('10.0.0.2')).to.equal(false);
    a2.loseConnection();
    expect(f.peerConnections.get('10.0.0.1')).to.equal(1);
    expect(f.protocols.size).to.equal(1);
  });

  it('defaults to 5 per peer, as in Twisted', () => {
    const f = new LimitConnectionsByPeer(Factory.forProtocol(Echo));
    expect(f.maxConnectionsPerPeer).to.equal(5);
    for (let i = 0; i < 5; i++) open(f.buildProtocol(peer('::1', i)), peer('::1', i));
    expect(f.buildProtocol(peer('::1', 9))).to.equal(null);
  });

  it('does not count a connection the wrapped factory refused', () => {
    class Refusing extends Factory {
      override buildProtocol(): Protocol | null {
        return null;
      }
    }
    const f = new LimitConnectionsByPeer(new Refusing());
    expect(f.buildProtocol(peer('10.0.0.1'))).to.equal(null);
    expect(f.peerConnections.size).to.equal(0);
  });

  it('groups peers by an overridable peerKey', () => {
    class BySubnet extends LimitConnectionsByPeer {
      override maxConnectionsPerPeer = 1;
      override peerKey(addr: Address): string {
        return addr.type === 'TCP' ? addr.host.split('.').slice(0, 3).join('.') : super.peerKey(addr);
      }
    }
    const f = new BySubnet(Factory.forProtocol(Echo));
    open(f.buildProtocol(peer('10.0.0.1')), peer('10.0.0.1'));
    expect(f.buildProtocol(peer('10.0.0.77'))).to.equal(null);
    expect(f.buildProtocol(peer('10.0.1.1'))).to.be.instanceOf(ProtocolWrapper);
  });

  it('rejects a zero or negative per-peer limit', () => {
    expect(() => new LimitConnectionsByPeer(Factory.forProtocol(Echo), { maxConnectionsPerPeer: 0 })).to.throw(RangeError, /maxConnectionsPerPeer/);
    const f = new LimitConnectionsByPeer(Factory.forProtocol(Echo));
    f.maxConnectionsPerPeer = -1;
    expect(() => f.doStart()).to.throw(RangeError, /maxConnectionsPerPeer must be a whole number of at least 1, got -1/);
  });
});
