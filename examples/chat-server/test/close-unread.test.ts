import { expect } from 'chai';
import { Clock } from '@torsion/reactor/testing';
import { Harness, until } from './harness.js';
import type { LineClient } from './line-client.js';

// A client that stops reading while below the write high-water mark (the kernel's buffers are
// full, ours not yet) is not "stuck"; but once the server decides to close it, its unread
// output must not keep the connection, its nickname and its slot forever.
describe('chat server: closing a client that does not read', function () {
  this.timeout(30000);
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  // Fill the kernel's buffers towards `reader` until the server holds some of its output itself.
  async function fillTowards(reader: string, talker: LineClient, other: LineClient): Promise<void> {
    const text = 'y'.repeat(4000);
    const transport = h.client(reader).transport;
    let sent = 0;
    while (transport.getWriteBufferSize() === 0 && sent < 20000) {
      for (let i = 0; i < 50; i++) talker.send(`${text} ${sent++}`);
      await other.expect(new RegExp(` ${sent - 1}$`));
    }
    expect(transport.getWriteBufferSize()).to.be.greaterThan(0);
  }

  for (const [how, act] of [
    ['after /quit', (c: LineClient) => c.send('/quit')],
    ['after the idle timeout', null],
  ] as const) {
    it(`cuts it ${how} once the grace period is over`, async () => {
      const clock = new Clock();
      await h.start({ clock, floodRate: 0, maxLineLength: 8192, writeHighWater: 64 << 20, writeLowWater: 1 << 20, idleTimeout: 60, shutdownGrace: 5 });
      const deaf = await h.join('deaf');
      deaf.socket.pause();
      const talker = await h.join('talker');
      const other = await h.join('other');
      await fillTowards('deaf', talker, other);
      if (act === null) {
        clock.advance(59); // the others stay active; deaf said nothing
        talker.send('/who');
        other.send('/who');
        await talker.expect(/In #lobby/);
        await other.expect(/In #lobby/);
        clock.advance(1);
      } else {
        act(deaf);
        const transport = h.client('deaf').transport;
        await until(() => transport.disconnecting, 'the server to handle /quit');
      }
      // The server is closing it but cannot flush: it is still there...
      expect(h.log.some((l) => l.startsWith('disconnect') && l.includes('deaf'))).to.equal(false);
      clock.advance(5);
      // ...until the grace period ends.
      const line = await h.waitForLog(/^disconnect .* deaf:/);
      expect(line).to.match(act === null ? /deaf: idle timeout/ : /deaf: quit/);
      expect(await other.expect(/deaf has quit/)).to.match(/\((quit|idle timeout)\)$/);
    });
  }

  it('cuts every such client when the server shuts down', async () => {
    const clock = new Clock();
    await h.start({ clock, floodRate: 0, maxLineLength: 8192, writeHighWater: 64 << 20, writeLowWater: 1 << 20, shutdownGrace: 5 });
    const deaf = await h.join('deaf');
    deaf.socket.pause();
    const talker = await h.join('talker');
    const other = await h.join('other');
    await fillTowards('deaf', talker, other);
    h.server.goodbyeAll();
    await other.expect(/Goodbye!/);
    await other.closed();
    clock.advance(5);
    expect(await h.waitForLog(/^disconnect .* deaf:/)).to.match(/deaf: server shutting down/);
  });
});
