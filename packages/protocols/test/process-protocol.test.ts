import { expect } from 'chai';
import { ProcessDone, type IProcessTransport } from '@torsion/reactor';
import { ProcessProtocol } from '@torsion/protocols';

class Recording extends ProcessProtocol {
  seen: string[] = [];
  override connectionMade(): void {
    this.seen.push('connectionMade');
  }
  override outReceived(data: Buffer): void {
    this.seen.push(`out ${data.toString()}`);
  }
  override errReceived(data: Buffer): void {
    this.seen.push(`err ${data.toString()}`);
  }
  override inConnectionLost(): void {
    this.seen.push('in lost');
  }
  override outConnectionLost(): void {
    this.seen.push('out lost');
  }
  override errConnectionLost(): void {
    this.seen.push('err lost');
  }
  override processExited(reason: Error): void {
    this.seen.push(`exited ${reason.name}`);
  }
  override processEnded(reason: Error): void {
    this.seen.push(`ended ${reason.name}`);
  }
}

describe('ProcessProtocol', () => {
  it('sets transport, then dispatches output and pipe closes by file descriptor', () => {
    const p = new Recording();
    const transport = { pid: 42 } as unknown as IProcessTransport;
    p.makeConnection(transport);
    expect(p.transport).to.equal(transport);
    p.childDataReceived(1, Buffer.from('a'));
    p.childDataReceived(2, Buffer.from('b'));
    p.childDataReceived(3, Buffer.from('ignored'));
    p.childConnectionLost(0);
    p.childConnectionLost(1);
    p.childConnectionLost(2);
    p.processExited(new ProcessDone());
    p.processEnded(new ProcessDone());
    expect(p.seen).to.deep.equal([
      'connectionMade',
      'out a',
      'err b',
      'in lost',
      'out lost',
      'err lost',
      'exited ProcessDone',
      'ended ProcessDone',
    ]);
  });

  it('has do-nothing defaults for every callback', () => {
    const p = new ProcessProtocol();
    p.makeConnection({} as IProcessTransport);
    p.childDataReceived(1, Buffer.from('x'));
    p.childConnectionLost(2);
    p.processEnded(new ProcessDone());
    p.pauseWriting();
    p.resumeWriting();
  });
});
