import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import type { TCPAddress } from '@torsion/reactor';
import { startServer } from '@torsion/streams';
import { runChatClient } from '../src/chat-client.js';

/** A tiny chat room in the chat server's style: nickname first, then messages, /quit. */
async function miniChat() {
  return startServer(async (reader, writer) => {
    writer.write('* Welcome! What is your nickname?\r\n');
    const nick = (await reader.readLine()).toString().trim();
    writer.write(`* Hello ${nick}\r\n`);
    for await (const raw of reader) {
      const line = raw.toString().trim();
      if (line.startsWith('/quit')) {
        writer.write('* Bye\r\n');
        break;
      }
      writer.write(`<${nick}> ${line}\r\n`);
    }
    writer.close();
  }, '127.0.0.1', 0);
}

function collect(stream: PassThrough): () => string {
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  return () => out;
}

describe('example: streams chat client', () => {
  it('sends typed lines and prints the room’s lines until the server closes', async () => {
    const server = await miniChat();
    const input = new PassThrough();
    const output = new PassThrough();
    const printed = collect(output);
    try {
      const port = (server.ports[0]!.getHost() as TCPAddress).port;
      const done = runChatClient('127.0.0.1', port, { input, output, terminal: false });
      input.write('alice\n');
      input.write('hi all\n');
      input.write('/quit\n');
      await done;
      expect(printed()).to.equal('* Welcome! What is your nickname?\n* Hello alice\n<alice> hi all\n* Bye\n');
    } finally {
      await server.close();
      server.closeClients();
      await server.waitClosed();
    }
  });

  it('keeps the prompt below incoming messages on a terminal', async () => {
    const server = await miniChat();
    const input = new PassThrough();
    const output = new PassThrough();
    const printed = collect(output);
    try {
      const port = (server.ports[0]!.getHost() as TCPAddress).port;
      const done = runChatClient('127.0.0.1', port, { input, output, terminal: true, prompt: '> ' });
      input.write('bob\r');
      input.write('/quit\r');
      await done;
      const text = printed();
      // Each message is printed on a cleared line, then the prompt is drawn again.
      expect(text).to.match(/\x1b\[2K\x1b\[1G\* Hello bob\n\x1b\[1G\x1b\[0J> /);
    } finally {
      await server.close();
      server.closeClients();
      await server.waitClosed();
    }
  });

  it('ends the conversation when the input ends (Ctrl-D)', async () => {
    const server = await miniChat();
    const input = new PassThrough();
    const output = new PassThrough();
    try {
      const port = (server.ports[0]!.getHost() as TCPAddress).port;
      const done = runChatClient('127.0.0.1', port, { input, output, terminal: false });
      input.end('carol\n');
      await done;
    } finally {
      await server.close();
      server.closeClients();
      await server.waitClosed();
    }
  });
});
