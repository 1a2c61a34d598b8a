import { expect } from 'chai';
import { ConnectionAborted, ConnectionDone, ConnectionLost, NotSupportedError, WriteAfterEofError } from '@torsion/reactor';
import type { ITransport } from '@torsion/reactor';
import { StringTransport, StringTransportWithDisconnection } from '@torsion/reactor/testing';
import { StreamReader, StreamReaderProtocol, StreamWriter, WriteAfterCloseError } from '@torsion/streams';
import { connect, settled, rejection } from './support.js';

describe('StreamReaderProtocol', () => {
  it('feeds received bytes to the reader and sets it as the reader’s transport', async () => {
    const { transport, protocol, reader } = connect();
    protocol.dataReceived(Buffer.from('abc\n'));
    expect((await reader.readLine()).toString()).to.equal('abc\n');
    // Flow control reaches the transport through the reader.
    protocol.dataReceived(Buffer.alloc(2 * reader.limit + 1));
    expect(transport.producerState).to.equal('paused');
    await reader.read(reader.limit + 1);
    expect(transport.producerState).to.equal('producing');
  });

  it('eofReceived feeds EOF and keeps the connection open for writing', async () => {
    const { transport, protocol, reader, writer } = connect();
    protocol.dataReceived(Buffer.from('tail'));
    expect(protocol.eofReceived()).to.equal(true);
    expect((await reader.readLine()).toString()).to.equal('tail');
    expect(reader.atEof()).to.equal(true);
    writer.write('reply');
    expect(transport.value().toString()).to.equal('reply');
  });

  it('a clean connectionLost is EOF for the reader', async () => {
    const { protocol, reader } = connect();
    const p = reader.readLine();
    protocol.connectionLost(new ConnectionDone());
    expect((await p).length).to.equal(0);
    expect(reader.exception()).to.equal(null);
  });

  it('an unclean connectionLost is stored as the reader’s exception', async () => {
    const { protocol, reader } = connect();
    const p = reader.readLine();
    const reason = new ConnectionLost();
    protocol.connectionLost(reason);
    expect(await rejection(p)).to.equal(reason);
    expect(reader.exception()).to.equal(reason);
  });

  it('calls the callback with the pair once connected', async () => {
    const reader = new StreamReader();
    let got: [StreamReader, StreamWriter] | null = null;
    const protocol = new StreamReaderProtocol(reader, (r, w) => {
      got = [r, w];
    });
    const waiting = protocol.whenConnected();
    new StringTransport().connect(protocol);
    expect(got).to.not.equal(null);
    expect(got![0]).to.equal(reader);
    expect(await waiting).to.equal(got![1]);
  });

  it('closes the connection when the callback throws or rejects', async () => {
    const { setLogObserver } = await import('@torsion/reactor');
    const logged: unknown[] = [];
    const previous = setLogObserver((e) => logged.push(e.error));
    try {
      const syncT = new StringTransport();
      syncT.connect(new StreamReaderProtocol(new StreamReader(), () => {
        throw new Error('sync');
      }));
      expect(syncT.disconnecting).to.equal(true);

      const asyncT = new StringTransport();
      asyncT.connect(new StreamReaderProtocol(new StreamReader(), async () => {
        await Promise.resolve();
        throw new Error('async');
      }));
      await new Promise((r) => setImmediate(r));
      expect(asyncT.disconnecting).to.equal(true);
      expect(logged.map((e) => (e as Error).message)).to.deep.equal(['sync', 'async']);
    } finally {
      setLogObserver(previous);
    }
  });
});
