// Baseline: a node:net chat room written the usual way. Every line a client sends ('\n'-ended,
// split with Buffer.indexOf) is written to every other client, one write per client per line.
// With --cork every member is corked once per data event and uncorked after it. Neither
// variant limits what it buffers for a client that does not read, as such servers usually don't.
import type { Socket } from 'node:net';
import { flag, serve } from './serve.js';

const cork = flag('cork');
const NL = 0x0a;
const members = new Set<Socket>();

serve((socket) => {
  members.add(socket);
  socket.on('close', () => members.delete(socket));
  let rest: Buffer | null = null;
  socket.on('data', (chunk: Buffer) => {
    const buf = rest === null ? chunk : Buffer.concat([rest, chunk]);
    if (cork) for (const m of members) m.cork();
    let start = 0;
    let nl = buf.indexOf(NL, start);
    while (nl !== -1) {
      const line = buf.subarray(start, nl + 1);
      for (const m of members) if (m !== socket) m.write(line);
      start = nl + 1;
      nl = buf.indexOf(NL, start);
    }
    if (cork) for (const m of members) m.uncork();
    rest = start === buf.length ? null : buf.subarray(start);
  });
});
