// server.ts
import { reactor } from '@torsion/reactor';
import { Factory, formatAddress } from '@torsion/protocols';
import { Shout } from './shout.js';

const port = await reactor.listenTCP(Number(process.argv[2] ?? 8023), Factory.forProtocol(Shout), {
  interface: '127.0.0.1',
});
console.log(`listening on ${formatAddress(port.getHost())}`);
await reactor.run();   // until Ctrl-C: connections are flushed and closed, then run() resolves
console.log('stopped');
