import { expect } from 'chai';
import { LineReceiver } from '@torsion/protocols';
import { ConnectionDone } from '@torsion/reactor';
import { StringTransport, StringTransportWithDisconnection } from '@torsion/reactor/testing';
import { handOverToStreams, type StreamReader, type StreamWriter } from '@torsion/streams';

/** Speaks lines until HELLO, then hands the connection over to streams. */
class Handshake extends LineReceiver {
  override delimiter = Buffer.from('\n');
  lines: string[] = [];
  pair: [StreamReader, StreamWriter] | null = null;
  lost: Error | null = null;

  override lineReceived(line: Buffer): void {
    this.lines.push(line.toString());
    if (line.toString() === 'HELLO') {
      this.sendLine('WELCOME');
      this.pair = handOverToStreams(this);
    }
  }

  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.lost = reason;
  }
}

describe('handOverToStreams', () => {
  it('hands over inside lineReceived with the rest of the chunk and later chunks, in order', async () => {
    const transport = new StringTransport();
    const proto = new Handshake();
    transport.connect(proto);
    proto.dataReceived(Buffer.from('first\nHELLO\nraw-1\nraw'));
    expect(proto.lines).to.deep.equal(['first', 'HELLO']);
    const [reader, writer] = proto.pair!;
    proto.dataReceived(Buffer.from('-2\n'));
    expect((await reader.readLine()).toString()).to.equal('raw-1\n');
    expect((await reader.readLine()).toString()).to.equal('raw-2\n');
    expect(proto.lines).to.deep.equal(['first', 'HELLO']); // the LineReceiver heard nothing more
    writer.write('from streams\n');
    expect(transport.value().toString()).to.equal('WELCOME\nfrom streams\n');
  });

  it('hands over between events with a partial line buffered', async () => {
    const transport = new StringTransport();
    class Plain extends LineReceiver {
      override delimiter = Buffer.from('\n');
      override lineReceived(): void {}
    }
    const proto = new Plain();
    transport.connect(proto);
    proto.dataReceived(Buffer.from('line\npart'));
    const [reader] = handOverToStreams(proto, { limit: 1024 });
    proto.dataReceived(Buffer.from('ial\n'));
    expect((await reader.readLine()).toString()).to.equal('partial\n');
  });

  it('takes the buffered bytes from options for protocols without clearLineBuffer', async () => {
    const transport = new StringTransport();
    const proto = new Handshake();
    transport.connect(proto);
    const [reader] = handOverToStreams(proto, { buffered: Buffer.from('kept ') });
    proto.dataReceived(Buffer.from('then more'));
    proto.eofReceived();
    expect((await reader.read()).toString()).to.equal('kept then more');
  });

  it('EOF and the end of the connection reach the reader; the old protocol still hears connectionLost', async () => {
    const transport = new StringTransportWithDisconnection();
    const proto = new Handshake();
    transport.connect(proto);
    proto.dataReceived(Buffer.from('HELLO\ntail'));
    const [reader, writer] = proto.pair!;
    expect(proto.eofReceived()).to.equal(true);
    expect((await reader.read()).toString()).to.equal('tail');
    writer.close();
    await writer.waitClosed();
    expect(proto.lost).to.be.instanceOf(ConnectionDone);
  });

  it('resumes a transport the protocol had paused, so a read does not wait forever', async () => {
    const transport = new StringTransport();
    class PauseThenHandOver extends LineReceiver {
      override delimiter = Buffer.from('\n');
      pair: [StreamReader, StreamWriter] | null = null;
      override lineReceived(): void {
        this.transport.pauseProducing(); // e.g. while it looked something up
        this.pair = handOverToStreams(this);
      }
    }
    const proto = new PauseThenHandOver();
    transport.connect(proto);
    proto.dataReceived(Buffer.from('HELLO\n'));
    expect(transport.producerState).to.equal('producing');
    const [reader] = proto.pair!;
    const line = reader.readLine();
    proto.dataReceived(Buffer.from('next\n'));
    expect((await line).toString()).to.equal('next\n');
  });

  it('leaves the transport paused while the leftover alone is above the reader’s mark, until it is read', async () => {
    const transport = new StringTransport();
    const proto = new Handshake();
    transport.connect(proto);
    transport.pauseProducing();
    const [reader] = handOverToStreams(proto, { limit: 4, buffered: Buffer.from('0123456789') });
    expect(transport.producerState).to.equal('paused');
    expect((await reader.read(10)).toString()).to.equal('0123456789');
    expect(transport.producerState).to.equal('producing');
  });

  it('pauseWriting/resumeWriting on the old protocol drive the new writer’s drain', async () => {
    const transport = new StringTransport();
    const proto = new Handshake();
    transport.connect(proto);
    proto.dataReceived(Buffer.from('HELLO\n'));
    const [, writer] = proto.pair!;
    proto.pauseWriting();
    let drained = false;
    const d = writer.drain().then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    expect(drained).to.equal(false);
    proto.resumeWriting();
    await d;
    expect(drained).to.equal(true);
  });
});
