import { expect } from 'chai';
import { Clock } from '@torsion/reactor/testing';
import { Harness } from './harness.js';

// What nc -N, socat and a Ctrl-D do: send, then shut down the sending side while still reading.
describe('chat server: a client that half-closes', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('gets the replies queued for it, then leaves the room', async () => {
    await h.start();
    const alice = await h.join('alice');
    const bob = await h.join('bob');
    bob.socket.end('/who\n');
    expect(await bob.expect(/In #lobby/)).to.equal('* In #lobby: alice, bob');
    await bob.closed();
    expect(await alice.expect(/has quit/)).to.equal('* bob has quit (end of input)');
    alice.send('/who');
    expect(await alice.expect(/In #lobby/)).to.equal('* In #lobby: alice');
  });

  it('has its last line said even without a newline', async () => {
    await h.start();
    const alice = await h.join('alice');
    const bob = await h.join('bob');
    bob.socket.end('last words');
    expect(await alice.expect(/<bob>/)).to.equal('<bob> last words');
    await alice.expect(/bob has quit/);
  });

  it('has every line it sent handled, at the throttled pace, before it is closed', async () => {
    const clock = new Clock();
    await h.start({ clock, floodRate: 10, floodBurst: 20, floodStrikes: 100 });
    const alice = await h.join('alice');
    const bob = await h.join('bob');
    let paste = '';
    for (let i = 0; i < 50; i++) paste += `line ${i}\n`;
    bob.socket.end(paste);
    await alice.expect(/<bob> line 18$/);
    for (let i = 0; i < 5 && !alice.lines.some((l) => l.includes('has quit')); i++) {
      clock.advance(1);
      await alice.expect(/<bob> line (28|38|48|49)$/);
    }
    await alice.expect(/bob has quit \(end of input\)/);
    const heard = alice.lines.filter((l) => l.startsWith('<bob>'));
    expect(heard).to.deep.equal(Array.from({ length: 50 }, (_, i) => `<bob> line ${i}`));
  });
});
