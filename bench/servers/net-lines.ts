// Baseline: a hand-written line echo. Lines end in '\n' and are found with Buffer.indexOf; each
// line is written back with its own socket.write(). With --cork the socket is corked once per
// data event and uncorked after it, so the lines of one chunk leave in one system call.
import { flag, serve } from './serve.js';

const cork = flag('cork');
const NL = 0x0a;

serve((socket) => {
  let rest: Buffer | null = null;
  socket.on('data', (chunk: Buffer) => {
    const buf = rest === null ? chunk : Buffer.concat([rest, chunk]);
    if (cork) socket.cork();
    let start = 0;
    let nl = buf.indexOf(NL, start);
    while (nl !== -1) {
      socket.write(buf.subarray(start, nl + 1));
      start = nl + 1;
      nl = buf.indexOf(NL, start);
    }
    if (cork) socket.uncork();
    rest = start === buf.length ? null : buf.subarray(start);
  });
});
