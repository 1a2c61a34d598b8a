import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConnectionRefusedError, Reactor, clientFromString, serverFromString } from '@torsion/reactor';
import { ClientFactory, Factory, LineReceiver } from '@torsion/protocols';

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
});
