import { expect } from 'chai';
import {
  ConnectionAborted, ConnectionDone, ConnectionLost, ProducerAlreadyRegistered, PumpLimitExceededError, TorsionRangeError,
  TorsionTypeError, WriteAfterEofError,
} from '@torsion/reactor';
import type { IProtocol, IPullProducer, IPushProducer, ITransport } from '@torsion/reactor';
import { Clock, connectedPair } from '@torsion/reactor/testing';
import { Protocol } from '@torsion/protocols';

/** Records everything that happens to it. */
class Recorder extends Protocol {
  received: string[] = [];
  lost: Error[] = [];
  eofs = 0;
  keepOpenOnEof = false;
  pausedWriting = 0;
  resumedWriting = 0;
  override dataReceived(data: Buffer): void {
    this.received.push(data.toString());
  }
  override eofReceived(): boolean {
    this.eofs += 1;
    return this.keepOpenOnEof;
  }
  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.lost.push(reason);
  }
  override pauseWriting(): void {
    this.pausedWriting += 1;
  }
  override resumeWriting(): void {
    this.resumedWriting += 1;
  }
  get text(): string {
    return this.received.join('');
  }
}

class Echo extends Recorder {
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

class Greeter extends Recorder {
  override connectionMade(): void {
    this.transport.write('welcome\n');
  }
}

/** Answers every chunk, forever. */
class Chatty extends Recorder {
  override connectionMade(): void {
    this.transport.write('x');
  }
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

class PushProducer implements IPushProducer {
  events: string[] = [];
  pauseProducing(): void {
    this.events.push('pause');
  }
  resumeProducing(): void {
    this.events.push('resume');
  }
  stopProducing(): void {
    this.events.push('stop');
  }
}

/** Writes `count` chunks, one per resumeProducing(), then unregisters. */
class PullProducer implements IPullProducer {
  stopped = false;
  constructor(readonly transport: ITransport, public count: number) {}
  resumeProducing(): void {
    this.transport.write(`chunk${this.count};`);
    this.count -= 1;
    if (this.count === 0) this.transport.unregisterProducer();
  }
  stopProducing(): void {
    this.stopped = true;
  }
}

/** Pauses its transport's reading after each chunk; counts readingResumed calls. */
class Pausing implements IProtocol {
  transport!: ITransport;
  received: string[] = [];
  resumed = 0;
  makeConnection(t: ITransport): void {
    this.transport = t;
  }
  dataReceived(data: Buffer): void {
    this.received.push(data.toString());
    this.transport.pauseProducing();
  }
  readingResumed(): void {
    this.resumed += 1;
  }
  connectionLost(): void {}
}

describe('connectedPair', () => {
  it('connects both ends and exchanges greetings on the first flush', () => {
    const { server, client, serverTransport, clientTransport } = connectedPair(new Greeter(), new Recorder());
    expect(server.connected).to.equal(true);
    expect(client.connected).to.equal(true);
    expect(server.transport).to.equal(serverTransport);
    expect(client.transport).to.equal(clientTransport);
    expect(client.text).to.equal('welcome\n');
    expect(serverTransport.getPeer()).to.deep.equal(clientTransport.getHost());
    expect(clientTransport.getPeer()).to.deep.equal(serverTransport.getHost());
    expect(serverTransport.getExtraInfo('peername')).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port: 12345 });
  });

  it('startTLS() records its options and resolves at once (no TLS in memory)', async () => {
    const { clientTransport } = connectedPair(new Recorder(), new Recorder());
    await clientTransport.startTLS({ servername: 'example.test' });
    expect(clientTransport.tlsOptions).to.deep.equal({ servername: 'example.test' });
  });

  it('moves nothing until flushed, then both ways until quiet', () => {
    const { server, client, pump, clientTransport } = connectedPair(new Echo(), new Recorder(), { flush: false });
    client.transport.write('ping');
    client.transport.writeSequence([' ', Buffer.from('pong')]);
    expect(clientTransport.getWriteBufferSize()).to.equal(9);
    expect(server.received).to.deep.equal([]);
    expect(pump.flush()).to.equal(true);
    expect(server.received).to.deep.equal(['ping pong']);
    expect(client.text).to.equal('ping pong');
    expect(clientTransport.getWriteBufferSize()).to.equal(0);
    expect(pump.flush()).to.equal(false);
  });

  it('delivers in chunks of chunkSize when asked', () => {
    const { server, client, pump } = connectedPair(new Recorder(), new Recorder(), { chunkSize: 3 });
    client.transport.write('0123456789');
    pump.flush();
    expect(server.received).to.deep.equal(['012', '345', '678', '9']);
    expect(() => connectedPair(new Recorder(), new Recorder(), { chunkSize: 0 })).to.throw(TorsionRangeError);
  });

  it('gives up with a clear error when the ends answer each other forever', () => {
    expect(() => connectedPair(new Chatty(), new Chatty(), { maxRounds: 50 })).to.throw(PumpLimitExceededError, /50 rounds/);
  });

  it('loseConnection() delivers what is queued, then ConnectionDone to both', () => {
    const { server, client, pump, clientTransport } = connectedPair(new Recorder(), new Recorder());
    client.transport.write('last words');
    client.transport.loseConnection();
    client.transport.write('dropped');
    expect(clientTransport.disconnecting).to.equal(true);
    expect(client.lost).to.deep.equal([]);
    pump.flush();
    expect(server.text).to.equal('last words');
    expect(server.lost).to.have.length(1);
    expect(client.lost).to.have.length(1);
    expect(server.lost[0]).to.be.instanceOf(ConnectionDone);
    expect(client.lost[0]).to.be.instanceOf(ConnectionDone);
    expect(clientTransport.lostReason).to.equal(client.lost[0]);
    pump.flush();
    expect(server.lost).to.have.length(1);
  });

  it('abortConnection() drops what is queued: ConnectionAborted here, ConnectionLost there', () => {
    const { server, client, pump } = connectedPair(new Recorder(), new Recorder());
    client.transport.write('never sent');
    client.transport.abortConnection();
    pump.flush();
    expect(server.received).to.deep.equal([]);
    expect(client.lost).to.have.length(1);
    expect(client.lost[0]).to.be.instanceOf(ConnectionAborted);
    expect(server.lost).to.have.length(1);
    expect(server.lost[0]).to.be.instanceOf(ConnectionLost);
  });

  it('writeEof() delivers eofReceived to the peer, which closes unless it keeps writing', () => {
    const { server, client, pump } = connectedPair(new Recorder(), new Recorder());
    client.transport.write('request');
    client.transport.writeEof();
    expect(() => client.transport.write('more')).to.throw(WriteAfterEofError);
    pump.flush();
    expect(server.text).to.equal('request');
    expect(server.eofs).to.equal(1);
    expect(server.lost[0]).to.be.instanceOf(ConnectionDone);
    expect(client.lost[0]).to.be.instanceOf(ConnectionDone);
  });

  it('a peer that keeps the connection open after EOF can still answer', () => {
    const server = new Recorder();
    server.keepOpenOnEof = true;
    const { client, pump } = connectedPair(server, new Recorder());
    client.transport.writeEof();
    pump.flush();
    expect(server.eofs).to.equal(1);
    expect(server.lost).to.deep.equal([]);
    server.transport.write('response');
    server.transport.loseConnection();
    pump.flush();
    expect(client.text).to.equal('response');
    expect(client.lost[0]).to.be.instanceOf(ConnectionDone);
    expect(server.lost[0]).to.be.instanceOf(ConnectionDone);
  });

  it('ends the connection once both ends have written EOF', () => {
    const server = new Recorder();
    const client = new Recorder();
    server.keepOpenOnEof = true;
    client.keepOpenOnEof = true;
    const { pump } = connectedPair(server, client);
    client.transport.writeEof();
    pump.flush();
    expect(server.lost).to.deep.equal([]);
    server.transport.writeEof();
    pump.flush();
    expect([server.eofs, client.eofs]).to.deep.equal([1, 1]);
    expect(server.lost[0]).to.be.instanceOf(ConnectionDone);
    expect(client.lost[0]).to.be.instanceOf(ConnectionDone);
  });

  it('holds bytes for an end whose reading is paused until it resumes', () => {
    const reader = new Pausing();
    const { server, pump, serverTransport } = connectedPair(new Recorder(), reader);
    server.transport.write('one');
    pump.flush();
    expect(reader.received).to.deep.equal(['one']);
    server.transport.write('two');
    pump.flush();
    expect(reader.received).to.deep.equal(['one']);
    expect(serverTransport.getWriteBufferSize()).to.equal(3);
    reader.transport.resumeProducing();
    expect(reader.resumed).to.equal(1);
    pump.flush();
    expect(reader.received).to.deep.equal(['one', 'two']);
  });

  it('holds the peer\'s EOF for an end whose reading is paused until it resumes, as a socket does', () => {
    const server = new Recorder();
    const { client, pump } = connectedPair(server, new Recorder());
    server.transport.pauseProducing();
    client.transport.writeEof();
    pump.flush();
    // Before the fix eofReceived() ran while paused (and closed the connection), ahead of
    // input the protocol still held, unlike the socket transports.
    expect(server.eofs).to.equal(0);
    expect(server.lost).to.deep.equal([]);
    server.transport.resumeProducing();
    pump.flush();
    expect(server.eofs).to.equal(1);
    expect(server.lost[0]).to.be.instanceOf(ConnectionDone);
    expect(client.lost[0]).to.be.instanceOf(ConnectionDone);
  });

  it('a paused end still closes once it resumes and drains', () => {
    const reader = new Pausing();
    const { server, pump } = connectedPair(new Recorder(), reader);
    reader.transport.pauseProducing();
    server.transport.write('held');
    server.transport.loseConnection();
    pump.flush();
    expect(server.lost).to.deep.equal([]);
    reader.transport.resumeProducing();
    pump.flush();
    expect(reader.received).to.deep.equal(['held']);
    expect(server.lost[0]).to.be.instanceOf(ConnectionDone);
  });

  it('pauses a streaming producer and the protocol above the high-water mark, resumes at the low one', () => {
    const { server, client, pump, serverTransport } = connectedPair(new Recorder(), new Recorder());
    const producer = new PushProducer();
    serverTransport.setWriteBufferLimits(10, 4);
    serverTransport.registerProducer(producer, true);
    expect(() => serverTransport.registerProducer(new PushProducer(), true)).to.throw(ProducerAlreadyRegistered);
    server.transport.write('0123456789');
    expect(producer.events).to.deep.equal([]);
    server.transport.write('a');
    expect(producer.events).to.deep.equal(['pause']);
    expect(server.pausedWriting).to.equal(1);
    pump.flush();
    expect(client.text).to.equal('0123456789a');
    expect(producer.events).to.deep.equal(['pause', 'resume']);
    expect(server.resumedWriting).to.equal(1);
    client.transport.loseConnection();
    pump.flush();
    expect(producer.events).to.deep.equal(['pause', 'resume', 'stop']);
    expect(serverTransport.producer).to.equal(undefined);
    expect(() => serverTransport.setWriteBufferLimits(1, 2)).to.throw(TorsionRangeError);
  });

  it('asks a pull producer for a chunk each time the queue empties', () => {
    const { serverTransport, client, pump } = connectedPair(new Recorder(), new Recorder());
    const producer = new PullProducer(serverTransport, 3);
    serverTransport.registerProducer(producer, false);
    pump.flush();
    expect(client.text).to.equal('chunk3;chunk2;chunk1;');
    expect(serverTransport.producer).to.equal(undefined);
  });

  it('stopProducing() on a transport closes the connection', () => {
    const { server, client, pump } = connectedPair(new Recorder(), new Recorder());
    server.transport.stopProducing();
    expect(server.transport.isReading()).to.equal(false);
    pump.flush();
    expect(client.lost[0]).to.be.instanceOf(ConnectionDone);
  });

  it('runs calls scheduled for now as the bytes move, and advances time on request', () => {
    const clock = new Clock();
    class Delayed extends Recorder {
      override dataReceived(data: Buffer): void {
        super.dataReceived(data);
        clock.callLater(0, () => this.transport.write('soon;'));
        clock.callLater(5, () => this.transport.write('later;'));
      }
    }
    const { client, pump } = connectedPair(new Delayed(), new Recorder(), { clock });
    client.transport.write('go');
    pump.flush();
    expect(client.text).to.equal('soon;');
    pump.advance(4.9);
    expect(client.text).to.equal('soon;');
    pump.advance(0.1);
    expect(client.text).to.equal('soon;later;');
    expect(clock.seconds()).to.equal(5);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('refuses to advance without a clock', () => {
    const { pump } = connectedPair(new Recorder(), new Recorder());
    expect(() => pump.advance(1)).to.throw(TorsionTypeError, /clock/);
  });

  it('lets an exception from a protocol reach the test', () => {
    class Broken extends Recorder {
      override dataReceived(): void {
        throw new Error('boom');
      }
    }
    const { client, pump } = connectedPair(new Broken(), new Recorder());
    client.transport.write('x');
    expect(() => pump.flush()).to.throw('boom');
  });

  it('applies new water marks at once, and stops a producer registered while closing', () => {
    const { server, serverTransport } = connectedPair(new Recorder(), new Recorder());
    const producer = new PushProducer();
    serverTransport.registerProducer(producer, true);
    server.transport.write('0123456789');
    serverTransport.setWriteBufferLimits(8, 2);
    expect(producer.events).to.deep.equal(['pause']);
    expect(server.pausedWriting).to.equal(1);
    serverTransport.setWriteBufferLimits(100, 20);
    expect(producer.events).to.deep.equal(['pause', 'resume']);
    expect(server.resumedWriting).to.equal(1);
    serverTransport.unregisterProducer();
    server.transport.loseConnection();
    const late = new PushProducer();
    serverTransport.registerProducer(late, true);
    expect(late.events).to.deep.equal(['stop']);
    expect(serverTransport.producer).to.equal(undefined);
  });
});

