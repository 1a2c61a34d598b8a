import { expect } from 'chai';
import { Harness } from './harness.js';

describe('chat server: commands before a nickname is chosen', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('lets a client /quit or ask for /help instead of taking "/quit" for a bad nickname', async () => {
    await h.start();
    const c = await h.connect();
    await c.expect(/nickname\?/);
    c.send('/help');
    await c.expect(/\/quit \[REASON\]/);
    c.send('/join den');
    expect(await c.expect(/^!/)).to.equal('! Choose a nickname first (or /quit). What is your nickname?');
    c.send('/quit');
    await c.expect(/Bye!/);
    await c.closed();
    expect(await h.waitForLog(/^disconnect/)).to.match(/^disconnect 127\.0\.0\.1:\d+: quit \(0 connected\)$/);
  });
});
