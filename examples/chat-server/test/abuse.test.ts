import { expect } from 'chai';
import { Harness, until } from './harness.js';

// Ways a client might try to break the server that it already withstands: kept as regressions.
describe('chat server: misbehaving clients', function () {
  this.timeout(30000);
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('survives a client that disconnects in the middle of a huge line', async () => {
    await h.start();
    const alice = await h.join('alice');
    const bob = await h.join('bob');
    bob.socket.write(Buffer.alloc(3 << 20, 0x62));
    bob.socket.destroy();
    await alice.expect(/bob has quit/);
    alice.send('/rooms');
    expect(await alice.expect(/Rooms:/)).to.equal('* Rooms: #lobby (1)');
  });

  it('forgets rooms as they empty, however many are joined', async () => {
    await h.start({ floodRate: 0 });
    const alice = await h.join('alice');
    const bob = await h.join('bob');
    bob.send('/join keep');
    await bob.expect(/You are in #keep/);
    for (let i = 0; i < 3000; i++) alice.send(`/join r${i}`);
    await alice.expect(/You are in #r2999 /, 20000);
    expect(h.server.rooms.size).to.equal(3);
    alice.send('/part');
    await alice.expect(/You are in #lobby/);
    expect([...h.server.rooms.keys()].sort()).to.deep.equal(['keep', 'lobby']);
  });

  it('bounds a client\'s own replies when it asks for them and never reads', async () => {
    await h.start({ floodRate: 0, maxLineLength: 64 });
    const alice = await h.join('alice');
    alice.socket.pause();
    const bob = await h.join('bob');
    const transport = h.client('alice').transport;
    const before = h.server.stats.dropped;
    let sent = 0;
    while (h.server.stats.dropped === before && sent < 200000) {
      for (let i = 0; i < 1000; i++, sent++) alice.send(sent % 2 === 0 ? '/help' : '/who');
      await until(() => h.server.stats.dropped > before || transport.getWriteBufferSize() > 0, 'alice to fall behind', 10000).catch(() => undefined);
      expect(transport.getWriteBufferSize()).to.be.at.most(64 * 1024 + 1024);
    }
    expect(h.server.stats.dropped).to.be.greaterThan(before);
    expect(transport.getWriteBufferSize()).to.be.at.most(64 * 1024 + 1024);
    bob.send('/who');
    expect(await bob.expect(/In #lobby/)).to.equal('* In #lobby: alice, bob');
  });

  it('handles nicknames: own name in another case, the same name, lookalikes, /msg to self', async () => {
    await h.start();
    const alice = await h.join('alice');
    const bob = await h.join('bob');
    alice.send('/nick ALICE');
    expect(await bob.expect(/known as/)).to.equal('* alice is now known as ALICE');
    alice.send('/nick ALICE');
    expect(await alice.expect(/already/)).to.equal('! You are already known as ALICE.');
    alice.send('/nick \u0430lice'); // a Cyrillic "а"
    await alice.expect(/is not a valid nickname/);
    bob.send('/nick Alice');
    await bob.expect(/The nickname Alice is taken/);
    alice.send('/msg alice note to self');
    expect(await alice.expect(/\[private\]/)).to.equal('[private] <ALICE> note to self');
    bob.send('/who');
    expect(await bob.expect(/In #lobby/)).to.equal('* In #lobby: ALICE, bob');
    expect(bob.lines.filter((l) => l.includes('known as'))).to.have.length(1);
  });
});
