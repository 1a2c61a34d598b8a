import { expect } from 'chai';
import { Harness } from './harness.js';
import type { LineClient } from './line-client.js';

describe('chat server: refused connections', function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('tells a client that connects during shutdown that the server is shutting down, not full', async () => {
    await h.start();
    const alice = await h.join('alice');
    h.server.goodbyeAll();
    await alice.expect(/Goodbye!/);
    const late = await h.connect();
    expect(await late.expect(/./)).to.equal('! The server is shutting down: try again later.');
    await late.closed();
    expect(await h.waitForLog(/^refused/)).to.match(/^refused 127\.0\.0\.1:\d+: server shutting down$/);
  });

  it('logs every refused connection with its peer and reason', async () => {
    await h.start({ maxClients: 1 });
    await h.join('alice');
    const c = await h.connect();
    await c.expect(/Server is full/);
    await c.closed();
    expect(await h.waitForLog(/^refused/)).to.match(/^refused 127\.0\.0\.1:\d+: server full \(1 clients\)$/);
  });

  it('never holds more than --max-clients, however many connect at once, and frees slots', async () => {
    await h.start({ maxClients: 5 });
    const members: LineClient[] = [];
    for (let i = 0; i < 5; i++) members.push(await h.join(`u${i}`));
    const extra = await Promise.all(Array.from({ length: 100 }, () => h.connect()));
    await Promise.all(extra.map((c) => c.closed()));
    expect(extra.every((c) => c.lines[0]?.startsWith('! Server is full'))).to.equal(true);
    expect(h.server.clients.size).to.equal(5);
    members[0]!.send('/quit');
    await members[0]!.closed();
    await h.waitForLog(/disconnect .* u0: quit/);
    const newcomer = await h.join('newcomer');
    newcomer.send('/who');
    expect(await newcomer.expect(/In #lobby/)).to.equal('* In #lobby: newcomer, u1, u2, u3, u4');
  });
});
