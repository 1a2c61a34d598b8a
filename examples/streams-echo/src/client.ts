#!/usr/bin/env node
// The streams echo client: node examples/streams-echo/dist/src/client.js [port] [message ...]
import { echoClient } from './echo-client.js';

const USAGE = 'usage: torsion-streams-echo-client [port] [message ...]   (default port 8888)';
const arg = process.argv[2] ?? '8888';
const port = arg.trim() === '' ? NaN : Number(arg);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`the port must be a whole number from 1 to 65535, got ${JSON.stringify(arg)}\n${USAGE}`);
  process.exit(2);
}
const messages = process.argv.length > 3 ? process.argv.slice(3) : ['Hello World!'];
try {
  for (const reply of await echoClient('127.0.0.1', port, messages)) console.log(`received: ${reply}`);
} catch (err) {
  console.error((err as Error).message); // no server on that port...
  process.exitCode = 1;
}
