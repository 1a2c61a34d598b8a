#!/usr/bin/env node
// An Int32-framed JSON RPC server with a few methods.
//
//   node examples/int32-rpc/dist/src/main.js [--port 7071] [--host 127.0.0.1]
//       serve until Ctrl-C
//   node examples/int32-rpc/dist/src/main.js --demo
//       serve on a free port, make a few calls against it, print them, and exit
import { parseArgs } from 'node:util';
import { reactor } from '@torsion/reactor';
import type { TCPAddress } from '@torsion/reactor';
import { connectRpc } from './client.js';
import { RpcServerFactory } from './server.js';
import { RpcError } from './wire.js';

const methods = {
  add: (params: unknown): number => {
    if (!Array.isArray(params) || !params.every((x) => typeof x === 'number')) {
      throw new RpcError('INVALID_PARAMS', 'add takes an array of numbers.');
    }
    return params.reduce((a: number, b: number) => a + b, 0);
  },
  echo: (params: unknown): unknown => params,
  time: (): string => new Date().toISOString(),
};

const USAGE = `usage: torsion-int32-rpc [--port N] [--host H] [--demo]
  --port N   TCP port to listen on (default 7071; 0 picks a free port)
  --host H   interface to bind (default 127.0.0.1)
  --demo     serve on a free port, make a few calls against it, print them, and exit`;

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
const portArg = values.port === undefined ? 7071 : values.port.trim() === '' ? NaN : Number(values.port);
if (!Number.isInteger(portArg) || portArg < 0 || portArg > 65535) {
  usageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}`);
}
// An empty interface means every interface: a blank --host must not expose the server.
const hostArg = values.host ?? '127.0.0.1';
if (hostArg.trim() === '') {
  usageError(`--host must be an interface address such as 127.0.0.1, or 0.0.0.0 for every interface, got ${JSON.stringify(hostArg)}`);
}

const port = await reactor.listenTCP(values.demo === true ? 0 : portArg, new RpcServerFactory(methods), { interface: hostArg }).catch((err: unknown) => {
  console.error((err as Error).message); // the port is in use, the address is not this host's...
  process.exit(1);
});
const { host, port: portNumber } = port.getHost() as TCPAddress;

if (values.demo === true) {
  const rpc = await connectRpc(reactor, host, portNumber);
  console.log('add [2, 3, 4] ->', await rpc.call('add', [2, 3, 4]));
  console.log('echo {hello: "world"} ->', await rpc.call('echo', { hello: 'world' }));
  for (const [method, params] of [['add', 'nope'], ['divide', [1, 0]]] as const) {
    try {
      await rpc.call(method, params);
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      console.log(`${method} ${JSON.stringify(params)} ->`, err.code);
    }
  }
  await rpc.close();
  await port.stopListening();
} else {
  // Said once run() has installed the SIGINT/SIGTERM handlers: a signal sent as soon as the
  // line appears then stops the server cleanly (before, it could kill the process outright).
  reactor.callWhenRunning(() => console.log(`int32-rpc listening on ${host}:${portNumber} (Ctrl-C to stop); methods: ${Object.keys(methods).join(', ')}`));
  await reactor.run();
}
