import type { IListeningPort } from '@torsion/reactor';
import { Reactor } from '@torsion/reactor';
import { ChatServer } from '../src/chat-server.js';
import type { ChatOptions } from '../src/options.js';
import { LineClient } from './line-client.js';

/**
 * An in-process chat server on a free loopback port, and the clients a test opens against it;
 * `close()` (call it in afterEach) closes them all.
 */
export class Harness {
  readonly reactor = new Reactor({ installSignalHandlers: false });
  readonly clients: LineClient[] = [];
  /** Log lines the server wrote. */
  readonly log: string[] = [];
  #logWaiters: Array<{ re: RegExp; resolve: (line: string) => void }> = [];
  server!: ChatServer;
  port!: number;
  #listening: IListeningPort | undefined;

  async start(options: Partial<ChatOptions> = {}): Promise<number> {
    this.server = new ChatServer({ log: (l) => this.#logged(l), ...options });
    this.#listening = await this.reactor.listenTCP(0, this.server, { interface: '127.0.0.1' });
    const host = this.#listening.getHost();
    if (host.type !== 'TCP') throw new Error('expected a TCP port');
    this.port = host.port;
    return host.port;
  }

  #logged(line: string): void {
    this.log.push(line);
    for (const w of [...this.#logWaiters]) {
      if (w.re.test(line)) {
        this.#logWaiters.splice(this.#logWaiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  }

  /** Wait for a log line matching `re` (one already written counts). */
  waitForLog(re: RegExp, timeoutMs = 5000): Promise<string> {
    const seen = this.log.find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#logWaiters = this.#logWaiters.filter((w) => w.re !== re);
        reject(new Error(`timed out waiting for a log line ${re}; got:\n${this.log.join('\n')}`));
      }, timeoutMs);
      this.#logWaiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l); } });
    });
  }

  async connect(): Promise<LineClient> {
    const c = await LineClient.connect(this.port);
    this.clients.push(c);
    return c;
  }

  async join(nick: string): Promise<LineClient> {
    const c = await LineClient.join(this.port, nick);
    this.clients.push(c);
    return c;
  }

  /** The server side of the client called `nick`. */
  client(nick: string) {
    const found = [...this.server.clients].find((c) => c.nick === nick);
    if (found === undefined) throw new Error(`no client called ${nick}`);
    return found;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.socket.destroy();
    await Promise.all(this.clients.map((c) => c.closed()));
    if (this.server !== undefined) for (const c of this.server.clients) c.transport.abortConnection();
    await this.#listening?.stopListening();
  }
}

/** Wait until `condition()` holds, checking every few milliseconds, for at most `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
