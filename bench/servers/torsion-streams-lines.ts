// Torsion streams line echo, written as a user would. By default a line per `await`: `for await`
// over lines, `write`, `drain`. With --batches, every buffered line per `await`: `for await`
// over `reader.lineBatches()`, `writeLines`, `drain`.
// Usage: node bench/dist/servers/torsion-streams-lines.js [port] [--batches]  — prints
// `LISTENING <port>`, exits on SIGTERM/SIGINT.
import type { TCPAddress } from '@torsion/reactor';
import { startServer, type StreamReader, type StreamWriter } from '@torsion/streams';
import { announce, exitOnSignal, flag, portArg } from './serve.js';

async function echoLines(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for await (const line of reader) {
    writer.write(line);
    await writer.drain();
  }
}

async function echoBatches(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for await (const lines of reader.lineBatches()) {
    writer.writeLines(lines);
    await writer.drain();
  }
}

const echo = flag('batches') ? echoBatches : echoLines;
exitOnSignal();
const server = await startServer(async (reader, writer) => {
  try {
    await echo(reader, writer);
  } catch {
    // A load generator that resets its connections is not an error worth reporting here.
  }
  writer.close();
}, '127.0.0.1', portArg(), { backlog: 1024 });
announce((server.ports[0]!.getHost() as TCPAddress).port);
