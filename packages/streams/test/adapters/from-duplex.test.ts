import { expect } from 'chai';
import { Duplex, PassThrough } from 'node:stream';
import { ConnectionAborted, ConnectionLost } from '@torsion/reactor';
import { fromDuplex } from '@torsion/streams';
import { settled, rejection } from '../support.js';

/** A duplex whose write side holds each chunk until released, and whose read side we push to. */
function heldDuplex(highWaterMark: number): { duplex: Duplex; written: Buffer[]; release: () => void } {
  const held: Array<() => void> = [];
  const written: Buffer[] = [];
  const duplex = new Duplex({
    writableHighWaterMark: highWaterMark,
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk);
      held.push(cb);
    },
  });
  return { duplex, written, release: () => { for (const cb of held.splice(0)) cb(); } };
}

describe('fromDuplex', () => {
  it('reads and writes through a loopback PassThrough; close gives EOF and a clean end', async () => {
    const [reader, writer] = fromDuplex(new PassThrough());
    writer.write('one\n');
    writer.writeLines(['two', '\n']);
    expect((await reader.readLine()).toString()).to.equal('one\n');
    expect((await reader.readLine()).toString()).to.equal('two\n');
    writer.close();
    expect((await reader.readLine()).length).to.equal(0);
    await writer.waitClosed();
  });

  it('close() ends a transform whose output nobody reads: its output is dropped, not left to block the flush', async () => {
    // A compression stream, say: it takes more input only while its output is taken.
    const duplex = new PassThrough({ highWaterMark: 1024 });
    const [reader, writer] = fromDuplex(duplex, { limit: 1024 });
    for (let i = 0; i < 64; i++) writer.write(Buffer.alloc(1024));
    writer.close();
    await writer.waitClosed();
    expect(duplex.destroyed).to.equal(true);
    expect(reader.exception()).to.equal(null);
  });

  it('drain waits while the duplex reports a full buffer and resolves on its drain event', async () => {
    const { duplex, written, release } = heldDuplex(4);
    const [, writer] = fromDuplex(duplex);
    writer.write('12345678');
    const d = writer.drain();
    expect(await settled(d)).to.equal('pending');
    release();
    await d;
    expect(Buffer.concat(written).toString()).to.equal('12345678');
    writer.transport.abortConnection();
  });

  it('pauses the duplex above twice the limit and resumes it as reads catch up', async () => {
    const { duplex } = heldDuplex(16);
    const [reader, writer] = fromDuplex(duplex, { limit: 4 });
    duplex.push(Buffer.from('0123456789'));
    await new Promise((r) => setImmediate(r));
    expect(duplex.isPaused()).to.equal(true);
    expect((await reader.read(8)).toString()).to.equal('01234567');
    expect(duplex.isPaused()).to.equal(false);
    writer.transport.abortConnection();
  });

  it('an error on the duplex is an unclean loss with the error as cause', async () => {
    const { duplex } = heldDuplex(16);
    const [reader, writer] = fromDuplex(duplex);
    const pending = reader.readLine();
    const boom = new Error('pipe broke');
    duplex.destroy(boom);
    const err = await rejection(pending);
    expect(err).to.be.instanceOf(ConnectionLost);
    expect(err.cause).to.equal(boom);
    expect(await rejection(writer.waitClosed())).to.equal(err);
  });

  it('abortConnection destroys the duplex; waitClosed resolves and drain rejects', async () => {
    const { duplex } = heldDuplex(16);
    const [, writer] = fromDuplex(duplex);
    writer.transport.abortConnection();
    await writer.waitClosed();
    expect(duplex.destroyed).to.equal(true);
    expect(await rejection(writer.drain())).to.be.instanceOf(ConnectionAborted);
  });

  it('the peer ending its side is EOF for the reader while the writer still writes', async () => {
    const { duplex, written } = heldDuplex(1024);
    const [reader, writer] = fromDuplex(duplex);
    duplex.push('last words');
    duplex.push(null);
    expect((await reader.read()).toString()).to.equal('last words');
    writer.write('reply');
    expect(Buffer.concat(written).toString()).to.equal('reply');
    writer.transport.abortConnection();
  });
});
