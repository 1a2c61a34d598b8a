import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TCPAddress } from '@torsion/reactor';
import { echoClient } from '../src/echo-client.js';
import { startEchoServer } from '../src/echo-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('example: streams echo', () => {
  it('the client gets each of its lines back', async () => {
    const log = console.log;
    console.log = () => {};
    const server = await startEchoServer('127.0.0.1', 0);
    try {
      const port = (server.ports[0]!.getHost() as TCPAddress).port;
      expect(await echoClient('127.0.0.1', port, ['one', 'two', 'three'])).to.deep.equal(['one', 'two', 'three']);
    } finally {
      console.log = log;
      await server.close();
      await server.waitClosed();
    }
  });

  it('runs as two programs: server.js and client.js', async () => {
    const server = spawn(process.execPath, [path.join(here, '../src/server.js'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m !== null) resolve(Number(m[1]));
        });
        server.once('exit', () => reject(new Error(`server exited early: ${out}`)));
      });
      const client = spawn(process.execPath, [path.join(here, '../src/client.js'), String(port), 'hi', 'there'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      client.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => client.once('close', resolve));
      expect(code).to.equal(0);
      expect(out).to.equal('received: hi\nreceived: there\n');
    } finally {
      const exited = new Promise((resolve) => server.once('close', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    expect(server.exitCode).to.equal(0);
  });

  // The line is said once the SIGTERM handler is in place: a SIGTERM sent the moment it appears
  // stops the server cleanly instead of killing it. (The race was lost most of the time when
  // the line came first: a few tries make a regression plain.)
  it('server.js stops cleanly on a SIGTERM sent as soon as it says it listens', async () => {
    for (let i = 0; i < 3; i++) {
      const server = spawn(process.execPath, [path.join(here, '../src/server.js'), '0'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000, killSignal: 'SIGKILL' });
      let out = '';
      let sent = false;
      server.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!sent && /listening on 127\.0\.0\.1:\d+/.test(out)) {
          sent = true; // once: a second SIGTERM would cut the shutdown short
          server.kill('SIGTERM');
        }
      });
      server.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => server.once('close', (c, s) => resolve([c, s])));
      expect({ code, signal }, `try ${i + 1}: ${out}`).to.deep.equal({ code: 0, signal: null });
    }
  });

  /** Run server.js or client.js with \`args\`; one that starts anyway is killed after 5 s (code null). */
  function run(program: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [path.join(here, '../src', program), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000, killSignal: 'SIGKILL',
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
  }

  // Number('') is 0: an empty port must not make the server listen on a random one.
  for (const [program, arg, range] of [
    ['server.js', 'abc', '0 to 65535'], ['server.js', '', '0 to 65535'], ['server.js', '70000', '0 to 65535'],
    ['client.js', 'abc', '1 to 65535'], ['client.js', '0', '1 to 65535'],
  ] as const) {
    it(`${program} refuses the port ${JSON.stringify(arg)} with one line, the usage and status 2`, async () => {
      const { code, stderr } = await run(program, [arg]);
      expect(code).to.equal(2);
      expect(stderr).to.equal(
        `the port must be a whole number from ${range}, got ${JSON.stringify(arg)}\n` +
          `usage: torsion-streams-echo-${program === 'server.js' ? 'server [port]   (default 8888; 0 picks a free port)' : 'client [port] [message ...]   (default port 8888)'}\n`,
      );
    });
  }
});
