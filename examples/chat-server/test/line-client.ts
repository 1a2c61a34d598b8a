import net from 'node:net';

/**
 * A minimal line-oriented TCP client for end-to-end tests: it records every line the server
 * sends and lets a test wait for one that matches.
 */
export class LineClient {
  readonly lines: string[] = [];
  readonly socket: net.Socket;
  #pending = '';
  #waiters: Array<{ re: RegExp; from: number; resolve: (l: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }> = [];
  #closed: Promise<void>;
  ended = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    this.#closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        for (const w of this.#waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(new Error(`connection closed while waiting for ${w.re}; got:\n${this.lines.join('\n')}`));
        }
        resolve();
      });
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => {
        s.off('error', reject);
        resolve(new LineClient(s));
      });
      s.once('error', reject);
    });
  }

  #onData(chunk: string): void {
    const text = this.#pending + chunk;
    let start = 0;
    let i: number;
    while ((i = text.indexOf('\n', start)) >= 0) {
      this.lines.push(text.slice(start, i > start && text[i - 1] === '\r' ? i - 1 : i));
      start = i + 1;
    }
    this.#pending = text.slice(start);
    this.#check();
  }

  #check(): void {
    for (const w of [...this.#waiters]) {
      let idx = -1;
      for (let n = w.from; n < this.lines.length; n++) {
        if (w.re.test(this.lines[n]!)) {
          idx = n;
          break;
        }
      }
      w.from = Math.max(w.from, idx < 0 ? this.lines.length : idx);
      if (idx >= 0) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        this.#cursor = idx + 1;
        w.resolve(this.lines[idx]!);
      }
    }
  }

  #cursor = 0;

  /** Wait for the next line (after the last one matched) matching `re`. */
  expect(re: RegExp, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.findIndex((w) => w.timer === timer), 1);
        reject(new Error(`timed out waiting for ${re}; got:\n${this.lines.join('\n')}`));
      }, timeoutMs);
      this.#waiters.push({ re, from: this.#cursor, resolve, reject, timer });
      this.#check();
    });
  }

  send(line: string | Buffer): void {
    this.socket.write(typeof line === 'string' ? `${line}\r\n` : line);
  }

  /** Connect, answer the nickname prompt and wait until in the lobby. */
  static async join(port: number, nick: string): Promise<LineClient> {
    const c = await LineClient.connect(port);
    await c.expect(/nickname\?/);
    c.send(nick);
    await c.expect(/You are in #lobby/);
    return c;
  }

  closed(): Promise<void> {
    return this.#closed;
  }

  async close(): Promise<void> {
    this.socket.end();
    this.socket.destroySoon();
    await this.#closed;
  }
}
