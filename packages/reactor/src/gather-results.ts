import { Deferred } from './deferred.js';
import { FirstError } from './errors.js';

/** Options for {@link gatherResults}. */
export interface GatherOptions {
  /** Mark the inputs' failures handled (they would otherwise be reported as unhandled). */
  consumeErrors?: boolean;
}

/**
 * A Deferred of every input's result, in order, once all have succeeded; it fails with
 * `FirstError` (the failure as `cause`, its position as `index`) as soon as one fails.
 * Cancelling it cancels every input still pending.
 *
 * @example
 * ```ts
 * import { Deferred, gatherResults } from '@torsion/reactor';
 * const [a, b] = await gatherResults([Deferred.succeed(1), Deferred.succeed(2)]);
 * ```
 */
export function gatherResults<R>(deferreds: Iterable<Deferred<R>>, options: GatherOptions = {}): Deferred<R[]> {
  const inputs = [...deferreds];
  const results = new Array<R>(inputs.length);
  let remaining = inputs.length;
  const gathered = new Deferred<R[]>(() => {
    for (const d of inputs) d.cancel();
  });
  if (remaining === 0) {
    gathered.callback(results);
    return gathered;
  }
  inputs.forEach((d, index) => {
    d.addCallbacks(
      (value) => {
        results[index] = value;
        if (--remaining === 0 && !gathered.called) gathered.callback(results);
        return value;
      },
      (error: unknown) => {
        if (!gathered.called) gathered.errback(new FirstError(error, index));
        if (options.consumeErrors === true) return undefined;
        throw error;
      },
    );
  });
  return gathered;
}
