import type { HostPort, IDatagramProtocol, IUDPTransport, MaybePromise } from '@torsion/reactor';

/**
 * The base class of datagram (UDP) protocols: override {@link datagramReceived}.
 *
 * `startProtocol()` runs when the first port starts using the protocol, `stopProtocol()` after
 * the last one stops; `transport` is the port, used to send (`transport.write(data, addr)`).
 *
 * @example
 * ```ts
 * import { reactor } from '@torsion/reactor';
 * import { DatagramProtocol } from '@torsion/protocols';
 *
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Buffer, from: { host: string; port: number }): void {
 *     this.transport.write(data, from);
 *   }
 * }
 * await reactor.listenUDP(9999, new Echo(), { interface: '127.0.0.1' });
 * ```
 */
export class DatagramProtocol implements IDatagramProtocol {
  /** The port this protocol listens on, set by {@link makeConnection}. */
  transport!: IUDPTransport;
  /** How many ports use this protocol right now. */
  numPorts = 0;

  /** Attach the port and start. Called by the port when it starts listening. */
  makeConnection(transport: IUDPTransport): void {
    this.transport = transport;
    this.doStart();
  }

  doStart(): void {
    if (this.numPorts === 0) this.startProtocol();
    this.numPorts += 1;
  }

  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts -= 1;
    if (this.numPorts === 0) this.stopProtocol();
  }

  /** Listening started. */
  startProtocol(): void {}

  /** Listening stopped. */
  stopProtocol(): void {}

  /** A datagram arrived from `addr`. `data` is the protocol's to keep. */
  datagramReceived(_data: Buffer, _addr: HostPort): MaybePromise<void> {}

  /** A datagram sent to the `connect()`ed peer was refused: nothing listens there. */
  connectionRefused(): void {}
}
