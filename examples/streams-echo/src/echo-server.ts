import type { TCPAddress } from '@torsion/reactor';
import { startServer, type Server, type StreamReader, type StreamWriter } from '@torsion/streams';

/** Echo each line back to its sender until the sender closes its side. */
export async function handleEcho(reader: StreamReader, writer: StreamWriter): Promise<void> {
  const peer = writer.getExtraInfo('peername') as TCPAddress | undefined;
  console.log(`connection from ${peer?.host ?? '?'}:${peer?.port ?? '?'}`);
  for await (const line of reader) {
    writer.write(line);
    await writer.drain(); // hold back while the client is slow to read
  }
  writer.close();
  await writer.waitClosed();
}

/** Start the echo server (port 0 picks a free port). */
export function startEchoServer(host: string, port: number): Promise<Server> {
  return startServer(handleEcho, host, port);
}
