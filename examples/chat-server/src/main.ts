#!/usr/bin/env node
/**
 * torsion-chat: the flagship example. Listens on 127.0.0.1:8023 by default.
 * Try it: `npm start`, then in other terminals `nc 127.0.0.1 8023`.
 */
import { Reactor, serverFromString } from '@torsion/reactor';
import { formatAddress } from '@torsion/protocols';
import { ChatServer } from './chat-server.js';
import { parseCommandLine, usage, UsageError } from './options.js';

async function main(argv: string[]): Promise<number> {
  let cmd;
  try {
    cmd = parseCommandLine(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`torsion-chat: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (cmd.help) {
    process.stdout.write(usage);
    return 0;
  }
  const grace = cmd.options.shutdownGrace;
  // Our own reactor, so that Ctrl-C waits no longer than --shutdown-grace for slow clients.
  const reactor = new Reactor(grace === undefined ? {} : { shutdownGracePeriod: grace });
  const server = new ChatServer({ ...cmd.options, clock: reactor });
  const log = server.options.log;
  // Goodbyes go out first; reactor.stop() then flushes every connection within its grace period.
  reactor.addSystemEventTrigger('before', 'shutdown', () => {
    log(`shutting down: saying goodbye to ${server.clients.size} client(s)`);
    server.goodbyeAll();
  });
  const port = await serverFromString(reactor, cmd.endpoint).listen(server);
  const where = formatAddress(port.getHost());
  const host = port.getHost();
  // Said once run() has installed the SIGINT/SIGTERM handlers: a signal sent as soon as the
  // line appears then stops the server cleanly (before, it could kill the process outright).
  reactor.callWhenRunning(() => {
    console.log(`Torsion chat server listening on ${where}`);
    if (host.type === 'TCP') console.log(`Connect with: nc ${host.host} ${host.port}   (Ctrl-C stops the server)`);
  });
  await reactor.run();
  log('stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`torsion-chat: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
