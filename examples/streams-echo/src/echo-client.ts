import { openConnection } from '@torsion/streams';

/** Send each message as a line and collect the echoes, in order. */
export async function echoClient(host: string, port: number, messages: readonly string[]): Promise<string[]> {
  const [reader, writer] = await openConnection(host, port);
  const replies: string[] = [];
  try {
    for (const message of messages) {
      writer.write(`${message}\n`);
      await writer.drain();
      replies.push((await reader.readLine()).toString().replace(/\n$/, ''));
    }
  } finally {
    writer.close();
    await writer.waitClosed();
  }
  return replies;
}
