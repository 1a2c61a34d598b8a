import { expect } from 'chai';
import type { IListeningPort } from '@torsion/reactor';
import { Reactor } from '@torsion/reactor';
import { Clock } from '@torsion/reactor/testing';
import { ChatServer } from '../src/chat-server.js';
import type { ChatOptions } from '../src/options.js';
import { LineClient } from './line-client.js';

describe('chat server over real sockets', function () {
  let reactor: Reactor;
  let server: ChatServer;
  let port: IListeningPort;
  let clients: LineClient[];

  async function start(options: Partial<ChatOptions> = {}): Promise<number> {
    reactor = new Reactor({ installSignalHandlers: false });
    server = new ChatServer({ log: () => {}, ...options });
    port = await reactor.listenTCP(0, server, { interface: '127.0.0.1' });
    const host = port.getHost();
    if (host.type !== 'TCP') throw new Error('expected a TCP port');
    return host.port;
  }

  async function join(p: number, nick: string): Promise<LineClient> {
    const c = await LineClient.join(p, nick);
    clients.push(c);
    return c;
  }

  beforeEach(() => {
    clients = [];
  });

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    for (const c of server.clients) c.transport.abortConnection();
    await port.stopListening();
  });

  it('lets two clients talk in the lobby and in a room', async () => {
    const p = await start();
    const alice = await join(p, 'alice');
    const bob = await join(p, 'bob');
    await alice.expect(/\* bob has joined #lobby/);
    alice.send('hello bob');
    expect(await bob.expect(/alice/)).to.equal('<alice> hello bob');
    alice.send('/join Den');
    await alice.expect(/You are in #Den \(1 here\)/);
    await bob.expect(/\* alice has left #lobby/);
    bob.send('/rooms');
    expect(await bob.expect(/Rooms:/)).to.equal('* Rooms: #Den (1), #lobby (1)');
    bob.send('/join den');
    await bob.expect(/You are in #Den \(2 here\)/);
    await alice.expect(/\* bob has joined #Den/);
    bob.send('/who');
    expect(await bob.expect(/In #Den/)).to.equal('* In #Den: alice, bob');
    bob.send('/me waves');
    expect(await alice.expect(/waves/)).to.equal('* bob waves');
    bob.send('/part');
    await alice.expect(/\* bob has left #Den/);
    await bob.expect(/You are in #lobby/);
  });

  it('delivers private messages to the named client only', async () => {
    const p = await start();
    const alice = await join(p, 'alice');
    const bob = await join(p, 'bob');
    const carol = await join(p, 'carol');
    alice.send('/msg BOB psst');
    expect(await bob.expect(/private/)).to.equal('[private] <alice> psst');
    expect(await alice.expect(/\[to bob\]/)).to.equal('[to bob] psst');
    alice.send('/msg nobody hi');
    await alice.expect(/No one is called nobody/);
    carol.send('/who');
    await carol.expect(/In #lobby/);
    expect(carol.lines.some((l) => l.includes('psst'))).to.equal(false);
  });

  it('refuses a nickname that is taken (case-insensitively) or invalid, and asks again', async () => {
    const p = await start();
    await join(p, 'Alice');
    const c = await LineClient.connect(p);
    clients.push(c);
    await c.expect(/nickname\?/);
    c.send('alice');
    await c.expect(/The nickname alice is taken\. What is your nickname\?/);
    c.send('9lives');
    await c.expect(/not a valid nickname/);
    c.send('bob');
    await c.expect(/Hello bob!/);
    c.send('/nick ALICE');
    await c.expect(/The nickname ALICE is taken/);
    c.send('/nick robert');
    await c.expect(/You are now known as robert/);
  });

  it('announces nickname changes and quits to the room', async () => {
    const p = await start();
    const alice = await join(p, 'alice');
    const bob = await join(p, 'bob');
    bob.send('/nick bobby');
    expect(await alice.expect(/known as/)).to.equal('* bob is now known as bobby');
    bob.send('/quit gotta go');
    await bob.expect(/Bye!/);
    await bob.closed();
    expect(await alice.expect(/has quit/)).to.equal('* bobby has quit (gotta go)');
  });

  it('carries 50 clients in 5 rooms without crosstalk', async function () {
    this.timeout(20000);
    const p = await start();
    const rooms = ['a', 'b', 'c', 'd', 'e'];
    const all: LineClient[] = [];
    for (let i = 0; i < 50; i++) all.push(await join(p, `u${i}`));
    await Promise.all(all.map(async (c, i) => {
      c.send(`/join r${rooms[i % 5]}`);
      await c.expect(/You are in #r/);
    }));
    // Each join was answered, so every room is complete: now everyone speaks once.
    for (const r of rooms) expect(server.room(`r${r}`).members.size).to.equal(10);
    all.forEach((c, i) => c.send(`hi from ${i}`));
    await Promise.all(all.map(async (c, i) => {
      const heard = new Set<number>();
      while (heard.size < 9) {
        const line = await c.expect(/^<u\d+> hi from \d+$/);
        const from = Number(/from (\d+)$/.exec(line)![1]);
        expect(from % 5, `client ${i} heard ${from}`).to.equal(i % 5);
        heard.add(from);
      }
    }));
  });

  it('answers an overlong line with an error and keeps serving everyone', async () => {
    const p = await start({ maxLineLength: 1024 });
    const alice = await join(p, 'alice');
    const bob = await join(p, 'bob');
    alice.socket.write(Buffer.alloc(1024 * 1024, 0x61));
    await alice.expect(/Line too long/);
    alice.send('');
    bob.send('still here?');
    expect(await alice.expect(/still here/)).to.equal('<bob> still here?');
    alice.send('yes');
    expect(await bob.expect(/<alice>/)).to.equal('<alice> yes');
    expect(alice.lines.filter((l) => l.includes('too long'))).to.have.length(1);
  });

  it('answers invalid UTF-8 with an error, then disconnects after too many strikes', async () => {
    const p = await start({ maxStrikes: 3 });
    const alice = await join(p, 'alice');
    alice.send(Buffer.from([0xc3, 0x28, 0x0d, 0x0a]));
    await alice.expect(/not valid UTF-8/);
    alice.send(Buffer.from([0xc0, 0x80, 0x0a])); // an overlong encoding of NUL
    alice.send(Buffer.from([0xe2, 0x82, 0x0a]));
    await alice.expect(/Too many bad lines: goodbye/);
    await alice.closed();
  });

  it('ignores telnet negotiation bytes', async () => {
    const p = await start();
    const c = await LineClient.connect(p);
    clients.push(c);
    await c.expect(/nickname\?/);
    c.send(Buffer.concat([Buffer.from([0xff, 0xfd, 0x01, 0xff, 0xfa, 0x18, 0x00, 0x41, 0xff, 0xf0]), Buffer.from('tel\r\n')]));
    await c.expect(/Hello tel!/);
  });

  it('drops broadcasts to a client that does not read, bounds its buffer, and disconnects it', async function () {
    this.timeout(30000);
    const clock = new Clock();
    const p = await start({ clock, floodRate: 0, stuckTimeout: 30, maxLineLength: 4096 });
    const stuck = await join(p, 'stuck');
    stuck.socket.pause();
    const talker = await join(p, 'talker');
    const other = await join(p, 'other');
    const text = 'x'.repeat(4000);
    const stuckClient = [...server.clients].find((c) => c.nick === 'stuck')!;
    let sent = 0;
    // Talk until the server has had to drop lines for the stuck client.
    while (server.stats.dropped === 0 && sent < 20000) {
      for (let i = 0; i < 50; i++) talker.send(`${text} ${sent++}`);
      await other.expect(new RegExp(` ${sent - 1}$`));
      expect(stuckClient.transport.getWriteBufferSize()).to.be.at.most(64 * 1024 + 8 * 1024);
    }
    expect(server.stats.dropped).to.be.greaterThan(0);
    expect(stuck.ended).to.equal(false);
    clock.advance(30);
    // A paused socket reads nothing, so it would never see the close: read what is left.
    stuck.socket.resume();
    await stuck.closed();
    expect(server.stats.stuck).to.equal(1);
    other.send('/who');
    expect(await other.expect(/In #lobby/)).to.equal('* In #lobby: other, talker');
  });

  it('tells the sender of a /msg that it was not delivered to a client that does not read', async function () {
    this.timeout(30000);
    const p = await start({ floodRate: 0, maxLineLength: 4096 });
    const stuck = await join(p, 'stuck');
    stuck.socket.pause();
    const talker = await join(p, 'talker');
    const other = await join(p, 'other');
    const text = 'x'.repeat(4000);
    let sent = 0;
    // Talk until the server has had to drop lines for the stuck client.
    while (server.stats.dropped === 0 && sent < 20000) {
      for (let i = 0; i < 50; i++) talker.send(`${text} ${sent++}`);
      await other.expect(new RegExp(` ${sent - 1}$`));
    }
    talker.send('/msg stuck are you there?');
    expect(await talker.expect(/^(\[to stuck\]|! stuck)/)).to.equal('! stuck is not reading: your message was not delivered.');
    // Once it reads again, it hears of what it missed, and private messages reach it again.
    stuck.socket.resume();
    await stuck.expect(/message\(s\) were dropped while you were not reading/, 10000);
    expect(stuck.lines.some((l) => l.includes('are you there?'))).to.equal(false);
    talker.send('/msg stuck hello again');
    expect(await talker.expect(/^(\[to stuck\]|! stuck)/)).to.equal('[to stuck] hello again');
    expect(await stuck.expect(/private/)).to.equal('[private] <talker> hello again');
  });

  it('drops idle clients after the idle timeout (injected clock)', async () => {
    const clock = new Clock();
    const p = await start({ clock, idleTimeout: 60 });
    const alice = await join(p, 'alice');
    const bob = await join(p, 'bob');
    clock.advance(59);
    bob.send('/who');
    await bob.expect(/In #lobby/);
    clock.advance(1);
    await alice.expect(/Idle for 60s: goodbye/);
    await alice.closed();
    expect(bob.ended).to.equal(false);
    await bob.expect(/alice has quit \(idle timeout\)/);
  });

  it('throttles a flooding client, then disconnects it', async () => {
    const clock = new Clock();
    const p = await start({ clock, floodRate: 10, floodBurst: 20, floodStrikes: 3 });
    const flooder = await join(p, 'flooder');
    const bob = await join(p, 'bob');
    for (let i = 0; i < 200; i++) flooder.send(`spam ${i}`);
    // The burst (20 lines, one of them the nickname) goes through; then reading pauses until
    // the bucket refills to half: 10 more lines per second.
    await bob.expect(/<flooder> spam 18$/);
    clock.advance(1);
    await bob.expect(/<flooder> spam 28$/);
    clock.advance(1);
    await bob.expect(/<flooder> spam 38$/);
    // A fourth throttle in a row, without calming down, is one too many.
    clock.advance(1);
    await flooder.expect(/too fast: goodbye/);
    await flooder.closed();
    expect(server.stats.flooders).to.equal(1);
    await bob.expect(/flooder has quit \(flooding\)/);
    const heard = bob.lines.filter((l) => l.startsWith('<flooder>'));
    expect(heard).to.have.length(48);
    expect(heard[47]).to.equal('<flooder> spam 47');
  });

  it('tells clients over --max-clients that the server is full', async () => {
    const p = await start({ maxClients: 2 });
    await join(p, 'a');
    await join(p, 'b');
    const c = await LineClient.connect(p);
    clients.push(c);
    await c.expect(/Server is full/);
    await c.closed();
  });
});
