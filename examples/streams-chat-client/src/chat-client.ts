import * as readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { openConnection } from '@torsion/streams';

/** Where the chat client reads the user's lines and prints the room's. */
export interface ChatTerminal {
  input: Readable;
  output: Writable;
  /** Draw a prompt and keep it below incoming messages (default: whether `output` is a TTY). */
  terminal?: boolean;
  /** The prompt (default `'> '`). */
  prompt?: string;
}

/**
 * Connect to a line-based chat server and join it to a terminal: each line typed is sent, each
 * line received is printed above the prompt without disturbing what is being typed. Resolves
 * when the server closes the connection (after `/quit`, say) or the input ends.
 */
export async function runChatClient(host: string, port: number, term: ChatTerminal): Promise<void> {
  const [reader, writer] = await openConnection(host, port);
  const tty = term.terminal ?? (term.output as Partial<NodeJS.WriteStream>).isTTY === true;
  const rl = readline.createInterface({ input: term.input, output: term.output, terminal: tty, prompt: term.prompt ?? '> ' });
  let inputClosed = false;

  rl.on('line', (line) => {
    if (writer.isClosing()) return;
    writer.write(`${line}\n`);
    if (tty) rl.prompt();
  });
  rl.on('close', () => {
    inputClosed = true;
    // End of input (Ctrl-D): say so to the server, which closes its side in turn.
    if (!writer.isClosing()) writer.writeEof();
  });
  if (tty) rl.prompt();

  try {
    for await (const raw of reader) {
      const text = raw.toString('utf8').replace(/\r?\n$/, '');
      if (tty) {
        // Clear the prompt line, print the message, then redraw the prompt and the typed text.
        readline.clearLine(term.output, 0);
        readline.cursorTo(term.output, 0);
        term.output.write(`${text}\n`);
        rl.prompt(true);
      } else {
        term.output.write(`${text}\n`);
      }
    }
  } finally {
    if (!inputClosed) rl.close();
    writer.close();
    await writer.waitClosed().catch(() => undefined);
  }
}
