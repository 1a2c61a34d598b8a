import { expect } from 'chai';
import { ConnectionAborted, ConnectionDone, ConnectionLost, NotSupportedError, WriteAfterEofError } from '@torsion/reactor';
import type { ITransport } from '@torsion/reactor';
import { StringTransport, StringTransportWithDisconnection } from '@torsion/reactor/testing';
import { StreamWriter, WriteAfterCloseError } from '@torsion/streams';
import { connect, settled, rejection } from './support.js';

describe('StreamWriter', () => {
  it('write and writeLines reach the transport in order', () => {
    const { transport, writer } = connect();
    writer.write('hello ');
    writer.write(Buffer.from('world\n'));
    writer.writeLines(['a\n', new Uint8Array([98, 10])]);
    expect(transport.value().toString()).to.equal('hello world\na\nb\n');
  });

  it('drain resolves at once while writing is not paused', async () => {
    const { writer } = connect();
    expect(await settled(writer.drain())).to.equal('done');
  });

  it('several concurrent drains wait while paused and all resolve on resume', async () => {
    const { protocol, writer } = connect();
    protocol.pauseWriting();
    const drains = [writer.drain(), writer.drain(), writer.drain()];
    for (const d of drains) expect(await settled(d)).to.equal('pending');
    protocol.resumeWriting();
    await Promise.all(drains);
    expect(await settled(writer.drain())).to.equal('done');
  });

  it('drain rejects with the reason once the connection is lost, and waiting drains too', async () => {
    const { protocol, writer } = connect();
    protocol.pauseWriting();
    const waiting = writer.drain();
    const reason = new ConnectionLost();
    protocol.connectionLost(reason);
    expect(await rejection(waiting)).to.equal(reason);
    expect(await rejection(writer.drain())).to.equal(reason);
  });

  it('drain rejects with the reader’s stored exception', async () => {
    const { reader, writer } = connect();
    const boom = new Error('boom');
    reader.setException(boom);
    expect(await rejection(writer.drain())).to.equal(boom);
  });

  it('writeEof half-closes; later writes throw WriteAfterEofError', () => {
    const { transport, writer } = connect();
    expect(writer.canWriteEof()).to.equal(true);
    writer.write('last');
    writer.writeEof();
    expect(transport.eofWritten).to.equal(true);
    expect(() => writer.write('more')).to.throw(WriteAfterEofError);
    expect(() => writer.writeLines(['more'])).to.throw(WriteAfterEofError);
    writer.writeEof(); // a second call is harmless
  });

  it('canWriteEof follows the transport', () => {
    const { writer } = connect(new StringTransport({ canWriteEof: false }));
    expect(writer.canWriteEof()).to.equal(false);
  });

  it('a writeEof the transport cannot do (TLS) throws NotSupportedError naming close(), and leaves the writer writable', () => {
    const { transport, writer } = connect(new StringTransport({ canWriteEof: false }));
    expect(() => writer.writeEof()).to.throw(NotSupportedError, /close\(\)/);
    writer.write('still open');
    expect(transport.value().toString()).to.equal('still open');
  });

  it('close is idempotent, sets isClosing, and later writes throw WriteAfterCloseError', () => {
    const { transport, writer } = connect();
    expect(writer.isClosing()).to.equal(false);
    writer.close();
    writer.close();
    expect(transport.disconnecting).to.equal(true);
    expect(writer.isClosing()).to.equal(true);
    const err = (() => {
      try {
        writer.write('x');
      } catch (e) {
        return e as WriteAfterCloseError;
      }
      throw new Error('write after close did not throw');
    })();
    expect(err).to.be.instanceOf(WriteAfterCloseError);
    expect(err.code).to.equal('ERR_WRITE_AFTER_CLOSE');
  });

  it('waitClosed resolves after a clean close', async () => {
    const { writer } = connect(new StringTransportWithDisconnection());
    const closed = writer.waitClosed();
    expect(await settled(closed)).to.equal('pending');
    writer.close();
    await closed;
  });

  it('waitClosed resolves after a local abort', async () => {
    const { transport, writer } = connect(new StringTransportWithDisconnection());
    transport.abortConnection();
    await writer.waitClosed();
    expect(await rejection(writer.drain())).to.be.instanceOf(ConnectionAborted);
  });

  it('waitClosed rejects with the reason after an unclean loss', async () => {
    const { protocol, writer } = connect();
    const reason = new ConnectionLost();
    protocol.connectionLost(reason);
    expect(await rejection(writer.waitClosed())).to.equal(reason);
    expect(writer.isClosing()).to.equal(true);
  });

  it('an unawaited waitClosed after an unclean loss is not an unhandled rejection', async () => {
    const seen: unknown[] = [];
    const onUnhandled = (err: unknown): void => void seen.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { protocol } = connect();
      protocol.connectionLost(new ConnectionLost());
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(seen).to.deep.equal([]);
  });

  it('getExtraInfo asks the transport, with a fallback', () => {
    const { writer } = connect(new StringTransport({ extraInfo: { cipher: 'none' } }));
    expect(writer.getExtraInfo('cipher')).to.equal('none');
    expect(writer.getExtraInfo('peercert', 'nothing')).to.equal('nothing');
    expect(writer.getExtraInfo('peername')).to.not.equal(undefined);
  });

  it('exposes its transport', () => {
    const { transport, writer } = connect();
    expect(writer.transport).to.equal(transport);
  });

  it('startTls drains and upgrades the transport', async () => {
    const { transport, writer } = connect();
    await writer.startTls({ servername: 'example.test' });
    expect(transport.tlsOptions).to.deep.equal({ servername: 'example.test' });
  });

  it('startTls on a transport without TLS support is NotSupportedError', async () => {
    const { transport, protocol, reader } = connect();
    const plain = Object.create(transport, { startTLS: { value: undefined } }) as ITransport;
    const writer = new StreamWriter(plain, protocol, reader);
    expect(await rejection(writer.startTls({}))).to.be.instanceOf(NotSupportedError);
  });

  it('await using closes the writer', async () => {
    const transport = new StringTransportWithDisconnection();
    const { writer } = connect(transport);
    await writer[Symbol.asyncDispose]();
    expect(transport.lostReason).to.be.instanceOf(ConnectionDone);
  });
});

