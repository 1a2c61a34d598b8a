/**
 * One `'end'` listener per socket instead of two.
 *
 * Node gives every `net.Socket` an `'end'` listener of its own, which makes later writes fail
 * when the socket does not allow half-open connections. A second listener turns the socket's
 * listener slot into an array: 64 bytes more per connection, which adds up over thousands of
 * idle connections. On a socket that allows half-open connections Node's listener does nothing,
 * so the transport takes its place: it removes it and, should the socket stop allowing half-open
 * connections before the end arrives, runs it itself. Where Node's listener is not the one
 * expected (another Node version), both stay, as before.
 *
 * @internal
 * @module
 */
import type { Socket } from 'node:net';

type EndListener = (this: Socket) => void;

/** Node's own listener, found on the first socket seen; null when it is not the expected one. */
let nodeListener: EndListener | null | undefined;

/** Add `ours` as `socket`'s `'end'` listener, in place of Node's own when that is safe. */
export function listenForEnd(socket: Socket, ours: EndListener): void {
  if (socket.allowHalfOpen && socket.listenerCount('end') === 1) {
    if (nodeListener === undefined) {
      const [only] = socket.listeners('end');
      nodeListener = typeof only === 'function' && only.name === 'onReadableStreamEnd' ? (only as EndListener) : null;
    }
    if (nodeListener !== null && socket.listenerCount('end', nodeListener) === 1) {
      socket.removeListener('end', nodeListener);
    }
  }
  socket.on('end', ours);
}

/** Run Node's listener if {@link listenForEnd} removed it and it would act. Call from `ours`. */
export function runNodeEndListener(socket: Socket): void {
  if (socket.allowHalfOpen || nodeListener == null) return;
  if (socket.listenerCount('end', nodeListener) === 0) nodeListener.call(socket);
}
