import type { Address } from '../interfaces.js';
import { ConnectionDone, ConnectionLost, TLSHandshakeError, TorsionTypeError, WriteAfterCloseError } from '../errors.js';
import { describeAddress } from './addresses.js';

/**
 * The errors a stream transport raises or reports, with messages that name the connection.
 *
 * @internal
 */

/** `write()` was given something that is neither bytes nor a string. */
export function notBytes(data: unknown): TorsionTypeError {
  return new TorsionTypeError(
    `write() takes a Uint8Array (Buffer) or a string, not ${data === null ? 'null' : typeof data}: convert the value to bytes first.`,
  );
}

/** `write()` after the connection's `connectionLost()` has run. */
export function writeAfterClose(peer: Address): WriteAfterCloseError {
  return new WriteAfterCloseError(
    `Cannot write to ${describeAddress(peer)}: the connection is closed and its connectionLost() has run. Stop writing to it there (remove it from any broadcast list).`,
  );
}

/** What the transport knew when its socket closed, to tell why the connection was lost. */
export interface LossFacts {
  peer: Address;
  abortReason: Error | undefined;
  socketError: Error | undefined;
  /** A `startTLS()` handshake was still under way. */
  handshaking: boolean;
  disconnecting: boolean;
}

/** The reason handed to `connectionLost()`: an abort's own, a failed handshake, an error, or a clean close. */
export function lossReason(facts: LossFacts): Error {
  const { peer, abortReason, socketError } = facts;
  if (abortReason !== undefined) return abortReason;
  if (facts.handshaking && (socketError !== undefined || !facts.disconnecting)) {
    const why = socketError === undefined ? 'the connection was closed before it completed' : socketError.message;
    return new TLSHandshakeError(`The TLS handshake with ${describeAddress(peer)} failed: ${why}.`, { cause: socketError });
  }
  if (socketError !== undefined) {
    return new ConnectionLost(`Connection to ${describeAddress(peer)} was lost: ${socketError.message}.`, { cause: socketError });
  }
  return new ConnectionDone();
}
