/**
 * How `reactor.stop()` closes what is still open: every port stops listening and every
 * connection is asked to flush and close; whatever is still open after the grace period (or
 * when told to hurry, by a second signal) is aborted.
 *
 * @internal
 * @module
 */
import { log } from '../log.js';
import { closeForShutdown, isConnection, kindOf, type Resources, type Tracked } from './resources.js';

/** After aborting, how long to wait for the aborted resources to report that they closed. */
const ABORT_SETTLE_SECONDS = 1;

/**
 * Close every resource in `live` (which the resources leave as they close, and which may gain
 * new members meanwhile). Never rejects.
 */
export async function closeResources(
  live: Resources,
  gracePeriod: number,
  onAbortHandle: (abortNow: () => void) => void,
): Promise<void> {
  if (live.size === 0) return;
  const closing = new Map<Tracked, Promise<void>>();
  const settled = new Set<Tracked>();
  let hurry!: () => void;
  const expired = new Promise<void>((resolve) => {
    hurry = resolve;
  });
  let timedOut = false;
  let hurried = false; // by onAbortHandle (shutdown asked again), not by the grace timer
  // Node fires a longer timeout after 1 ms (with a warning): cap it at about 24.8 days instead.
  const graceTimer = setTimeout(hurry, Math.min(gracePeriod * 1000, 2 ** 31 - 1));
  onAbortHandle(() => {
    hurried = true;
    hurry();
  });
  void expired.then(() => {
    timedOut = true;
  });

  const start = (resource: Tracked): void => {
    if (closing.has(resource)) return;
    let promise: Promise<void>;
    try {
      promise = Promise.resolve(isConnection(resource) ? resource[closeForShutdown]() : resource.close());
    } catch (error) {
      promise = Promise.reject(error);
    }
    closing.set(
      resource,
      promise.then(
        () => {
          settled.add(resource);
        },
        (error: unknown) => {
          settled.add(resource);
          log.warn(`Closing a ${kindOf(resource)} during shutdown failed: ${String(error)}`);
        },
      ),
    );
  };

  try {
    // Ports first, so that no new connection arrives while the others close.
    while (!timedOut) {
      for (const r of live) if (kindOf(r) === 'port') start(r);
      for (const r of live) if (kindOf(r) !== 'port') start(r);
      const open = [...live].filter((r) => !settled.has(r));
      if (open.length === 0) break;
      await Promise.race([Promise.all(open.map((r) => closing.get(r))), expired]);
      // A resource whose close() resolved counts as closed even if it forgot to untrack itself.
      for (const r of settled) live.delete(r);
    }
  } finally {
    clearTimeout(graceTimer);
  }
  for (const r of settled) live.delete(r);
  if (live.size === 0) return;

  const why = hurried ? 'because shutdown was asked again' : 'after the shutdown grace period';
  log.warn(`Aborting ${live.size} resource(s) still open ${why}`);
  const aborted = [...live];
  for (const r of aborted) {
    try {
      if (isConnection(r)) r.abortConnection();
      else r.abort();
    } catch (error) {
      log.warn(`Aborting a ${kindOf(r)} during shutdown failed: ${String(error)}`);
    }
    start(r);
  }
  let settleTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(aborted.map((r) => closing.get(r))),
    new Promise<void>((resolve) => {
      settleTimer = setTimeout(resolve, ABORT_SETTLE_SECONDS * 1000);
    }),
  ]);
  clearTimeout(settleTimer);
  live.clear();
}
