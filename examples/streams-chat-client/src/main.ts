#!/usr/bin/env node
// A terminal chat client written with streams: node examples/streams-chat-client/dist/src/main.js [host] [port]
import { runChatClient } from './chat-client.js';

const USAGE = 'usage: torsion-streams-chat [host] [port]   (default 127.0.0.1 8023)';

/** A command line the client cannot use: say what is wrong and how to call it, exit 2. */
function usageError(message: string): never {
  console.error(`! ${message}\n${USAGE}`);
  process.exit(2);
}

const host = process.argv[2] ?? '127.0.0.1';
if (host.trim() === '') usageError(`the host must be a name or an address such as 127.0.0.1, got ${JSON.stringify(host)}`);
const portArg = process.argv[3] ?? '8023';
// Check the text typed, and show it: Number('abc') is NaN, Number('') is 0.
const port = portArg.trim() === '' ? NaN : Number(portArg);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  usageError(`the port must be a whole number from 1 to 65535, got ${JSON.stringify(portArg)}`);
}
try {
  await runChatClient(host, port, { input: process.stdin, output: process.stdout });
  console.log('* disconnected');
} catch (err) {
  console.error(`! ${(err as Error).message}`);
  process.exitCode = 1;
}
// stdin may still hold the loop open after the server closed.
process.stdin.destroy();
