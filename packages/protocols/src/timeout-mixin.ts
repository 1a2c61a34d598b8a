/**
 * `TimeoutMixin`: drop a connection that stays idle for too long.
 *
 * @module
 */
import { reactor } from '@torsion/reactor';
import type { IDelayedCall, IReactorTime, ITransport, MaybePromise } from '@torsion/reactor';
import { TorsionRangeError, TorsionTypeError, formatAddress, log } from '@torsion/reactor';
import { notANumber } from './policy-errors.js';

/** What a class must offer to take the mixin: a protocol's `transport` and `connectionLost`. */
export interface TimeoutHost {
  transport: ITransport;
  connectionLost(reason: Error): MaybePromise<void>;
}

/** The members {@link TimeoutMixin} adds to a protocol class. */
export interface TimeoutProtocol {
  /**
   * Where time comes from. Default: the global `reactor`. Read each time the timer is
   * scheduled, so tests assign a `Clock` (`override clock = new Clock()`, or `p.clock = clock`).
   */
  clock: IReactorTime;
  /**
   * The timeout in seconds, or `null` for none. {@link setTimeout} sets it; a subclass may also
   * declare it (`override timeOut = 60`) and start the timer with `this.setTimeout(this.timeOut)`.
   * {@link resetTimeout} reads it.
   */
  timeOut: number | null;
  /**
   * Set the idle timeout to `seconds` from now, or cancel it with `null`. Returns the previous
   * value. A timer already running is rescheduled to `seconds` from now.
   */
  setTimeout(seconds: number | null): number | null;
  /** Push the timer back to a full {@link timeOut} from now (no-op when no timer runs). */
  resetTimeout(): void;
  /**
   * Called once when the timer expires. The default aborts the connection
   * (`transport.abortConnection()`); override it to say goodbye first.
   */
  timeoutConnection(): void;
}

/**
 * The constructor shape TypeScript requires of a mixin base. The `any[]` is TypeScript's rule for
 * mixins (error TS2545 otherwise); the class returned keeps the base's own constructor
 * parameters, so no `any` reaches users.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type MixinBase<T> = abstract new (...args: any[]) => T;

/**
 * Add an idle timeout to a protocol class: `class P extends TimeoutMixin(LineReceiver)`.
 *
 * Call `this.setTimeout(seconds)` (usually in `connectionMade`) to start the timer, and
 * `this.resetTimeout()` whenever the connection shows life — typically at the top of
 * `dataReceived` or `lineReceived`. When the timer runs out, {@link TimeoutProtocol.timeoutConnection}
 * runs once; by default it calls `transport.abortConnection()`.
 *
 * Why abort rather than `loseConnection()` (which Twisted uses): a connection that times out is
 * usually one whose peer stopped reading, and `loseConnection()` waits for the write buffer to
 * drain — to such a peer, forever. Aborting guarantees the connection and its buffers are gone.
 * Override `timeoutConnection()` to write a farewell and `loseConnection()` if you prefer.
 *
 * The timer is cancelled when the connection is lost — even if a subclass overrides
 * `connectionLost` without calling `super` — and `setTimeout()` after that schedules nothing, so
 * a finished connection leaves no pending call. A `timeoutConnection()` that throws is logged
 * and the connection aborted.
 *
 * @example
 * ```ts
 * import { Protocol } from '@torsion/protocols';
 * import { TimeoutMixin } from '@torsion/protocols';
 *
 * class IdleEcho extends TimeoutMixin(Protocol) {
 *   override connectionMade(): void {
 *     this.setTimeout(30); // drop the peer after 30 s of silence
 *   }
 *   override dataReceived(data: Buffer): void {
 *     this.resetTimeout(); // any input counts as life
 *     this.transport.write(data);
 *   }
 * }
 * ```
 */
export function TimeoutMixin<TBase extends MixinBase<TimeoutHost>>(Base: TBase): TBase & MixinBase<TimeoutProtocol> {
  abstract class Timeout extends Base implements TimeoutProtocol {
    clock: IReactorTime = reactor;
    timeOut: number | null = null;
    #call: IDelayedCall | undefined = undefined;
    // The connection has ended: setTimeout() records the value and schedules nothing.
    #lost = false;

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(...args);
      // Install the cancellation on the instance, around whatever connectionLost the final
      // class defines, so a subclass that forgets `super.connectionLost()` cannot leak the timer.
      const lost = this.connectionLost;
      Object.defineProperty(this, 'connectionLost', {
        value: (reason: Error): MaybePromise<void> => {
          this.#lost = true;
          this.#cancel();
          return lost.call(this, reason);
        },
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }

    setTimeout(seconds: number | null): number | null {
      if (seconds !== null) checkTimeout(seconds);
      const previous = this.timeOut;
      this.timeOut = seconds;
      const call = this.#call;
      if (seconds === null || this.#lost) {
        this.#cancel();
      } else if (call !== undefined && call.active()) {
        call.reset(seconds);
      } else {
        this.#call = this.clock.callLater(seconds, () => this.#timedOut());
      }
      return previous;
    }

    resetTimeout(): void {
      const call = this.#call;
      const seconds = this.timeOut;
      if (call === undefined || !call.active()) return;
      if (seconds === null) {
        this.#cancel();
        return;
      }
      checkTimeout(seconds);
      call.reset(seconds);
    }

    timeoutConnection(): void {
      // Before makeConnection there is no transport to drop.
      (this.transport as ITransport | undefined)?.abortConnection();
    }

    override connectionLost(reason: Error): MaybePromise<void> {
      this.#cancel();
      return super.connectionLost(reason);
    }

    #cancel(): void {
      const call = this.#call;
      this.#call = undefined;
      if (call !== undefined && call.active()) call.cancel();
    }

    #timedOut(): void {
      // Cleared first so timeoutConnection may arm a new timer with setTimeout().
      this.#call = undefined;
      try {
        this.timeoutConnection();
      } catch (err) {
        // A protocol callback that throws costs its connection, as everywhere else.
        const transport = this.transport as ITransport | undefined;
        log.error('timeoutConnection() threw; dropping the connection.', err, transport === undefined ? {} : { peer: formatAddress(transport.getPeer()) });
        transport?.abortConnection();
      }
    }
  }
  return Timeout;
}

function checkTimeout(seconds: number): void {
  if (typeof seconds !== 'number') {
    throw new TorsionTypeError(`A timeout must be a number of seconds, got ${notANumber(seconds)}: pass null to setTimeout() to cancel it.`);
  }
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new TorsionRangeError(
      `A timeout must be a finite number of seconds above zero, got ${String(seconds)}: pass null to setTimeout() to cancel it.`,
    );
  }
}
