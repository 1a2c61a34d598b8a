import { expect } from 'chai';
import os from 'node:os';
import {
  ProcessDone,
  ProcessExitedAlready,
  ProcessSpawnError,
  ProcessTerminated,
  Reactor,
  setLogObserver,
  TorsionTypeError,
  WriteAfterEofError,
  type IProcessProtocol,
  type IProcessTransport,
  type LogEvent,
} from '@torsion/reactor';

const r = new Reactor({ installSignalHandlers: false });
const node = process.execPath;

/** Records every callback; `ended` resolves with processEnded's reason. */
class Recorder implements IProcessProtocol {
  transport!: IProcessTransport;
  events: string[] = [];
  out: Buffer[] = [];
  err: Buffer[] = [];
  exitReason: Error | undefined;
  pauses = 0;
  resumes = 0;
  readonly ended: Promise<Error>;
  #end!: (reason: Error) => void;
  onMade: (t: IProcessTransport) => void = () => {};
  onExited: () => void = () => {};
  onOut: () => void = () => {};

  constructor() {
    this.ended = new Promise((resolve) => (this.#end = resolve));
  }
  makeConnection(transport: IProcessTransport): void {
    this.transport = transport;
    this.events.push('made');
    this.onMade(transport);
  }
  childDataReceived(fd: number, data: Buffer): void {
    (fd === 1 ? this.out : this.err).push(data);
    if (fd === 1) this.onOut();
  }
  childConnectionLost(fd: number): void {
    this.events.push(`lost ${fd}`);
  }
  processExited(reason: Error): void {
    this.exitReason = reason;
    this.events.push('exited');
    this.onExited();
  }
  processEnded(reason: Error): void {
    this.events.push('ended');
    this.#end(reason);
  }
  pauseWriting(): void {
    this.pauses++;
  }
  resumeWriting(): void {
    this.resumes++;
  }
  stdout(): string {
    return Buffer.concat(this.out).toString();
  }
  stderr(): string {
    return Buffer.concat(this.err).toString();
  }
}

describe('reactor.spawnProcess', function () {
  this.timeout(20000);

  it('runs /bin/sh with args[0] as argv[0] and ends with ProcessDone after every pipe closed', async () => {
    const p = new Recorder();
    const t = r.spawnProcess(p, '/bin/sh', ['my-argv0', '-c', 'echo "$0"; echo oops >&2']);
    expect(t.pid).to.be.a('number');
    expect(t.getPeer()).to.deep.equal({ type: 'PROCESS', pid: t.pid });
    const reason = await p.ended;
    expect(reason).to.be.instanceOf(ProcessDone);
    expect(p.stdout()).to.equal('my-argv0\n');
    expect(p.stderr()).to.equal('oops\n');
    expect(p.events[0]).to.equal('made');
    expect(p.events.at(-1)).to.equal('ended');
    expect([...p.events].sort()).to.deep.equal(['ended', 'exited', 'lost 0', 'lost 1', 'lost 2', 'made']);
    expect(t.pid).to.equal(null);
  });

  it('writes to stdin (write, writeSequence) and closeStdin() gives the child EOF', async () => {
    const p = new Recorder();
    p.onMade = (t) => {
      t.write('one ');
      t.writeSequence([Buffer.from('two '), new Uint8Array([116, 104, 114, 101, 101])]);
      t.closeStdin();
    };
    r.spawnProcess(p, node, ['node', '-e', 'process.stdin.pipe(process.stdout)']);
    expect(await p.ended).to.be.instanceOf(ProcessDone);
    expect(p.stdout()).to.equal('one two three');
  });

  it('moves a megabyte through a child and back, pausing the writer at the high-water mark', async () => {
    const p = new Recorder();
    const chunk = Buffer.alloc(16 * 1024, 'x');
    p.onMade = (t) => {
      for (let i = 0; i < 64; i++) t.write(chunk);
      expect(t.getWriteBufferSize()).to.be.greaterThan(64 * 1024);
      t.closeStdin();
    };
    r.spawnProcess(p, node, ['node', '-e', 'process.stdin.pipe(process.stdout)']);
    await p.ended;
    expect(Buffer.concat(p.out).length).to.equal(64 * chunk.length);
    expect(p.pauses).to.equal(1);
    expect(p.resumes).to.equal(1);
  });

  it('asks a registered pull producer for more each time stdin has drained', async () => {
    const p = new Recorder();
    let asked = 0;
    p.onMade = (t) => {
      t.registerProducer(
        {
          resumeProducing: () => {
            asked++;
            t.write(`chunk ${asked}\n`);
            if (asked === 5) {
              t.unregisterProducer();
              t.closeStdin();
            }
          },
          stopProducing: () => {},
        },
        false,
      );
    };
    r.spawnProcess(p, node, ['node', '-e', 'process.stdin.pipe(process.stdout)']);
    await p.ended;
    expect(asked).to.equal(5);
    expect(p.stdout()).to.equal('chunk 1\nchunk 2\nchunk 3\nchunk 4\nchunk 5\n');
  });

  it('asks a pull producer once per drain, however many chunks it wrote', async () => {
    const p = new Recorder();
    let asked = 0;
    let askedTwiceInOneTurn = 0;
    let thisTurn = false;
    p.onMade = (t) => {
      t.registerProducer(
        {
          resumeProducing: () => {
            asked++;
            if (thisTurn) askedTwiceInOneTurn++;
            thisTurn = true;
            setImmediate(() => (thisTurn = false));
            t.write(`${asked}a `);
            t.write(`${asked}b\n`);
            if (asked === 8) {
              t.unregisterProducer();
              t.closeStdin();
            }
          },
          stopProducing: () => {},
        },
        false,
      );
    };
    r.spawnProcess(p, node, ['node', '-e', 'process.stdin.pipe(process.stdout)']);
    await p.ended;
    // Before the fix every write's completion scheduled its own resumeProducing(): the producer
    // was asked 1, 2, 4... times in one turn, and one that never stops grew stdin's buffer
    // without bound (100 MB in half a second).
    const lines = p.stdout().split('\n').filter((l) => l !== '');
    expect(lines).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `${i}a ${i}b`));
    expect(askedTwiceInOneTurn).to.equal(0);
  });

  it('reports a non-zero status as ProcessTerminated with exitCode', async () => {
    const p = new Recorder();
    r.spawnProcess(p, '/bin/sh', ['/bin/sh', '-c', 'exit 3']);
    const reason = (await p.ended) as ProcessTerminated;
    expect(reason).to.be.instanceOf(ProcessTerminated);
    expect([reason.exitCode, reason.signal]).to.deep.equal([3, null]);
    expect(p.exitReason).to.equal(reason);
  });

  it('signalProcess() sends a signal (names with or without SIG); afterwards it is ProcessExitedAlready', async () => {
    const p = new Recorder();
    p.onMade = (t) => t.write('go\n');
    const t = r.spawnProcess(p, node, [
      'node',
      '-e',
      "process.stdin.once('data', () => console.log('ready')); setInterval(() => {}, 1000)",
    ]);
    await new Promise<void>((resolve) => {
      p.onOut = () => {
        if (p.stdout().includes('ready')) resolve();
      };
    });
    t.signalProcess('TERM');
    const reason = (await p.ended) as ProcessTerminated;
    expect([reason.exitCode, reason.signal]).to.deep.equal([null, 'SIGTERM']);
    expect(reason.message).to.contain('SIGTERM');
    expect(() => t.signalProcess('SIGKILL')).to.throw(ProcessExitedAlready);
  });

  it('passes env and cwd to the child', async () => {
    const p = new Recorder();
    r.spawnProcess(p, node, ['node', '-e', 'console.log(process.env.TORSION_X + " " + process.cwd())'], {
      env: { TORSION_X: 'yes' },
      cwd: os.tmpdir(),
    });
    await p.ended;
    expect(p.stdout().trim()).to.equal(`yes ${(await import('node:fs')).realpathSync(os.tmpdir())}`);
  });

  it('reports an executable that cannot start as ProcessSpawnError, with the system error as cause', async () => {
    const p = new Recorder();
    const t = r.spawnProcess(p, '/nonexistent/torsion-test-binary', ['x']);
    expect(t.pid).to.equal(null);
    const reason = await p.ended;
    expect(reason).to.be.instanceOf(ProcessSpawnError);
    expect(reason).to.be.instanceOf(ProcessTerminated);
    expect((reason as ProcessSpawnError).code).to.equal('ERR_PROCESS_SPAWN');
    expect((reason.cause as NodeJS.ErrnoException).code).to.equal('ENOENT');
    expect(reason.message).to.contain('/nonexistent/torsion-test-binary');
    expect(() => t.signalProcess('TERM')).to.throw(ProcessExitedAlready);
  });

  it('refuses bad arguments with a TypeError', () => {
    const p = new Recorder();
    expect(() => r.spawnProcess(p, '', ['x'])).to.throw(TorsionTypeError);
    expect(() => r.spawnProcess(p, '/bin/sh', 'sh -c true' as unknown as string[])).to.throw(TorsionTypeError, 'args');
    expect(p.events).to.deep.equal([]);
  });

  it('a write after closeStdin() is WriteAfterEofError; writes after loseConnection() are dropped', async () => {
    const p = new Recorder();
    const t = r.spawnProcess(p, node, ['node', '-e', 'process.stdin.pipe(process.stdout)']);
    t.write('a');
    // Before the fix Node's own TypeError (ERR_INVALID_ARG_TYPE about a "chunk"), not ours.
    expect(() => t.write(42 as unknown as string)).to.throw(TorsionTypeError, /Uint8Array/);
    t.closeStdin();
    expect(() => t.write('b')).to.throw(WriteAfterEofError);
    await p.ended;
    expect(p.stdout()).to.equal('a');

    const q = new Recorder();
    const u = r.spawnProcess(q, node, ['node', '-e', 'process.stdin.pipe(process.stdout)']);
    u.loseConnection();
    expect(u.disconnecting).to.equal(true);
    u.write('dropped');
    expect(await q.ended).to.be.instanceOf(ProcessDone);
  });

  it('a write once the child’s stdin is gone (not closed by us) is dropped, not WriteAfterEofError', async () => {
    let thrown: unknown = null;
    let tried = false;
    class WriteWhenStdinGoes extends Recorder {
      override childConnectionLost(fd: number): void {
        super.childConnectionLost(fd);
        if (fd !== 0) return;
        tried = true;
        try {
          this.transport.write('too late');
        } catch (err) {
          thrown = err;
        }
      }
    }
    const p = new WriteWhenStdinGoes();
    r.spawnProcess(p, node, ['node', '-e', 'process.exit(0)']);
    expect(await p.ended).to.be.instanceOf(ProcessDone);
    expect(tried).to.equal(true);
    expect(thrown).to.equal(null);
  });

  it('pauseProducing() holds output back until resumeProducing()', async () => {
    const p = new Recorder();
    let t!: IProcessTransport;
    p.onMade = (transport) => {
      t = transport;
      t.pauseProducing();
    };
    const exited = new Promise<void>((resolve) => (p.onExited = resolve));
    r.spawnProcess(p, node, ['node', '-e', 'process.stdout.write("held")']);
    await exited;
    expect(t.isReading()).to.equal(false);
    expect(p.stdout()).to.equal('');
    expect(p.events).to.not.include('ended');
    t.resumeProducing();
    await p.ended;
    expect(p.stdout()).to.equal('held');
  });

  it('logs a protocol callback that throws and closes the pipes', async () => {
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    try {
      const p = new Recorder();
      p.childDataReceived = () => {
        throw new Error('bad output handler');
      };
      // The child echoes stdin and would run forever; closing its pipes ends it.
      p.onMade = (t) => t.write('x');
      const t = r.spawnProcess(p, node, ['node', '-e', 'process.stdin.pipe(process.stdout)']);
      expect(await p.ended).to.be.instanceOf(ProcessDone);
      expect(t.disconnecting).to.equal(true);
      const errors = events.filter((e) => e.level === 'error');
      expect(errors).to.have.length(1);
      expect((errors[0]!.error as Error).message).to.equal('bad output handler');
    } finally {
      setLogObserver(previous);
    }
  });
  it('logs a resumeWriting() or a pull producer that throws from a stdin drain, and closes the pipes', async () => {
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    try {
      // Before the fix these threw out of the pipe's write callback (or a setImmediate): an
      // uncaught exception that took the whole process down.
      const a = new Recorder();
      a.resumeWriting = () => {
        throw new Error('resumeWriting bug');
      };
      a.onMade = (t) => t.write(Buffer.alloc(1024 * 1024));
      const ta = r.spawnProcess(a, node, ['node', '-e', 'process.stdin.pipe(process.stdout)']);
      // The pipes are closed under the child, which may then die of EPIPE: either end is fine.
      expect(await a.ended).to.satisfy((e: Error) => e instanceof ProcessDone || e instanceof ProcessTerminated);
      expect(ta.disconnecting).to.equal(true);

      const b = new Recorder();
      let asked = 0;
      b.onMade = (t) => {
        t.registerProducer(
          {
            resumeProducing: () => {
              asked++;
              if (asked === 2) throw new Error('pull producer bug');
              t.write('chunk\n');
            },
            stopProducing: () => {},
          },
          false,
        );
      };
      const tb = r.spawnProcess(b, node, ['node', '-e', 'process.stdin.pipe(process.stdout)']);
      expect(await b.ended).to.satisfy((e: Error) => e instanceof ProcessDone || e instanceof ProcessTerminated);
      expect(tb.disconnecting).to.equal(true);
      expect(asked).to.equal(2);
      const messages = events.filter((e) => e.level === 'error').map((e) => (e.error as Error).message);
      expect(messages).to.deep.equal(['resumeWriting bug', 'pull producer bug']);
    } finally {
      setLogObserver(previous);
    }
  });

  it('logs a connectionMade() that throws and closes the pipes, instead of throwing out of spawnProcess', async () => {
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    try {
      const p = new Recorder();
      p.onMade = () => {
        throw new Error('connectionMade bug');
      };
      // Before the fix the error escaped spawnProcess() and the child (cat, waiting for EOF on
      // its stdin) was left running with its pipes open, keeping this process alive.
      const t = r.spawnProcess(p, '/bin/cat', ['cat']);
      expect(await p.ended).to.be.instanceOf(ProcessDone);
      expect(t.disconnecting).to.equal(true);
      const messages = events.filter((e) => e.level === 'error').map((e) => (e.error as Error).message);
      expect(messages).to.deep.equal(['connectionMade bug']);
    } finally {
      setLogObserver(previous);
    }
  });
});
