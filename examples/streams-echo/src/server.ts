#!/usr/bin/env node
// The streams echo server: node examples/streams-echo/dist/src/server.js [port]
import type { TCPAddress } from '@torsion/reactor';
import { startEchoServer } from './echo-server.js';

const port = Number(process.argv[2] ?? 8888);
const server = await startEchoServer('127.0.0.1', port);
console.log(`streams echo server listening on 127.0.0.1:${(server.ports[0]!.getHost() as TCPAddress).port}`);

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
await server.serveForever({ signal: stop.signal });
server.closeClients();
await server.waitClosed();
