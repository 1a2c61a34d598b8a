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

const USAGE = `usage: torsion-netstring-kv [--port N] [--host H] [--demo]
  --port N   TCP port to listen on (default 7070; 0 picks a free port)
  --host H   interface to bind (default 127.0.0.1)
  --demo     serve on a free port, run a short client session, print it, and exit`;

/** A command line the program cannot use: say what is wrong and how to call it, exit 2. */
function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let values: { port?: string; host?: string; demo?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string' }, demo: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (err) {
  usageError((err as Error).message);
}
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}
// Number('') is 0, which would pick a random port: a blank value is refused like any other.
const portArg = values.port === undefined ? 7070 : values.port.trim() === '' ? NaN : Number(values.port);
if (!Number.isInteger(portArg) || portArg < 0 || portArg > 65535) {
  usageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}`);
}
// An empty interface means every interface: a blank --host must not expose the server.
const hostArg = values.host ?? '127.0.0.1';
if (hostArg.trim() === '') {
  usageError(`--host must be an interface address such as 127.0.0.1, or 0.0.0.0 for every interface, got ${JSON.stringify(hostArg)}`);
}

const port = await reactor.listenTCP(values.demo === true ? 0 : portArg, new KVServerFactory(), { interface: hostArg }).catch((err: unknown) => {
  console.error((err as Error).message); // the port is in use, the address is not this host's...
  process.exit(1);
});
const { host, port: portNumber } = port.getHost() as TCPAddress;

if (values.demo === true) {
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
  // Said once run() has installed the SIGINT/SIGTERM handlers: a signal sent as soon as the
  // line appears then stops the server cleanly (before, it could kill the process outright).
  reactor.callWhenRunning(() => console.log(`netstring-kv listening on ${host}:${portNumber} (Ctrl-C to stop)`));
  await reactor.run();
}
