import { expect } from 'chai';
import { Clock } from '@torsion/reactor/testing';
import { Harness } from './harness.js';

describe('chat server: the nickname deadline', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('drops a client that chooses no nickname in time, even while it keeps trying bad ones', async () => {
    const clock = new Clock();
    await h.start({ clock, nickTimeout: 60 });
    const hog = await h.connect();
    await hog.expect(/nickname\?/);
    const ok = await h.join('alice');
    clock.advance(59);
    hog.send('9bad'); // not a valid nickname: asked again, the deadline stands
    await hog.expect(/not a valid nickname/);
    expect(hog.ended).to.equal(false);
    clock.advance(1);
    await hog.expect(/No nickname chosen within 60s: goodbye\./);
    await hog.closed();
    expect(await h.waitForLog(/no nickname chosen/)).to.match(/^disconnect 127\.0\.0\.1:\d+: no nickname chosen \(1 connected\)$/);
    // A client that chose in time is not affected.
    clock.advance(120);
    ok.send('/who');
    expect(await ok.expect(/In #lobby/)).to.equal('* In #lobby: alice');
  });

  it('can be turned off with 0', async () => {
    const clock = new Clock();
    await h.start({ clock, nickTimeout: 0, idleTimeout: 0 });
    const c = await h.connect();
    await c.expect(/nickname\?/);
    clock.advance(3600);
    c.send('late');
    await c.expect(/Hello late!/);
  });
});
