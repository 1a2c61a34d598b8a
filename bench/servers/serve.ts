// Shared start-up for the benchmark servers: the port comes from argv (0 picks one), the server
// prints `LISTENING <port>` once ready, and SIGTERM exits at once.
import type { Server, Socket } from 'node:net';
import { createServer } from 'node:net';

/** The port asked on the command line (first argument that is a number; default 0). */
export function portArg(): number {
  const arg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
  return arg === undefined ? 0 : Number(arg);
}

/** True when `--name` is on the command line. */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** Announce the port on stdout in the form the runner waits for. */
export function announce(port: number): void {
  process.stdout.write(`LISTENING ${String(port)}\n`);
}

/** Exit on SIGTERM/SIGINT without waiting for connections to close. */
export function exitOnSignal(): void {
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

/** Start a node:net server on 127.0.0.1 with `onConnection`; peers that reset are ignored. */
export function serve(onConnection: (socket: Socket) => void): Server {
  exitOnSignal();
  const server = createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    onConnection(socket);
  });
  server.listen({ port: portArg(), host: '127.0.0.1', backlog: 1024 }, () => {
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('server has no TCP address');
    announce(addr.port);
  });
  return server;
}
