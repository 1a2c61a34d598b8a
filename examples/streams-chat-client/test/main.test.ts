import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.js', import.meta.url));
const usage = 'usage: torsion-streams-chat [host] [port]   (default 127.0.0.1 8023)\n';

/** Run the client with `args` and no input; one that connects anyway is killed after 5 s (code null). */
function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000, killSignal: 'SIGKILL' });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('example: streams chat client as a program', () => {
  // The message names the text typed (Number('abc') would show as NaN, Number('') as 0).
  for (const port of ['abc', '', '0', '70000']) {
    it(`refuses the port ${JSON.stringify(port)} with what was typed, the usage and status 2`, async () => {
      const { code, stderr } = await run(['127.0.0.1', port]);
      expect(code).to.equal(2);
      expect(stderr).to.equal(`! the port must be a whole number from 1 to 65535, got ${JSON.stringify(port)}\n${usage}`);
    });
  }

  it('refuses an empty host with the usage and status 2', async () => {
    const { code, stderr } = await run(['', '8023']);
    expect(code).to.equal(2);
    expect(stderr).to.equal(`! the host must be a name or an address such as 127.0.0.1, got ""\n${usage}`);
  });
});
