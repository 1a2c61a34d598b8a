import { expect } from 'chai';
import { ProcessDone, ProcessTerminated, Reactor } from '@torsion/reactor';
import { ProcessProtocol } from '@torsion/protocols';

/** Collects a child's output and settles when it has ended. */
class Collect extends ProcessProtocol {
  out: Buffer[] = [];
  err: Buffer[] = [];
  readonly done: Promise<Error>;
  #resolve!: (reason: Error) => void;
  constructor(readonly input: string) {
    super();
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }
  override connectionMade(): void {
    this.transport.write(this.input);
    this.transport.closeStdin();
  }
  override outReceived(data: Buffer): void {
    this.out.push(data);
  }
  override errReceived(data: Buffer): void {
    this.err.push(data);
  }
  override processEnded(reason: Error): void {
    this.#resolve(reason);
  }
}

describe('ProcessProtocol with real processes', function () {
  this.timeout(20000);
  const reactor = new Reactor({ installSignalHandlers: false });

  it('feeds stdin to /bin/sh and gets stdout, stderr and a clean end', async () => {
    const p = new Collect('world\n');
    reactor.spawnProcess(p, '/bin/sh', ['/bin/sh', '-c', 'read name; echo "hello $name"; echo "note" >&2']);
    expect(await p.done).to.be.instanceOf(ProcessDone);
    expect(Buffer.concat(p.out).toString()).to.equal('hello world\n');
    expect(Buffer.concat(p.err).toString()).to.equal('note\n');
  });

  it('reports a node child’s exit status', async () => {
    const p = new Collect('');
    reactor.spawnProcess(p, process.execPath, ['node', '-e', 'process.exitCode = 7']);
    const reason = await p.done;
    expect(reason).to.be.instanceOf(ProcessTerminated);
    expect((reason as ProcessTerminated).exitCode).to.equal(7);
  });
});
