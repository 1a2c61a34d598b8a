// Two StreamReaderProtocols joined in memory by @torsion/reactor/testing's connectedPair.
import { expect } from 'chai';
import { connectedPair } from '@torsion/reactor/testing';
import { StreamReader, StreamReaderProtocol } from '@torsion/streams';
import { settled } from './support.js';

function pair(options: { limit?: number; chunkSize?: number } = {}) {
  const server = new StreamReaderProtocol(new StreamReader(options.limit === undefined ? {} : { limit: options.limit }));
  const client = new StreamReaderProtocol(new StreamReader());
  const p = connectedPair(server, client, options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize });
  return { ...p, sw: server.writer!, sr: server.reader, cw: client.writer!, cr: client.reader };
}

describe('streams over an in-memory connected pair', () => {
  it('moves lines both ways', async () => {
    const { pump, sw, sr, cw, cr } = pair();
    cw.write('ping\n');
    pump.flush();
    expect((await sr.readLine()).toString()).to.equal('ping\n');
    sw.write('pong\n');
    pump.flush();
    expect((await cr.readLine()).toString()).to.equal('pong\n');
  });

  it('a half-closed client still gets its answer, then both ends close cleanly', async () => {
    const { pump, sw, sr, cw, cr } = pair();
    cw.write('question');
    cw.writeEof();
    pump.flush();
    expect((await sr.read()).toString()).to.equal('question');
    sw.write('answer');
    sw.close();
    pump.flush();
    expect((await cr.read()).toString()).to.equal('answer');
    cw.close();
    pump.flush();
    await Promise.all([sw.waitClosed(), cw.waitClosed()]);
  });

  it('drain waits on the write-buffer water marks until the pump moves the bytes', async () => {
    const { pump, clientTransport, cw, sr } = pair();
    clientTransport.setWriteBufferLimits(16, 4);
    cw.write('x'.repeat(32));
    const d = cw.drain();
    expect(await settled(d)).to.equal('pending');
    pump.flush();
    await d;
    expect((await sr.read(100)).length).to.equal(32);
  });

  it('the reader pauses the transport above 2×limit; reading lets the rest through', async () => {
    const { pump, serverTransport, cw, sr } = pair({ limit: 4, chunkSize: 5 });
    cw.write('0123456789abcdefghij');
    pump.flush();
    expect(serverTransport.isReading()).to.equal(false);
    // Each time the read has to wait it resumes the transport, and the next flush delivers more.
    const read = sr.readExactly(20);
    let rounds = 0;
    while ((await settled(read)) === 'pending' && rounds++ < 10) pump.flush();
    expect((await read).toString()).to.equal('0123456789abcdefghij');
    expect(rounds).to.be.above(1);
    cw.close();
    pump.flush();
    expect((await sr.read()).length).to.equal(0);
    expect(sr.exception()).to.equal(null);
    await cw.waitClosed();
  });
});
