// Torsion's Protocol echo, written as a user would against the public API.
import { Factory, Protocol } from '@torsion/protocols';
import { reactor } from '@torsion/reactor';
import { announce, exitOnSignal, portArg } from './serve.js';

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

exitOnSignal();
const port = await reactor.listenTCP(portArg(), Factory.forProtocol(Echo), { interface: '127.0.0.1', backlog: 1024 });
const host = port.getHost();
announce(host.type === 'TCP' ? host.port : 0);
