// Baseline: line echo with node:readline over the socket, a write per line.
import { createInterface } from 'node:readline';
import { serve } from './serve.js';

serve((socket) => {
  const rl = createInterface({ input: socket, crlfDelay: Infinity });
  rl.on('line', (line) => socket.write(line + '\n'));
  rl.on('error', () => socket.destroy());
});
