import { expect } from 'chai';
import { cleanText } from '../src/text.js';
import { Harness } from './harness.js';

describe('chat server: control characters in what clients say', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('replaces them, so no one can fake another nickname or rewrite a screen', async () => {
    await h.start();
    const mallory = await h.join('mallory');
    const bob = await h.join('bob');
    // A bare CR would move the cursor back and print "<admin> ..." over "<mallory> ".
    mallory.send('hi\r<admin> you are banned\x1b[2J\x07');
    expect(await bob.expect(/mallory/)).to.equal('<mallory> hi\ufffd<admin> you are banned\ufffd[2J\ufffd');
    mallory.send('/me \u202eesrever');
    expect(await bob.expect(/\* mallory/)).to.equal('* mallory \ufffdesrever');
    mallory.send('/quit \x1b[31mred');
    expect(await bob.expect(/has quit/)).to.equal('* mallory has quit (\ufffd[31mred)');
  });

  it('keeps ordinary text, including non-ASCII, and turns tabs into spaces', () => {
    const plain = 'héllo wörld — 你好 🎉';
    expect(cleanText(plain)).to.equal(plain);
    expect(cleanText('a\tb')).to.equal('a b');
    expect(cleanText('a\x00b\x7fc\u0085d')).to.equal('a\ufffdb\ufffdc\ufffdd');
  });
});
