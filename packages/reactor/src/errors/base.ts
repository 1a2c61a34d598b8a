/**
 * The base of every Torsion error: {@link TorsionError}, and the options common to all of them.
 * Every other file in this folder builds on it; code outside the folder imports from `../errors.js`.
 *
 * @module
 */

/** Options common to every Torsion error. */
export interface TorsionErrorOptions {
  /** The underlying error (a Node `Error` with `errno`/`code`, say), kept as `cause`. */
  cause?: unknown;
}

/**
 * The base of every error Torsion throws or reports.
 *
 * @example
 * ```ts
 * try {
 *   await reactor.listenTCP(8023, factory);
 * } catch (err) {
 *   if (err instanceof TorsionError) console.error(err.code, err.message);   // ERR_CANNOT_LISTEN ...
 * }
 * ```
 */
export class TorsionError extends Error {
  /** A stable, documented identifier such as `ERR_CONNECTION_REFUSED`. */
  readonly code: string;

  constructor(code: string, message: string, options?: TorsionErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}
