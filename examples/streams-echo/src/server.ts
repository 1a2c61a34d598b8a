#!/usr/bin/env node
// The streams echo server: node examples/streams-echo/dist/src/server.js [port]
import type { TCPAddress } from '@torsion/reactor';
import { startEchoServer } from './echo-server.js';

const USAGE = 'usage: torsion-streams-echo-server [port]   (default 8888; 0 picks a free port)';
const arg = process.argv[2] ?? '8888';
// Number('') is 0, which would pick a random port: a blank value is refused like any other.
const port = arg.trim() === '' ? NaN : Number(arg);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`the port must be a whole number from 0 to 65535, got ${JSON.stringify(arg)}\n${USAGE}`);
  process.exit(2);
}
const server = await startEchoServer('127.0.0.1', port).catch((err: unknown) => {
  console.error((err as Error).message); // the port is in use...
  process.exit(1);
});

// The handlers go in before the line is said: a signal sent as soon as it appears then stops
// the server cleanly (before, it could kill the process outright).
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
console.log(`streams echo server listening on 127.0.0.1:${(server.ports[0]!.getHost() as TCPAddress).port}`);
await server.serveForever({ signal: stop.signal });
server.closeClients();
await server.waitClosed();
