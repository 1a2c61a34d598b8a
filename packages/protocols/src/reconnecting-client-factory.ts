/**
 * `ReconnectingClientFactory`: a client factory that reconnects with exponential backoff.
 *
 * @module
 */
import { log, reactor, TorsionRangeError } from '@torsion/reactor';
import type { Address, IConnector, IDelayedCall, IReactorTime } from '@torsion/reactor';
import { ClientFactory } from './factory.js';
import type { Protocol } from './protocol.js';
import { NoConnectorToRetryError } from './policy-errors.js';

/**
 * A client factory that connects again whenever the connection fails or is lost, waiting longer
 * each time: the delay is multiplied by {@link factor} before each retry (so with the defaults
 * the waits are about e, e², e³ ... seconds), capped at {@link maxDelay}, and spread by a
 * normal-distribution {@link jitter} so that many clients do not reconnect in lockstep.
 *
 * Every setting is a plain field read when a retry is scheduled, so a subclass may override it
 * (`override maxDelay = 60`) or change it at any time.
 *
 * Two things differ from Twisted, on purpose:
 * - {@link stopTrying} is final: it cancels a pending retry, abandons an attempt in progress, and
 *   nothing it was already doing (a connection completing, a failure arriving) leads to another
 *   attempt. `resetDelay()` does not revive it.
 * - A connection that succeeds resets the delay and retry count by itself (in `buildProtocol`).
 *   Set {@link resetDelayOnConnect} to `false` to keep Twisted's behaviour, where you call
 *   `resetDelay()` yourself (after a successful handshake, say).
 *
 * Subclasses that override `startedConnecting`, `clientConnectionFailed`,
 * `clientConnectionLost` or `buildProtocol` call `super` so the factory keeps working.
 *
 * @example
 * ```ts
 * import { reactor } from '@torsion/reactor';
 * import { Protocol, ReconnectingClientFactory } from '@torsion/protocols';
 *
 * class Feed extends ReconnectingClientFactory {
 *   override protocol = FeedClient;
 *   override maxDelay = 30; // never wait more than 30 s between attempts
 * }
 * const factory = new Feed();
 * reactor.connectTCP('127.0.0.1', 9000, factory);
 * // later: factory.stopTrying(); connector.disconnect();
 * ```
 */
export class ReconnectingClientFactory extends ClientFactory {
  /** Seconds to start from; the first retry waits `initialDelay * factor`, as in Twisted. */
  initialDelay = 1.0;
  /** The multiplier applied to the delay before each retry (Twisted's e). */
  factor = 2.7182818284590451;
  /** The longest wait between attempts, in seconds (jitter included; no wait is shorter than {@link initialDelay}). */
  maxDelay = 3600;
  /** The standard deviation of the delay, as a fraction of it (0 disables jitter). */
  jitter = 0.11962656472;
  /** Give up after this many retries in a row; `undefined` retries forever. */
  maxRetries: number | undefined = undefined;
  /** Retries since the last reset. */
  retries = 0;
  /** False after {@link stopTrying}: no further attempt will be made. */
  continueTrying = true;
  /** Reset the delay automatically when a connection is made (see the class notes). */
  resetDelayOnConnect = true;
  /** The connector last seen; {@link retry} uses it when given none. */
  connector: IConnector | undefined = undefined;
  /** Where time comes from (default: the global `reactor`); read when a retry is scheduled. */
  clock: IReactorTime = reactor;
  /** A source of uniform random numbers in [0, 1) for the jitter; inject one for deterministic tests. */
  random: () => number = Math.random;

  #delay: number | undefined = undefined;
  #call: IDelayedCall | undefined = undefined;

  /**
   * The current delay in seconds: the wait before the last scheduled retry, or
   * {@link initialDelay} after a reset. Read lazily so a subclass's `initialDelay` applies.
   */
  get delay(): number {
    return this.#delay ?? this.initialDelay;
  }

  set delay(seconds: number) {
    this.#delay = seconds;
  }

  /** True while a retry is scheduled and has not run yet. */
  get retryPending(): boolean {
    return this.#call !== undefined && this.#call.active();
  }

  /** Checks the settings as the first connector starts using the factory. */
  override doStart(): void {
    this.#validate();
    super.doStart();
  }

  override startedConnecting(connector: IConnector): void {
    this.connector = connector;
  }

  override buildProtocol(addr: Address): Protocol | null {
    if (this.resetDelayOnConnect) this.resetDelay();
    return super.buildProtocol(addr);
  }

  override clientConnectionFailed(connector: IConnector, _reason: Error): void {
    this.connector = connector;
    if (this.continueTrying) this.retry(connector);
  }

  override clientConnectionLost(connector: IConnector, _reason: Error): void {
    this.connector = connector;
    if (this.continueTrying) this.retry(connector);
  }

  /**
   * Schedule the next attempt on `connector` (default: the last one seen) after the next
   * backoff delay. Does nothing after {@link stopTrying}, or while a retry is already pending
   * (so one connector never gets two attempts at once). Gives up, with a log line, once
   * {@link maxRetries} is exceeded.
   */
  retry(connector: IConnector | undefined = this.connector): void {
    if (!this.continueTrying) return;
    if (connector === undefined) throw new NoConnectorToRetryError();
    this.connector = connector;
    if (this.retryPending) return;
    this.#validate();
    this.retries += 1;
    const maxRetries = this.maxRetries;
    if (maxRetries !== undefined && this.retries > maxRetries) {
      log.info(`Abandoning reconnection after ${maxRetries} retries.`, { destination: connector.getDestination() });
      return;
    }
    const maxDelay = this.maxDelay;
    let delay = Math.min(this.delay * this.factor, maxDelay);
    const jitter = this.jitter;
    if (jitter > 0) delay = normalVariate(delay, delay * jitter, this.random);
    // A draw far in the tail must neither break the cap nor fall below initialDelay: a wait of
    // 0 would be stored as the next delay, and 0 * factor stays 0, so every later retry would
    // reconnect at once, for ever.
    delay = Math.min(Math.max(delay, this.initialDelay), maxDelay);
    this.#delay = delay;
    this.#call = this.clock.callLater(delay, () => {
      this.#call = undefined;
      // The user may have connected by hand meanwhile; a second attempt would be an error.
      if (this.continueTrying && connector.state === 'disconnected') connector.connect();
    });
  }

  /**
   * Stop for good: cancel a pending retry and abandon an attempt in progress. An established
   * connection stays up (call `connector.disconnect()` to drop it) but will not be replaced.
   * To start again later, set `continueTrying = true` and call `connector.connect()`.
   */
  stopTrying(): void {
    this.continueTrying = false;
    const call = this.#call;
    this.#call = undefined;
    if (call !== undefined && call.active()) call.cancel();
    const connector = this.connector;
    if (connector !== undefined && connector.state === 'connecting') connector.stopConnecting();
  }

  #validate(): void {
    const bad = (name: string, value: unknown, rule: string): never => {
      throw new TorsionRangeError(`ReconnectingClientFactory.${name} ${rule}, got ${String(value)}: fix the field (the defaults are Twisted's).`);
    };
    const { initialDelay, factor, maxDelay, jitter, maxRetries } = this;
    if (!(Number.isFinite(initialDelay) && initialDelay > 0)) bad('initialDelay', initialDelay, 'must be a finite number of seconds above zero');
    if (!(Number.isFinite(factor) && factor >= 1)) bad('factor', factor, 'must be a finite number of at least 1');
    if (!(typeof maxDelay === 'number' && maxDelay > 0)) bad('maxDelay', maxDelay, 'must be a number of seconds above zero (Infinity for no cap)');
    if (!(Number.isFinite(jitter) && jitter >= 0)) bad('jitter', jitter, 'must be a finite number of at least 0');
    if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
      bad('maxRetries', maxRetries, 'must be a whole number of at least 0, or undefined to retry forever');
    }
  }

  /**
   * Start the backoff again from {@link initialDelay} with zero retries. Called on every
   * successful connection unless {@link resetDelayOnConnect} is false. It neither cancels a
   * pending retry nor undoes {@link stopTrying}.
   */
  resetDelay(): void {
    this.#delay = undefined;
    this.retries = 0;
  }
}

/** A normally distributed number (Box–Muller), from a uniform source in [0, 1). */
function normalVariate(mean: number, stddev: number, random: () => number): number {
  const u1 = 1 - random(); // (0, 1]: the logarithm stays finite
  const u2 = random();
  return mean + stddev * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
