#!/usr/bin/env node
// A netstring key-value server.
//
//   node examples/netstring-kv/dist/src/main.js [--port 7070] [--host 127.0.0.1]
//       serve until Ctrl-C
//   node examples/netstring-kv/dist/src/main.js --demo
//       serve on a free port, run a short client session against it, print it, and exit
import { parseArgs } from 'node:util';
import { reactor } from '@torsion/reactor';
import type { TCPAddress } from '@torsion/reactor';
import { KVError, connectKV } from './client.js';
import { KVServerFactory } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7070' },
    host: { type: 'string', default: '127.0.0.1' },
    demo: { type: 'boolean', default: false },
  },
});

const port = await reactor.listenTCP(values.demo ? 0 : Number(values.port), new KVServerFactory(), { interface: values.host });
const { host, port: portNumber } = port.getHost() as TCPAddress;

if (values.demo) {
  const kv = await connectKV(reactor, host, portNumber);
  await kv.set('greeting', 'hello, world');
  console.log('GET greeting ->', (await kv.get('greeting'))?.toString());
  console.log('DEL greeting ->', await kv.del('greeting'));
  console.log('GET greeting ->', await kv.get('greeting'));
  try {
    await kv.set('k'.repeat(300), 'x');
  } catch (err) {
    if (!(err instanceof KVError)) throw err;
    console.log('SET kkk...k (300 bytes) ->', err.code);
  }
  await kv.close();
  await port.stopListening();
} else {
  console.log(`netstring-kv listening on ${host}:${portNumber} (Ctrl-C to stop)`);
  await reactor.run();
}
