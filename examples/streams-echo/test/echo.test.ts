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
});
