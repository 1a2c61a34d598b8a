// FileSender over a real TCP connection: the transport pulls one chunk each time its buffer
// empties, and a peer that goes away stops the transfer.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Reactor, TCPAddress } from '@torsion/reactor';
import { FileSender, Protocol, TransferStoppedError } from '@torsion/protocols';
import { Cleanup, RecordingFactory, deferred, newReactor, pattern, rawConnect, readAtLeast, readToEnd } from './support/tcp-helpers.js';

class Sender extends Protocol {
  readonly result = deferred<{ last?: Buffer; error?: unknown }>();
  constructor(readonly file: string) {
    super();
  }
  override connectionMade(): void {
    new FileSender().beginFileTransfer(this.file, this.transport).then(
      (last) => {
        this.result.resolve({ last });
        this.transport.loseConnection();
      },
      (error: unknown) => this.result.resolve({ error }),
    );
  }
}

describe('FileSender over TCP', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'torsion-file-sender-tcp-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  async function serve(file: string): Promise<{ factory: RecordingFactory<Sender>; port: number }> {
    const factory = new RecordingFactory(() => new Sender(file));
    const port = cleanup.port(await reactor.listenTCP(0, factory, { interface: '127.0.0.1' }));
    return { factory, port: (port.getHost() as TCPAddress).port };
  }

  it('streams a whole file to the peer and resolves with its last byte', async () => {
    const content = pattern(3 * 1024 * 1024 + 17, 7);
    const file = path.join(dir, 'big.bin');
    await writeFile(file, content);
    const { factory, port } = await serve(file);
    const client = await rawConnect(port, cleanup);
    const received = await readToEnd(client);
    expect(received.length).to.equal(content.length);
    expect(received.equals(content)).to.equal(true);
    const { last } = await (await factory.nextProtocol(0)).result.promise;
    expect(last?.equals(content.subarray(-1))).to.equal(true);
  });

  it('rejects with TransferStoppedError when the peer goes away mid-file', async () => {
    const file = path.join(dir, 'huge.bin');
    await writeFile(file, Buffer.alloc(32 * 1024 * 1024, 1));
    const { factory, port } = await serve(file);
    const client = await rawConnect(port, cleanup);
    await readAtLeast(client, 1);
    client.destroy();
    const { error } = await (await factory.nextProtocol(0)).result.promise;
    expect(error).to.be.instanceOf(TransferStoppedError);
  });
});
