import { expect } from 'chai';
import { ClientFactory, Factory, FactoryNotStartedError, Protocol, ServerFactory } from '@torsion/protocols';

class Greeter extends Protocol {
  constructor(readonly greeting = 'hi') {
    super();
  }
}

describe('Factory', () => {
  it('runs startFactory once for the first user and stopFactory after the last', () => {
    const calls: string[] = [];
    class F extends Factory {
      override startFactory(): void { calls.push('start'); }
      override stopFactory(): void { calls.push('stop'); }
    }
    const f = new F();
    f.doStart();
    f.doStart();
    expect(calls).to.deep.equal(['start']);
    f.doStop();
    expect(calls).to.deep.equal(['start']);
    f.doStop();
    expect(calls).to.deep.equal(['start', 'stop']);
    expect(() => f.doStop()).to.throw(FactoryNotStartedError);
  });

  it('forProtocol builds the class with its arguments and sets factory', () => {
    const f = ServerFactory.forProtocol(Greeter, 'hello');
    expect(f).to.be.instanceOf(ServerFactory);
    const p = f.buildProtocol({ type: 'TCP', host: '127.0.0.1', port: 1 }) as Greeter;
    expect(p).to.be.instanceOf(Greeter);
    expect(p.greeting).to.equal('hello');
    expect(p.factory).to.equal(f);
  });

  it('reads the protocol field of a subclass when building', () => {
    class F extends ClientFactory {
      override protocol = Greeter;
    }
    const p = new F().buildProtocol({ type: 'TCP', host: '::1', port: 2 });
    expect(p).to.be.instanceOf(Greeter);
  });

  it('explains what to do when no protocol is set', () => {
    expect(() => new Factory().buildProtocol({ type: 'UNIX', path: '/x' })).to.throw(TypeError, /protocol is not set/);
  });

  it('Protocol.makeConnection sets transport and connected, then calls connectionMade', () => {
    const seen: string[] = [];
    class P extends Protocol {
      override connectionMade(): void { seen.push(`made:${String(this.connected)}`); }
    }
    const p = new P();
    const transport = { getPeer: () => ({ type: 'TCP', host: '127.0.0.1', port: 9 }) } as never;
    void p.makeConnection(transport);
    expect(p.transport).to.equal(transport);
    expect(seen).to.deep.equal(['made:true']);
    expect(p.logPrefix()).to.equal('P,127.0.0.1:9');
    void p.connectionLost(new Error('x'));
    expect(p.connected).to.equal(false);
  });
});
