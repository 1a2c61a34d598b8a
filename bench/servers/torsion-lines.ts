// Torsion's LineReceiver line echo, written as a user would against the public API.
import { Factory, LineReceiver } from '@torsion/protocols';
import { reactor } from '@torsion/reactor';
import { announce, exitOnSignal, portArg } from './serve.js';

class LineEcho extends LineReceiver {
  override delimiter = '\n';

  override lineReceived(line: Buffer): void {
    this.sendLine(line);
  }
}

exitOnSignal();
const port = await reactor.listenTCP(portArg(), Factory.forProtocol(LineEcho), { interface: '127.0.0.1', backlog: 1024 });
const host = port.getHost();
announce(host.type === 'TCP' ? host.port : 0);
