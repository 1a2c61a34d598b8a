import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConnectionDone, ConnectionRefusedError, Reactor, clientFromString, serverFromString, setLogObserver } from '@torsion/reactor';
import { ClientFactory, Factory, LineReceiver, Protocol } from '@torsion/protocols';

class Echo extends LineReceiver {
  override lineReceived(line: Buffer): void {
    this.sendLine(line);
  }
}

class Asker extends LineReceiver {
  readonly replies: Buffer[] = [];
  #wake: (() => void) | undefined;
  override lineReceived(line: Buffer): void {
    this.replies.push(line);
    this.#wake?.();
  }
  async ask(text: string): Promise<string> {
    const done = new Promise<void>((r) => (this.#wake = r));
    this.sendLine(text);
    await done;
    return this.replies.at(-1)!.toString();
  }
}

describe('endpoint strings over real sockets', () => {
  const reactor = new Reactor({ installSignalHandlers: false });

  it('listens and connects over TCP on 127.0.0.1', async () => {
    const port = await serverFromString(reactor, 'tcp:0:interface=127.0.0.1').listen(Factory.forProtocol(Echo));
    const host = port.getHost();
    if (host.type !== 'TCP') throw new Error('expected TCP');
    expect(host.host).to.equal('127.0.0.1');
    const client = (await clientFromString(reactor, `tcp:host=127.0.0.1:port=${host.port}`).connect(ClientFactory.forProtocol(Asker))) as Asker;
    expect(await client.ask('hello')).to.equal('hello');
    client.transport.loseConnection();
    await port.stopListening();
  });

  it('listens and connects over a UNIX socket', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'torsion-ep-'));
    const sock = path.join(dir, 'echo.sock');
    const port = await serverFromString(reactor, `unix:${sock}`).listen(Factory.forProtocol(Echo));
    const client = (await clientFromString(reactor, `unix:path=${sock}`).connect(ClientFactory.forProtocol(Asker))) as Asker;
    expect(await client.ask('over unix')).to.equal('over unix');
    client.transport.loseConnection();
    await port.stopListening();
  });

  it('rejects connect() with ConnectionRefusedError when nothing listens', async () => {
    const port = await serverFromString(reactor, 'tcp:0:interface=127.0.0.1').listen(Factory.forProtocol(Echo));
    const host = port.getHost();
    await port.stopListening();
    if (host.type !== 'TCP') throw new Error('expected TCP');
    let error: unknown;
    await clientFromString(reactor, `tcp:127.0.0.1:${host.port}`).connect(ClientFactory.forProtocol(Asker)).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(ConnectionRefusedError);
  });

  it('rejects connect() with the error connectionMade() threw, not resolving with a protocol whose connection is dropped', async () => {
    const port = await serverFromString(reactor, 'tcp:0:interface=127.0.0.1').listen(Factory.forProtocol(Echo));
    const host = port.getHost();
    if (host.type !== 'TCP') throw new Error('expected TCP');
    const thrown = new Error('connectionMade failed');
    const lost: Error[] = [];
    class Broken extends Protocol {
      override connectionMade(): void {
        throw thrown;
      }
      override connectionLost(reason: Error): void {
        lost.push(reason);
      }
    }
    const previous = setLogObserver(() => {});
    try {
      let outcome: unknown;
      await clientFromString(reactor, `tcp:127.0.0.1:${host.port}`)
        .connect(ClientFactory.forProtocol(Broken))
        .then((p) => (outcome = p), (e: unknown) => (outcome = e));
      expect(outcome).to.equal(thrown);
      expect(lost).to.deep.equal([thrown]); // the connection was dropped before connect() settled
    } finally {
      setLogObserver(previous);
      await port.stopListening();
    }
  });

  it('resolves connect() once closed when connectionMade() closes the connection itself', async () => {
    const port = await serverFromString(reactor, 'tcp:0:interface=127.0.0.1').listen(Factory.forProtocol(Protocol));
    const host = port.getHost();
    if (host.type !== 'TCP') throw new Error('expected TCP');
    const lost: Error[] = [];
    class SayAndGo extends Protocol {
      override connectionMade(): void {
        this.transport.write('bye\r\n');
        this.transport.loseConnection();
      }
      override connectionLost(reason: Error): void {
        lost.push(reason);
      }
    }
    try {
      const protocol = await clientFromString(reactor, `tcp:127.0.0.1:${host.port}`).connect(ClientFactory.forProtocol(SayAndGo));
      expect(protocol).to.be.instanceOf(SayAndGo);
      expect(lost).to.have.length(1);
      expect(lost[0]).to.be.instanceOf(ConnectionDone);
    } finally {
      await port.stopListening();
    }
  });
});
