#!/usr/bin/env node
// A terminal chat client written with streams: node examples/streams-chat-client/dist/src/main.js [host] [port]
import { runChatClient } from './chat-client.js';

const host = process.argv[2] ?? '127.0.0.1';
const port = Number(process.argv[3] ?? 8023);
try {
  await runChatClient(host, port, { input: process.stdin, output: process.stdout });
  console.log('* disconnected');
} catch (err) {
  console.error(`! ${(err as Error).message}`);
  process.exitCode = 1;
}
// stdin may still hold the loop open after the server closed.
process.stdin.destroy();
