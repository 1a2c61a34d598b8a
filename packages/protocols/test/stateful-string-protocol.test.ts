import { expect } from 'chai';
import { StringTransport, everySplit, feedChunks } from '@torsion/reactor/testing';
import { Int8StringReceiver, NetstringReceiver, StatefulStringProtocol, UnknownStateError } from '@torsion/protocols';

class Login extends StatefulStringProtocol(NetstringReceiver) {
  user = '';
  seen: string[] = [];
  override states = {
    init: (name: Buffer): string => {
      this.user = name.toString();
      this.seen.push(`user ${this.user}`);
      return 'password';
    },
    password: (pw: Buffer): string | void => {
      if (pw.toString() !== 'pw') {
        this.seen.push('retry');
        this.sendString('try again');
        return;
      }
      this.sendString(`welcome ${this.user}`);
      return 'done';
    },
  };
}

describe('StatefulStringProtocol', () => {
  it('sends each string to the current state, which the handler chooses', () => {
    const t = new StringTransport();
    const p = new Login();
    t.connect(p);
    p.dataReceived(Buffer.from('5:alice,'));
    expect(p.state).to.equal('password');
    p.dataReceived(Buffer.from('5:wrong,'));
    expect(p.state).to.equal('password');
    expect(p.seen).to.deep.equal(['user alice', 'retry']);
    expect(t.disconnecting).to.equal(false);
    p.dataReceived(Buffer.from('2:pw,'));
    expect(p.state).to.equal('done');
    expect(t.value().toString()).to.equal('9:try again,13:welcome alice,');
    expect(t.disconnecting).to.equal(true);
  });

  it('delivers nothing after "done", even later in the same chunk', () => {
    for (const chunks of everySplit(Buffer.from('1:a,2:pw,1:b,'))) {
      const t = new StringTransport();
      const p = new Login();
      t.connect(p);
      feedChunks(p, chunks);
      expect(p.seen).to.deep.equal(['user a']);
      expect(p.state).to.equal('done');
    }
  });

  it('throws UnknownStateError for a state without a handler', () => {
    class Broken extends StatefulStringProtocol(Int8StringReceiver) {
      override states = { init: (): string => 'nowhere' };
    }
    const t = new StringTransport();
    const p = new Broken();
    t.connect(p);
    p.dataReceived(Buffer.from([1, 0x61]));
    let err: unknown;
    try {
      p.dataReceived(Buffer.from([1, 0x62]));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(UnknownStateError);
    expect((err as UnknownStateError).code).to.equal('ERR_UNKNOWN_STATE');
    expect((err as UnknownStateError).state).to.equal('nowhere');
  });

  it('does not take inherited object properties for handlers', () => {
    class P extends StatefulStringProtocol(Int8StringReceiver) {
      override state = 'toString';
    }
    const t = new StringTransport();
    t.connect(new P());
    expect(() => (t.protocol as P).dataReceived(Buffer.from([0]))).to.throw(UnknownStateError);
  });

  it('starts in a state a subclass names', () => {
    class P extends StatefulStringProtocol(Int8StringReceiver) {
      override state = 'hello';
      got = '';
      override states = { hello: (d: Buffer): void => { this.got = d.toString(); } };
    }
    const t = new StringTransport();
    const p = new P();
    t.connect(p);
    p.dataReceived(Buffer.from([2, 0x68, 0x69]));
    expect(p.got).to.equal('hi');
    expect(p.state).to.equal('hello');
  });
});
