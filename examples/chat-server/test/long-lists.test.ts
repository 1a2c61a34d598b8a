import { expect } from 'chai';
import { Harness } from './harness.js';
import type { LineClient } from './line-client.js';

// /rooms and /who replies grew with the number of clients: with --max-clients 5000 one reply
// line was over 100 KiB, too long for most clients' line limits (the streams client's is 64 KiB).
describe('chat server: /rooms and /who on a busy server', function () {
  this.timeout(30000);
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('list at most 100 entries and say how many more there are', async () => {
    await h.start();
    const all: LineClient[] = [];
    for (let i = 0; i < 120; i++) all.push(await h.join(`u${String(i).padStart(3, '0')}`));
    const first = all[0]!;
    first.send('/who');
    const who = await first.expect(/^\* In #lobby/);
    expect(who.split(', ')).to.have.length(100);
    expect(who).to.match(/^\* In #lobby: u000, u001, .*, u099 and 20 more$/);
    await Promise.all(all.map(async (c, i) => {
      c.send(`/join r${String(i).padStart(3, '0')}`);
      await c.expect(/You are in #r/);
    }));
    first.send('/rooms');
    const rooms = await first.expect(/^\* Rooms:/);
    expect(rooms).to.match(/^\* Rooms: #lobby \(0\), #r000 \(1\), .*, #r098 \(1\) and 21 more$/);
  });
});
