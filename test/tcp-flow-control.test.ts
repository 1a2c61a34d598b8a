import { expect } from 'chai';
import type * as net from 'node:net';
import { ConnectionDone, ProducerAlreadyRegistered, TorsionTypeError, type IPushProducer, type Reactor, type TCPAddress } from '@torsion/reactor';
import type { Protocol } from '@torsion/protocols';
import { Cleanup, Recorder, RecordingFactory, deferred, newReactor, pattern, rawConnect, readAtLeast, readToEnd } from './support/tcp-helpers.js';

/** Wait (turn by turn, bounded) until `check` holds. */
async function until(check: () => boolean, what: string, turns = 20000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A LineReceiver-like protocol that keeps unread lines and pauses after each one. */
class PausingLines extends Recorder {
  readonly lines: string[] = [];
  #buffer = '';
  #delivering = false;
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    this.#buffer += data.toString();
    this.#deliver();
  }
  constructor() {
    super();
    // Assigned rather than declared, so this compiles whether or not Protocol declares it.
    (this as { readingResumed?: () => void }).readingResumed = () => this.#deliver();
  }
  #deliver(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      let i: number;
      while (this.transport.isReading() && (i = this.#buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.#buffer.slice(0, i));
        this.#buffer = this.#buffer.slice(i + 1);
        this.transport.pauseProducing();
      }
    } finally {
      this.#delivering = false;
    }
  }
}

describe('TCP transport flow control', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;
  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  async function connected<P extends Protocol>(make: () => P): Promise<{ p: P; client: net.Socket }> {
    const factory = new RecordingFactory(make);
    const port = cleanup.port(await reactor.listenTCP(0, factory, { interface: '127.0.0.1' }));
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    const p = await factory.nextProtocol(0);
    return { p, client };
  }

  it('pauses reading, and resumeProducing() hands buffered lines over synchronously via readingResumed()', async () => {
    const { p, client } = await connected(() => new PausingLines());
    client.write('a\nb\nc\n');
    await p.receivedAtLeast(6);
    expect(p.lines).to.deep.equal(['a']);
    expect(p.transport.isReading()).to.equal(false);

    // While paused, new bytes stay in the socket instead of reaching dataReceived.
    const socket = p.transport.getExtraInfo('socket') as net.Socket;
    client.write('d\n');
    await until(() => socket.readableLength > 0, 'the paused socket to buffer the new line');
    expect(p.received().toString()).to.equal('a\nb\nc\n');

    p.transport.resumeProducing();
    expect(p.lines).to.deep.equal(['a', 'b']); // delivered inside resumeProducing()
    p.transport.resumeProducing();
    expect(p.lines).to.deep.equal(['a', 'b', 'c']);
    p.transport.resumeProducing(); // nothing buffered: the socket flows again
    await until(() => p.lines.length === 4, 'the line sent while paused');
    expect(p.lines).to.deep.equal(['a', 'b', 'c', 'd']);
    // Still paused after 'd': a paused transport does not see the peer leave, so close it here.
    p.transport.loseConnection();
  });

  it('pauses a streaming producer inside the write that crosses the high mark and resumes it at the low mark', async () => {
    const total = 8 * 1024 * 1024;
    const chunk = 16 * 1024;
    const payload = pattern(total, 11);
    const log: string[] = [];
    let maxBuffered = 0;
    let pausedInsideWrite = 0;

    class Streamer extends Recorder implements IPushProducer {
      sent = 0;
      paused = false;
      writing = false;
      override connectionMade(): void {
        super.connectionMade();
        this.transport.registerProducer(this, true);
        this.resumeProducing();
      }
      pauseProducing(): void {
        if (this.writing) pausedInsideWrite++;
        log.push(`pause@${this.transport.getWriteBufferSize()}`);
        this.paused = true;
      }
      resumeProducing(): void {
        log.push(`resume@${this.transport.getWriteBufferSize()}`);
        this.paused = false;
        while (!this.paused && this.sent < total) {
          this.writing = true;
          this.transport.write(payload.subarray(this.sent, this.sent + chunk));
          this.writing = false;
          this.sent += chunk;
          maxBuffered = Math.max(maxBuffered, this.transport.getWriteBufferSize());
        }
        if (this.sent >= total) {
          this.transport.unregisterProducer();
          this.transport.loseConnection();
        }
      }
      stopProducing(): void {
        log.push('stop');
      }
      override pauseWriting(): void {
        log.push('pauseWriting');
      }
      override resumeWriting(): void {
        log.push('resumeWriting');
      }
    }

    const { p, client } = await connected(() => new Streamer());
    client.pause(); // a peer that does not read
    await until(() => log.filter((e) => e.startsWith('pause@')).length > 0 && p.transport.getWriteBufferSize() > 16 * 1024, 'the producer to be paused by a full buffer');
    // The transport's buffer stays bounded while the peer reads nothing.
    expect(maxBuffered).to.be.at.most(64 * 1024 + chunk);
    expect(pausedInsideWrite).to.be.greaterThan(0);
    const pausedAt = log.filter((e) => e.startsWith('pause@')).map((e) => Number(e.slice(6)));
    for (const size of pausedAt) expect(size).to.be.greaterThan(64 * 1024);
    expect(log).to.include('pauseWriting');

    const all = readToEnd(client);
    client.resume();
    const got = await all;
    expect(got.length).to.equal(total);
    expect(got.equals(payload)).to.equal(true);
    const resumedAt = log.filter((e) => e.startsWith('resume@')).slice(1).map((e) => Number(e.slice(7)));
    expect(resumedAt.length).to.be.greaterThan(0);
    for (const size of resumedAt) expect(size).to.be.at.most(16 * 1024);
    expect(log).to.include('resumeWriting');
    expect(log.indexOf('pauseWriting')).to.be.lessThan(log.indexOf('resumeWriting'));
    expect(await p.lost.promise).to.be.instanceOf(ConnectionDone);
  });

  it('asks a pull producer for a chunk each time the buffer empties', async () => {
    const chunks = 40;
    const size = 64 * 1024;
    const payload = pattern(chunks * size, 5);
    const sizesAtResume: number[] = [];
    class Puller extends Recorder {
      n = 0;
      override connectionMade(): void {
        super.connectionMade();
        this.transport.registerProducer(
          {
            resumeProducing: () => {
              sizesAtResume.push(this.transport.getWriteBufferSize());
              this.transport.write(payload.subarray(this.n * size, (this.n + 1) * size));
              this.n++;
              if (this.n === chunks) {
                this.transport.unregisterProducer();
                this.transport.loseConnection();
              }
            },
            stopProducing: () => {},
          },
          false,
        );
      }
    }
    const { client } = await connected(() => new Puller());
    const got = await readToEnd(client);
    expect(got.equals(payload)).to.equal(true);
    expect(sizesAtResume).to.have.length(chunks);
    for (const s of sizesAtResume) expect(s).to.equal(0);
  });

  it('refuses a second producer, and stops a registered one when the connection is lost', async () => {
    const { p, client } = await connected(() => new Recorder());
    await p.made.promise;
    const stopped = deferred<void>();
    const producer = { pauseProducing: () => {}, resumeProducing: () => {}, stopProducing: () => stopped.resolve() };
    p.transport.registerProducer(producer, true);
    expect(() => p.transport.registerProducer(producer, true)).to.throw(ProducerAlreadyRegistered);
    client.destroy();
    await stopped.promise;
    await p.lost.promise;
    // Registering on a closed transport stops the producer at once.
    let stoppedAgain = false;
    p.transport.registerProducer({ resumeProducing: () => {}, stopProducing: () => (stoppedAgain = true) }, false);
    expect(stoppedAgain).to.equal(true);
  });

  it('calls pauseWriting/resumeWriting as writes cross custom water marks', async () => {
    const events: string[] = [];
    class Marks extends Recorder {
      override pauseWriting(): void {
        events.push(`pause:${this.transport.getWriteBufferSize()}`);
      }
      override resumeWriting(): void {
        events.push(`resume:${this.transport.getWriteBufferSize()}`);
      }
    }
    const { p, client } = await connected(() => new Marks());
    await p.made.promise;
    p.transport.setWriteBufferLimits(1000, 100);
    p.transport.write(Buffer.alloc(999));
    expect(events).to.deep.equal([]);
    p.transport.write(Buffer.alloc(2));
    expect(events).to.deep.equal(['pause:1001']);
    await readAtLeast(client, 1001);
    await until(() => events.length === 2, 'resumeWriting');
    expect(events[1]).to.equal('resume:0');
  });

  it('treats writeSequence() as one write: pauseWriting() after its last part, and a bad part queues nothing', async () => {
    const events: string[] = [];
    class Marks extends Recorder {
      override pauseWriting(): void {
        events.push(`pause:${this.transport.getWriteBufferSize()}`);
        this.transport.write('!'); // lands after the whole sequence, never inside it
      }
    }
    const { p, client } = await connected(() => new Marks());
    await p.made.promise;
    p.transport.setWriteBufferLimits(10, 5);
    expect(() => p.transport.writeSequence(['abc', 42 as unknown as string])).to.throw(TorsionTypeError);
    expect(p.transport.getWriteBufferSize()).to.equal(0);
    p.transport.writeSequence([Buffer.from('0123456789'), 'AB', '\n']);
    expect(events).to.deep.equal(['pause:13']);
    expect((await readAtLeast(client, 14)).toString()).to.equal('0123456789AB\n!');
  });

  it('lowering the marks below what the socket already holds pauses the writer, and resumes it once drained', async () => {
    const events: string[] = [];
    class Marks extends Recorder {
      override pauseWriting(): void {
        events.push('pause');
      }
      override resumeWriting(): void {
        events.push(`resume:${this.transport.getWriteBufferSize()}`);
      }
    }
    const { p, client } = await connected(() => new Marks());
    await p.made.promise;
    client.pause();
    const size = 8 * 1024 * 1024;
    p.transport.setWriteBufferLimits(64 * 1024 * 1024, 0); // no pause while filling
    p.transport.write(Buffer.alloc(size));
    const socket = p.transport.getExtraInfo('socket') as net.Socket;
    await until(() => socket.writableLength > 0 && p.transport.getWriteBufferSize() === socket.writableLength, 'the flush');
    expect(events).to.deep.equal([]);
    p.transport.setWriteBufferLimits(1000, 100);
    expect(events).to.deep.equal(['pause']);
    const got = readAtLeast(client, size);
    client.resume();
    await got;
    await until(() => events.length === 2, 'resumeWriting');
    expect(events[1]).to.equal('resume:0');
  });

  it('stopProducing() on the transport closes the connection', async () => {
    const { p, client } = await connected(() => new Recorder());
    await p.made.promise;
    const all = readToEnd(client);
    p.transport.write('flushed first');
    p.transport.stopProducing();
    expect(p.transport.isReading()).to.equal(false);
    expect((await all).toString()).to.equal('flushed first');
    expect(await p.lost.promise).to.be.instanceOf(ConnectionDone);
  });
});
