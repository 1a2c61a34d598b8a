import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';

/** A request: one netstring. */
const REQUEST = '5:GET a,';
const main = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** Run the program with `args`; its exit code and stderr. One that starts serving anyway is killed after 5 s (code null). */
function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000, killSignal: 'SIGKILL' });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('example: netstring-kv as a program', () => {
  it('listens on 127.0.0.1 by default, serves, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [main, '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000, killSignal: 'SIGKILL' });
    let stdout = '';
    const banner = new Promise<string>((resolve) => child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(stdout);
    }));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const m = /^netstring-kv listening on 127\.0\.0\.1:(\d+) /.exec(await banner);
    expect(m, stdout).to.not.equal(null);
    // One request answered: the server runs (and its SIGTERM handler is in place).
    const s = net.connect(Number(m![1]), '127.0.0.1');
    let got = '';
    await new Promise<void>((resolve, reject) => {
      s.on('data', (d: Buffer) => {
        got += d.toString();
        if (/,$/.test(got)) resolve();
      }).once('error', reject);
      s.write(REQUEST);
    });
    s.destroy();
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });

  // The line is said once the SIGTERM handler is in place: a SIGTERM sent the moment it appears
  // stops the server cleanly instead of killing it. (The race was lost most of the time when
  // the line came first: a few tries make a regression plain.)
  it('stops cleanly on a SIGTERM sent as soon as it says it listens', async () => {
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, [main, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000, killSignal: 'SIGKILL' });
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!sent && /^netstring-kv listening on /.test(stdout)) {
          sent = true; // once: a second SIGTERM would cut the shutdown short
          child.kill('SIGTERM');
        }
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
      expect({ code, signal }, `try ${i + 1}: ${stdout}${stderr}`).to.deep.equal({ code: 0, signal: null });
      expect(stdout).to.contain('Received SIGTERM, shutting down'); // the reactor's log: info goes to stdout
    }
  });

  for (const [args, message] of [
    [['--bogus'], /^Unknown option '--bogus'/],
    [['--port', 'abc'], /^--port must be a whole number from 0 to 65535, got "abc"/],
    [['--port', '70000'], /^--port must be a whole number from 0 to 65535, got "70000"/],
    // Number('') is 0: an empty --port must not quietly listen on a random free port.
    [['--port='], /^--port must be a whole number from 0 to 65535, got ""/],
    // An empty interface means every interface: --host= must not expose the server.
    [['--port', '0', '--host='], /^--host must be an interface address/],
  ] as const) {
    it(`refuses ${args.join(' ')} with one line, the usage and status 2`, async () => {
      const { code, stderr } = await run([...args]);
      expect(code).to.equal(2);
      expect(stderr).to.match(message);
      expect(stderr.split('\n')[1]).to.match(/^usage: torsion-netstring-kv /);
      expect(stderr).to.not.match(/^\s+at /m);
    });
  }
});
