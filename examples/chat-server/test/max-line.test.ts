import { expect } from 'chai';
import { Harness } from './harness.js';

// telnet and socat end lines with CRLF, nc with LF: --max-line is about the text either way.
describe('chat server: --max-line and the line ending', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('accepts a line of exactly --max-line bytes ending in CRLF or LF, and refuses one byte more', async () => {
    await h.start({ maxLineLength: 20 });
    const alice = await h.join('alice');
    const bob = await h.join('bob');
    alice.send('c'.repeat(20)); // CRLF
    expect(await bob.expect(/<alice>/)).to.equal(`<alice> ${'c'.repeat(20)}`);
    alice.send(Buffer.from(`${'l'.repeat(20)}\n`));
    expect(await bob.expect(/<alice>/)).to.equal(`<alice> ${'l'.repeat(20)}`);
    alice.send('C'.repeat(21));
    expect(await alice.expect(/^!/)).to.equal('! Line too long (max 20 bytes): it was ignored.');
    alice.send(Buffer.from(`${'L'.repeat(21)}\n`));
    expect(await alice.expect(/^!/)).to.equal('! Line too long (max 20 bytes): it was ignored.');
    alice.send('done');
    await bob.expect(/<alice> done/);
    expect(bob.lines.filter((l) => l.startsWith('<alice>'))).to.have.length(3);
  });
});
