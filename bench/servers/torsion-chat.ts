// A chat room written with Torsion's LineReceiver the usual way: each line goes to every other
// member with sendLine(). The transport gathers the writes of one turn of the loop, so nothing
// here corks by hand.
import { Factory, LineReceiver } from '@torsion/protocols';
import { reactor } from '@torsion/reactor';
import { announce, exitOnSignal, portArg } from './serve.js';

class Member extends LineReceiver {
  declare factory: Room;
  override delimiter = '\n';

  override connectionMade(): void {
    this.factory.members.add(this);
  }

  override connectionLost(reason: Error): void {
    this.factory.members.delete(this);
    super.connectionLost(reason);
  }

  override lineReceived(line: Buffer): void {
    for (const m of this.factory.members) if (m !== this) m.sendLine(line);
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
