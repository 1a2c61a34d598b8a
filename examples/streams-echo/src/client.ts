#!/usr/bin/env node
// The streams echo client: node examples/streams-echo/dist/src/client.js [port] [message ...]
import { echoClient } from './echo-client.js';

const port = Number(process.argv[2] ?? 8888);
const messages = process.argv.length > 3 ? process.argv.slice(3) : ['Hello World!'];
for (const reply of await echoClient('127.0.0.1', port, messages)) console.log(`received: ${reply}`);
