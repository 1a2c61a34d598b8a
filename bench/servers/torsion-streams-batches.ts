// Torsion streams line echo with one await per batch of lines: `for await` over
// `reader.lineBatches()`, `writeLines`, `drain`.
// Usage: node bench/dist/servers/torsion-streams-batches.js [port]  — prints `LISTENING <port>`,
// exits on SIGTERM/SIGINT.
import type { TCPAddress } from '@torsion/reactor';
import { startServer, type StreamReader, type StreamWriter } from '@torsion/streams';

async function echoLines(reader: StreamReader, writer: StreamWriter): Promise<void> {
  try {
    for await (const lines of reader.lineBatches()) {
      writer.writeLines(lines);
      await writer.drain();
    }
  } catch {
    // A load generator that resets its connections is not an error worth reporting here.
  }
  writer.close();
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
const arg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
const server = await startServer(echoLines, '127.0.0.1', arg === undefined ? 0 : Number(arg), { backlog: 1024 });
process.stdout.write(`LISTENING ${(server.ports[0]!.getHost() as TCPAddress).port}\n`);
