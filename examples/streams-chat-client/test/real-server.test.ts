import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import type { IListeningPort } from '@torsion/reactor';
import { Reactor } from '@torsion/reactor';
import { ChatServer } from '@torsion/example-chat-server';
import { runChatClient } from '../src/chat-client.js';

// The client against the real flagship server (examples/chat-server), not a stand-in.
describe('example: streams chat client against the real chat server', function () {
  this.timeout(10000);
  let reactor: Reactor;
  let server: ChatServer;
  let listening: IListeningPort;
  let port: number;

  beforeEach(async () => {
    reactor = new Reactor({ installSignalHandlers: false });
    server = new ChatServer({ log: () => {} });
    listening = await reactor.listenTCP(0, server, { interface: '127.0.0.1' });
    port = (listening.getHost() as { port: number }).port;
  });

  afterEach(async () => {
    for (const c of server.clients) c.transport.abortConnection();
    await listening.stopListening();
  });

  /** A client on a fake terminal; `printed()` is what it has shown so far. */
  function client(terminal = false) {
    const input = new PassThrough();
    const output = new PassThrough();
    let out = '';
    const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
    output.on('data', (d: Buffer) => {
      out += d.toString();
      for (const w of [...waiters]) if (w.re.test(out)) waiters.splice(waiters.indexOf(w), 1), w.resolve();
    });
    const done = runChatClient('127.0.0.1', port, { input, output, terminal, prompt: '> ' });
    const shows = (re: RegExp): Promise<void> =>
      re.test(out) ? Promise.resolve() : new Promise((resolve) => waiters.push({ re, resolve }));
    return { input, done, printed: () => out, shows };
  }

  it('joins with a nickname, talks, and ends on /quit', async () => {
    const alice = client();
    await alice.shows(/What is your nickname\?\n$/);
    alice.input.write('alice\n');
    await alice.shows(/You are in #lobby/);
    const bob = client();
    bob.input.write('bob\n');
    await alice.shows(/bob has joined #lobby\n/);
    bob.input.write('hello alice\n');
    await alice.shows(/<bob> hello alice\n/);
    alice.input.write('/msg bob hi\n');
    await bob.shows(/\[private\] <alice> hi\n/);
    bob.input.write('/quit see you\n');
    await bob.done;
    await alice.shows(/bob has quit \(see you\)\n/);
    // Lines arrive CRLF-terminated: the client shows them without the CR.
    expect(bob.printed()).to.not.contain('\r');
    expect(bob.printed()).to.match(/^\* Welcome to Torsion chat! What is your nickname\?\n\* Hello bob!/);
    expect(bob.printed()).to.match(/\* Bye!\n$/);
    alice.input.end();
    await alice.done;
  });

  it('ends the conversation when the input ends (Ctrl-D), and the room hears of it', async () => {
    const watcher = client();
    watcher.input.write('watcher\n');
    await watcher.shows(/You are in #lobby/);
    const carol = client();
    carol.input.end('carol\nlast words');
    await carol.done;
    await watcher.shows(/<carol> last words\n\* carol has quit \(end of input\)\n/);
    watcher.input.end();
    await watcher.done;
  });

  it('keeps the prompt below the room\'s lines on a terminal', async () => {
    const dave = client(true);
    await dave.shows(/nickname\?/);
    dave.input.write('dave\r');
    await dave.shows(/You are in #lobby/);
    dave.input.write('/quit\r');
    await dave.done;
    expect(dave.printed()).to.match(/\x1b\[2K\x1b\[1G\* Hello dave! Type \/help for commands\.\n\x1b\[1G\x1b\[0J> /);
  });
});
