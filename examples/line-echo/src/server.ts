import type { IListeningPort, IReactorTCP } from '@torsion/reactor';
import { log, reactor as defaultReactor } from '@torsion/reactor';
import { Factory, LineReceiver, formatAddress } from '@torsion/protocols';

/**
 * Echoes every line back to the client that sent it. Lines end with `\n` (so `nc` works; a
 * telnet client's `\r\n` comes back as sent), and a line longer than 16 KiB closes the connection.
 */
export class LineEcho extends LineReceiver {
  override delimiter = '\n';

  override connectionMade(): void {
    log.info(`line-echo: connection from ${formatAddress(this.transport.getPeer())}`);
  }

  override lineReceived(line: Buffer): void {
    this.sendLine(line);
  }

  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    log.info(`line-echo: ${formatAddress(this.transport.getPeer())} left (${reason.name})`);
  }
}

/** Where and with which reactor to listen. */
export interface LineEchoOptions {
  /** TCP port (default 8023; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** The reactor to listen with (default: the global one). */
  reactor?: IReactorTCP;
}

/** Start the line-echo server; resolves to its listening port. */
export function listenLineEcho(options: LineEchoOptions = {}): Promise<IListeningPort> {
  const r = options.reactor ?? defaultReactor;
  return r.listenTCP(options.port ?? 8023, Factory.forProtocol(LineEcho), { interface: options.host ?? '127.0.0.1' });
}
