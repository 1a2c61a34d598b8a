#!/usr/bin/env node
// The line-echo server: `node examples/line-echo/dist/src/main.js [--port N] [--host H]`.
// Runs until SIGINT/SIGTERM, which stop the reactor gracefully.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { reactor, type TCPAddress } from '@torsion/reactor';
import { listenLineEcho } from './server.js';

const USAGE = `usage: torsion-line-echo [--port N] [--host H]
  --port N   TCP port to listen on (default 8023; 0 picks a free port)
  --host H   interface to bind (default 127.0.0.1)`;

/** Parse the command line, listen, and run until a signal stops the reactor. */
export async function main(argv: string[]): Promise<number> {
  let values: { port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  // Number('') is 0, which would pick a random port: a blank value is refused like any other.
  const port = values.port === undefined ? 8023 : values.port.trim() === '' ? NaN : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}\n${USAGE}`);
    return 2;
  }
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') {
    console.error(`--host must be an interface address such as 127.0.0.1, or 0.0.0.0 for every interface, got ${JSON.stringify(host)}\n${USAGE}`);
    return 2;
  }
  const listening = await listenLineEcho({ port, host });
  const addr = listening.getHost() as TCPAddress;
  // Said once run() has installed the SIGINT/SIGTERM handlers: a signal sent as soon as the
  // line appears then stops the server cleanly (before, it could kill the process outright).
  reactor.callWhenRunning(() => console.log(`line-echo listening on ${addr.host}:${addr.port} (Ctrl-C to stop)`));
  await reactor.run();
  return 0;
}

const invoked = process.argv[1] === undefined ? '' : pathToFileURL(realpathSync(process.argv[1])).href;
if (import.meta.url === invoked) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
