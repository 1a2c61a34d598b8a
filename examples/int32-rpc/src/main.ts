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

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7071' },
    host: { type: 'string', default: '127.0.0.1' },
    demo: { type: 'boolean', default: false },
  },
});

const port = await reactor.listenTCP(values.demo ? 0 : Number(values.port), new RpcServerFactory(methods), { interface: values.host });
const { host, port: portNumber } = port.getHost() as TCPAddress;

if (values.demo) {
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
  console.log(`int32-rpc listening on ${host}:${portNumber} (Ctrl-C to stop); methods: ${Object.keys(methods).join(', ')}`);
  await reactor.run();
}
