import { expect } from 'chai';
import { ConnectionLost, ProcessExitedAlready, Reactor, type IReactorProcess } from '@torsion/reactor';
import { createSubprocess } from '@torsion/streams';

const NODE = process.execPath;

describe('createSubprocess', () => {
  it('communicate sends stdin, collects stdout, and wait gives the exit status', async () => {
    const proc = await createSubprocess(NODE, ['-e', 'process.stdin.pipe(process.stdout)']);
    expect(proc.pid).to.be.a('number');
    const [out, err] = await proc.communicate('echo me\n');
    expect(out.toString()).to.equal('echo me\n');
    expect(err.length).to.equal(0);
    expect(await proc.wait()).to.equal(0);
    expect(proc.returnCode).to.equal(0);
  });

  it('reads stdout and stderr line by line and reports a non-zero status', async () => {
    const proc = await createSubprocess(NODE, ['-e', "console.log('out'); console.error('err'); process.exitCode = 3"]);
    expect((await proc.stdout.readLine()).toString()).to.equal('out\n');
    expect((await proc.stderr.readLine()).toString()).to.equal('err\n');
    expect(await proc.wait()).to.equal(3);
    expect(proc.stdout.atEof() || (await proc.stdout.read()).length === 0).to.equal(true);
  });

  it('talks back and forth over stdin and stdout', async () => {
    const script = "require('readline').createInterface({ input: process.stdin }).on('line', (l) => console.log(l.toUpperCase()))";
    const proc = await createSubprocess(NODE, ['-e', script]);
    for (const word of ['alpha', 'beta']) {
      proc.stdin.write(`${word}\n`);
      await proc.stdin.drain();
      expect((await proc.stdout.readLine()).toString()).to.equal(`${word.toUpperCase()}\n`);
    }
    proc.stdin.close();
    expect(await proc.wait()).to.equal(0);
  });

  it('reads a large output through the reader’s flow control', async () => {
    const proc = await createSubprocess(NODE, ['-e', "process.stdout.write('x'.repeat(3 * 1024 * 1024))"], { limit: 1024 });
    const out = await proc.stdout.read();
    expect(out.length).to.equal(3 * 1024 * 1024);
    expect(await proc.wait()).to.equal(0);
  });

  it('kill ends the process (negative return code), then throws ProcessExitedAlready', async () => {
    const proc = await createSubprocess(NODE, ['-e', 'setInterval(() => {}, 1000)']);
    proc.kill('SIGKILL');
    expect(await proc.wait()).to.equal(-9);
    expect(() => proc.kill()).to.throw(ProcessExitedAlready);
  });

  it('rejects when the command cannot be started', async () => {
    let err: unknown;
    try {
      await createSubprocess('/nonexistent/torsion-no-such-command', []);
    } catch (e) {
      err = e;
    }
    expect((err as NodeJS.ErrnoException).code).to.equal('ENOENT');
  });

  /** Let the loop turn until `cond()` holds (bounded: the test's timeout ends a stuck wait). */
  async function until(cond: () => boolean): Promise<void> {
    while (!cond()) await new Promise((r) => setImmediate(r));
  }

  it('runs over the reactor’s spawnProcess: its process transport is exposed', async () => {
    const reactor = new Reactor({ installSignalHandlers: false });
    const calls: Array<readonly string[]> = [];
    const spy: IReactorProcess = {
      spawnProcess: (protocol, executable, args, options) => {
        calls.push(args);
        return reactor.spawnProcess(protocol, executable, args, options);
      },
    };
    const proc = await createSubprocess(NODE, ['-e', 'console.log(process.argv0)'], { reactor: spy });
    expect(calls).to.deep.equal([[NODE, '-e', 'console.log(process.argv0)']]); // args[0] is argv[0]
    expect(proc.transport.getPeer()).to.deep.equal({ type: 'PROCESS', pid: proc.pid });
    expect(proc.stdin.transport.getExtraInfo('pid')).to.equal(proc.pid);
    const [out] = await proc.communicate();
    expect(out.toString()).to.equal(`${NODE}\n`);
    expect(await proc.wait()).to.equal(0);
    expect(proc.transport.pid).to.equal(null);
    expect(proc.pid).to.be.a('number');
  });

  it('pauses the process transport while a reader holds more than twice its limit', async () => {
    const proc = await createSubprocess(NODE, ['-e', "process.stdout.write('y'.repeat(1024 * 1024))"], { limit: 1024 });
    await until(() => !proc.transport.isReading());
    // The child cannot finish: its output waits in the pipe, not in our memory.
    await new Promise((r) => setImmediate(r));
    expect(proc.returnCode).to.equal(null);
    const out = await proc.stdout.read();
    expect(out.length).to.equal(1024 * 1024);
    expect(await proc.wait()).to.equal(0);
  });

  it('keeps reading paused while either reader is over its limit', async () => {
    const script = "process.stderr.write('e'.repeat(256 * 1024), () => process.stdout.write('done\\n'))";
    const proc = await createSubprocess(NODE, ['-e', script], { limit: 1024 });
    await until(() => !proc.transport.isReading());
    // A read waiting on stdout lets its own reader resume, but stderr still holds too much.
    const line = proc.stdout.readLine();
    await new Promise((r) => setImmediate(r));
    expect(proc.transport.isReading()).to.equal(false);
    expect((await proc.stderr.read()).length).to.equal(256 * 1024);
    expect((await line).toString()).to.equal('done\n');
    expect(await proc.wait()).to.equal(0);
  });

  it('drain() holds a fast writer back to the child’s pace, with a bounded buffer', async () => {
    const script = "let n = 0; process.stdin.on('data', (d) => (n += d.length)).on('end', () => console.log(n))";
    const proc = await createSubprocess(NODE, ['-e', script]);
    const chunk = Buffer.alloc(64 * 1024, 1);
    let most = 0;
    for (let i = 0; i < 64; i++) {
      proc.stdin.write(chunk);
      most = Math.max(most, proc.transport.getWriteBufferSize());
      await proc.stdin.drain();
    }
    proc.stdin.close();
    await proc.stdin.waitClosed();
    expect(most).to.be.at.most(64 * 1024 + chunk.length);
    expect((await proc.stdout.readLine()).toString()).to.equal(`${64 * chunk.length}\n`);
    expect(await proc.wait()).to.equal(0);
  });

  it('stdin ends cleanly when the process exits first; drain() rejects if the child closes stdin while it runs', async () => {
    const quick = await createSubprocess(NODE, ['-e', '']);
    expect(await quick.wait()).to.equal(0);
    await quick.stdin.waitClosed(); // resolves: an orderly end

    const proc = await createSubprocess('/bin/sh', ['-c', 'exec 0<&-; echo closed; exec sleep 30']);
    expect((await proc.stdout.readLine()).toString()).to.equal('closed\n');
    let failure: unknown;
    // The broken pipe shows on a write, and its close a turn of the loop later.
    for (let i = 0; i < 1000 && failure === undefined; i++) {
      proc.stdin.write(Buffer.alloc(16 * 1024));
      await proc.stdin.drain().catch((err: unknown) => (failure = err));
      await new Promise((r) => setImmediate(r));
    }
    proc.stdin.write('dropped, not thrown');
    expect(failure).to.be.instanceOf(ConnectionLost);
    proc.kill('SIGKILL');
    expect(await proc.wait()).to.equal(-9);
  });
});
