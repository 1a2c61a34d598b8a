// A connection that starts as a LineReceiver and continues as streams, over a real socket.
import { expect } from 'chai';
import { Factory, LineReceiver } from '@torsion/protocols';
import { reactor } from '@torsion/reactor';
import type { IListeningPort, TCPAddress } from '@torsion/reactor';
import { handOverToStreams, openConnection } from '@torsion/streams';

class Handshake extends LineReceiver {
  override delimiter = Buffer.from('\n');

  override lineReceived(line: Buffer): void {
    if (line.toString() !== 'HELLO') {
      this.sendLine('BAD');
      this.transport.loseConnection();
      return;
    }
    this.sendLine('WELCOME');
    const [reader, writer] = handOverToStreams(this);
    void (async () => {
      // Echo every byte back after the handshake: the client checks none was lost or reordered.
      for (;;) {
        const data = await reader.read(65536);
        if (data.length === 0) break;
        writer.write(data);
        await writer.drain();
      }
      writer.close();
    })();
  }
}

describe('handing a LineReceiver connection over to streams', () => {
  let port: IListeningPort;

  before(async () => {
    port = await reactor.listenTCP(0, Factory.forProtocol(Handshake), { interface: '127.0.0.1' });
  });

  after(async () => {
    await port.stopListening();
  });

  it('loses and reorders no byte sent in the same packet as the handshake or after it', async () => {
    const [reader, writer] = await openConnection('127.0.0.1', (port.getHost() as TCPAddress).port);
    const payload = Buffer.alloc(300_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 8)) & 0xff;
    // The handshake line and the start of the payload leave in one write.
    writer.write(Buffer.concat([Buffer.from('HELLO\n'), payload.subarray(0, 1000)]));
    writer.write(payload.subarray(1000));
    writer.writeEof();
    expect((await reader.readLine()).toString()).to.equal('WELCOME\n');
    const echoed = await reader.read();
    expect(echoed.length).to.equal(payload.length);
    expect(echoed.equals(payload)).to.equal(true);
    writer.close();
    await writer.waitClosed();
  });
});
