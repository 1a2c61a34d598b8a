// Baseline: raw node:net echo. Each chunk is written back as it arrives, so for the line load it
// is also the "chunks echoed" ceiling (no parsing at all).
import { serve } from './serve.js';

serve((socket) => {
  socket.on('data', (d) => socket.write(d));
});
