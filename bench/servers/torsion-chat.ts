// A chat room written with Torsion's LineReceiver the usual way: each line goes to every other
// member with sendLine(). The transport gathers the writes of one turn of the loop, so nothing
// here corks by hand, and sendLine() frames a line sent to many members once.
//
// Memory stays bounded when members stop reading, as asyncio's and Twisted's flow control
// intend: the transport calls pauseWriting() once a member's write buffer passes its high-water
// mark (64 KiB by default), and lines are not queued for that member until resumeWriting().
// So at most about 64 KiB plus one turn's lines is held per member, beyond the kernel's socket
// buffer; lines a stuck member misses are dropped, as the flagship chat room does.
import { Factory, LineReceiver } from '@torsion/protocols';
import { reactor } from '@torsion/reactor';
import { announce, exitOnSignal, portArg } from './serve.js';

class Member extends LineReceiver {
  declare factory: Room;
  override delimiter = '\n';
  /** False while this member's write buffer is above its high-water mark. */
  writable = true;

  override connectionMade(): void {
    this.factory.members.add(this);
  }

  override connectionLost(reason: Error): void {
    this.factory.members.delete(this);
    super.connectionLost(reason);
  }

  override pauseWriting(): void {
    this.writable = false;
  }

  override resumeWriting(): void {
    this.writable = true;
  }

  override lineReceived(line: Buffer): void {
    for (const m of this.factory.members) if (m !== this && m.writable) m.sendLine(line);
  }
}

class Room extends Factory {
  override protocol = Member;
  readonly members = new Set<Member>();
}

exitOnSignal();
const port = await reactor.listenTCP(portArg(), new Room(), { interface: '127.0.0.1', backlog: 1024 });
const host = port.getHost();
announce(host.type === 'TCP' ? host.port : 0);
