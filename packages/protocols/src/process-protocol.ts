import type { IProcessProtocol, IProcessTransport, MaybePromise } from '@torsion/reactor';

/**
 * The base class of protocols that drive a child process: override the callbacks you need.
 *
 * Output arrives in {@link outReceived} (stdout) and {@link errReceived} (stderr); each pipe's
 * end is reported by {@link inConnectionLost}, {@link outConnectionLost} and
 * {@link errConnectionLost}. {@link processExited} runs when the process exits (output may still
 * be in flight), {@link processEnded} once it has exited *and* every pipe is closed — the
 * place to act on the whole output. Their `reason` is `ProcessDone` for status 0, else
 * `ProcessTerminated` with `exitCode` and `signal`.
 *
 * @example
 * ```ts
 * import { reactor, type ProcessTerminated } from '@torsion/reactor';
 * import { ProcessProtocol } from '@torsion/protocols';
 *
 * class Collect extends ProcessProtocol {
 *   out: Buffer[] = [];
 *   override connectionMade(): void {
 *     this.transport.write('hello\n');
 *     this.transport.closeStdin();
 *   }
 *   override outReceived(data: Buffer): void {
 *     this.out.push(data);
 *   }
 *   override processEnded(reason: Error): void {
 *     console.log(Buffer.concat(this.out).toString(), (reason as ProcessTerminated).exitCode ?? 0);
 *   }
 * }
 * reactor.spawnProcess(new Collect(), '/bin/cat', ['cat']);
 * ```
 */
export class ProcessProtocol implements IProcessProtocol {
  /** The process's transport, set by {@link makeConnection}. */
  transport!: IProcessTransport;

  /** Attach the transport and call {@link connectionMade}. Called by `spawnProcess`. */
  makeConnection(transport: IProcessTransport): MaybePromise<void> {
    this.transport = transport;
    return this.connectionMade();
  }

  /** The process has started: write to its stdin, start timers. */
  connectionMade(): MaybePromise<void> {}

  /** Dispatches fd 1 to {@link outReceived} and fd 2 to {@link errReceived}. */
  childDataReceived(childFD: number, data: Buffer): MaybePromise<void> {
    if (childFD === 1) return this.outReceived(data);
    if (childFD === 2) return this.errReceived(data);
  }

  /** Bytes from the child's stdout; `data` is the protocol's to keep. */
  outReceived(_data: Buffer): MaybePromise<void> {}

  /** Bytes from the child's stderr; `data` is the protocol's to keep. */
  errReceived(_data: Buffer): MaybePromise<void> {}

  /** Dispatches pipe 0, 1, 2 to the matching `...ConnectionLost` method. */
  childConnectionLost(childFD: number): MaybePromise<void> {
    if (childFD === 0) return this.inConnectionLost();
    if (childFD === 1) return this.outConnectionLost();
    if (childFD === 2) return this.errConnectionLost();
  }

  /** The child's stdin is closed. */
  inConnectionLost(): MaybePromise<void> {}

  /** The child's stdout is closed. */
  outConnectionLost(): MaybePromise<void> {}

  /** The child's stderr is closed. */
  errConnectionLost(): MaybePromise<void> {}

  /** The process exited; its pipes may still be open. */
  processExited(_reason: Error): MaybePromise<void> {}

  /** The process exited and all its pipes are closed. */
  processEnded(_reason: Error): MaybePromise<void> {}

  /** Stdin's write buffer passed its high-water mark: stop writing until resumed. */
  pauseWriting(): void {}

  /** Stdin's write buffer fell to its low-water mark. */
  resumeWriting(): void {}
}
