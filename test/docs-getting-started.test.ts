// The code of docs/getting-started.md, run for real: every ```ts block of the page must appear
// verbatim in test/getting-started/, which compile with the tests, and
// the programs are run as a user would run them (over 127.0.0.1, stopped with SIGINT).
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reactor, type TCPAddress } from '@torsion/reactor';
import { Factory } from '@torsion/protocols';
import { Shout } from './getting-started/shout.js';
import { TalkFactory } from './getting-started/talk.js';


const root = fileURLToPath(new URL('../../', import.meta.url));
const compiled = path.join(root, 'test', 'dist', 'getting-started');

function normalize(text: string): string {
  return text.split('\n').map((l) => l.trimEnd()).join('\n').trim();
}

/** Run a compiled program of the page; resolves its stdout lines as they come. */
function start(program: string, args: string[]): { child: ChildProcess; lines: string[]; nextLine: () => Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(compiled, program), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let seen = 0;
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
    while (waiters.length > 0 && seen < lines.length) waiters.shift()!(lines[seen++]!);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => lines.push(`stderr: ${chunk}`));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const nextLine = (): Promise<string> =>
    seen < lines.length ? Promise.resolve(lines[seen++]!) : new Promise((resolve) => waiters.push(resolve));
  return { child, lines, nextLine, exit };
}

describe('docs/getting-started.md', () => {
  it('shows only code that is compiled and run here', () => {
    const page = readFileSync(path.join(root, 'docs', 'getting-started.md'), 'utf8');
    const blocks = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => normalize(m[1]!));
    expect(blocks.length).to.be.greaterThan(4);
    const support = path.join(root, 'test', 'getting-started');
    const sources = [
      ...readdirSync(support).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(path.join(support, f), 'utf8')),
    ].map(normalize).join('\n');
    for (const block of blocks) {
      expect(sources.includes(block), `this block of the page is not in the tested sources:\n${block}`).to.equal(true);
    }
  });

  it('runs Shout and the Talk client against each other over 127.0.0.1', async () => {
    const reactor = new Reactor({ installSignalHandlers: false });
    const port = await reactor.listenTCP(0, Factory.forProtocol(Shout), { interface: '127.0.0.1' });
    const running = reactor.run();
    try {
      const factory = new TalkFactory(['hello', 'torsion']);
      reactor.connectTCP('127.0.0.1', (port.getHost() as TCPAddress).port, factory, { timeout: 5 });
      expect(await factory.done).to.deep.equal(['Hello! Say something ("bye" to leave).', 'HELLO', 'TORSION', 'Bye!']);
    } finally {
      await reactor.stop();
      await running;
    }
  });

  it('reports a refused connection through the client factory', async () => {
    const reactor = new Reactor({ installSignalHandlers: false });
    const port = await reactor.listenTCP(0, Factory.forProtocol(Shout), { interface: '127.0.0.1' });
    const free = (port.getHost() as TCPAddress).port;
    await port.stopListening();              // nothing listens there any more
    const factory = new TalkFactory(['hello']);
    reactor.connectTCP('127.0.0.1', free, factory, { timeout: 5 });
    const err = await factory.done.then(() => null, (e: unknown) => e as Error & { code?: string });
    expect(err?.code).to.equal('ERR_CONNECTION_REFUSED');
  });

  it('runs server.js and client.js as programs, and Ctrl-C (SIGINT) stops the server cleanly', async function () {
    this.timeout(20000);
    const server = start('server.js', ['0']);
    let socket: net.Socket | undefined;
    try {
      const listening = await server.nextLine();
      const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(listening);
      expect(m, listening).to.not.equal(null);
      const port = m![1]!;

      const client = start('client.js', [port]);
      expect(await client.exit).to.equal(0);
      expect(client.lines).to.deep.equal(['Hello! Say something ("bye" to leave).', 'HELLO', 'TORSION', 'Bye!']);

      // A client still connected when the server is stopped sees a clean close.
      socket = net.connect(Number(port), '127.0.0.1');
      const greeting = await new Promise<string>((resolve) => socket!.once('data', (d: Buffer) => resolve(d.toString())));
      expect(greeting).to.match(/^Hello!/);
      const ended = new Promise<void>((resolve) => socket!.once('end', () => resolve()));
      socket.on('error', () => {});
      server.child.kill('SIGINT');
      await ended;
      expect(await server.exit).to.equal(0);
      expect(server.lines.at(-1)).to.equal('stopped');
    } finally {
      socket?.destroy();
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    }
  });
});
