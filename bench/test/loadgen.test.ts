// The C load client's chat start-up and stall reporting, against small rooms written here, and the
// runner's limit on a client that hangs. Real processes and sockets on 127.0.0.1.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLoadgen, runLoadgen } from '../lib/loadgen.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface RoomOptions {
  /** Clients after the first `early` are put in the room only this many ms after they connect. */
  lateMs?: number;
  early?: number;
  /** Forward only this many lines, then nothing (a server that stops delivering). */
  forward?: number;
}

/** A '\n' chat room: each line goes to every other member. Resolves with its port and a closer. */
async function room(o: RoomOptions): Promise<{ port: number; close: () => Promise<void> }> {
  const members = new Set<Socket>();
  const all = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;
  let forwarded = 0;
  const server: Server = createServer({ noDelay: true }, (s) => {
    all.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => { members.delete(s); all.delete(s); });
    if (accepted++ < (o.early ?? 0) || o.lateMs === undefined) members.add(s);
    else {
      const t = setTimeout(() => { timers.delete(t); if (!s.destroyed) members.add(s); }, o.lateMs);
      timers.add(t);
    }
    let rest = '';
    s.on('data', (d: Buffer) => {
      const lines = (rest + d.toString('latin1')).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (forwarded++ >= (o.forward ?? Infinity)) continue;
        for (const m of members) if (m !== s) m.write(`${line}\n`, 'latin1');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of all) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The message `p` rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the run to fail, but it succeeded');
}

const chat = (port: number, ...more: string[]): string[] => [
  '--mode', 'chat', '--port', String(port), '--conns', '20', '--senders', '4', '--window', '8', '--rcvlowat', '0', ...more,
];

describe('bench load client', function () {
  this.timeout(15000);
  let bin = '';

  before(function () {
    if (spawnSync(process.env['CC'] ?? 'cc', ['--version']).status !== 0) this.skip();
    bin = buildLoadgen(benchDir);
  });

  it('measures a chat room that registers clients late: no line is sent before all are in', async () => {
    // The first window would miss the late clients (the reference receiver among them) and the
    // senders, paced by it, would never send again: a count of 0.
    const r = await room({ early: 5, lateMs: 300 });
    try {
      const out = await runLoadgen(bin, chat(r.port, '--duration', '0.3', '--warmup', '0.05'), undefined, {}, 10);
      expect(Number(out['count'])).to.be.greaterThan(0);
      expect(Number(out['gaps'])).to.equal(0);
    } finally {
      await r.close();
    }
  });

  it('reports a room that never lets the clients in, naming one left out', async () => {
    const r = await room({ forward: 0 });
    try {
      const started = performance.now();
      const run = runLoadgen(bin, chat(r.port, '--duration', '0.3', '--warmup', '0.05', '--join-timeout', '0.5'), undefined, {}, 10);
      expect(await rejection(run)).to.match(/server stopped delivering: loadgen: JOIN FAILED: only 0 of 20 clients .* client 0/);
      expect(performance.now() - started).to.be.below(5000);
    } finally {
      await r.close();
    }
  });

  it('reports a room that stops delivering mid-run instead of waiting for it', async () => {
    const r = await room({ forward: 200 });
    try {
      const started = performance.now();
      const run = runLoadgen(bin, chat(r.port, '--duration', '5', '--warmup', '0.05', '--stall', '0.3'), undefined, {}, 10);
      expect(await rejection(run)).to.match(/STALLED: none of sender \d+'s \d+ lines in flight reached the reference receiver/);
      expect(performance.now() - started).to.be.below(4000);
    } finally {
      await r.close();
    }
  });

  it('kills a client that runs past its time limit and says it hung', async () => {
    const run = runLoadgen(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], undefined, {}, 0.3);
    expect(await rejection(run)).to.match(/the load client hung: killed after 0.3 s/);
  });
});
