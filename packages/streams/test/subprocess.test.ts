import { expect } from 'chai';
import { ProcessExitedAlready } from '@torsion/reactor';
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
});
