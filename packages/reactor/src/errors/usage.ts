/**
 * The errors of using the reactor's other parts: timers and calls, the reactor's own lifecycle,
 * bad arguments, closed datagram ports, the test doubles, and Deferreds and LoopingCalls.
 *
 * In one module for the reason given in `network.ts`.
 *
 * @module
 */
import { TorsionError, type TorsionErrorOptions } from './base.js';

// ---------------------------------------------------------------------------------------------
// Time: cancelling or moving a delayed call that already ran or was cancelled.
// ---------------------------------------------------------------------------------------------

/**
 * `cancel()` (or `reset()`/`delay()`) on a delayed call that already ran.
 *
 * @example
 * ```ts
 * const call = reactor.callLater(1, tick);
 * // ... later: cancel() on a call that already ran would throw AlreadyCalled
 * if (call.active()) call.cancel();
 * ```
 */
export class AlreadyCalled extends TorsionError {
  constructor(message = 'This delayed call has already run: check active() before cancelling or rescheduling it.') {
    super('ERR_ALREADY_CALLED', message);
  }
}

/**
 * `cancel()` (or `reset()`/`delay()`) on a delayed call that was cancelled.
 *
 * @example
 * ```ts
 * const call = reactor.callLater(1, tick);
 * call.cancel();
 * if (call.active()) call.reset(2);   // reset() on a cancelled call would throw AlreadyCancelled
 * ```
 */
export class AlreadyCancelled extends TorsionError {
  constructor(message = 'This delayed call was already cancelled: check active() before cancelling or rescheduling it.') {
    super('ERR_ALREADY_CANCELLED', message);
  }
}

// ---------------------------------------------------------------------------------------------
// The reactor's life cycle: `run()` and `stop()` called in the wrong state.
// ---------------------------------------------------------------------------------------------

/**
 * `run()` on a reactor that is already running.
 *
 * @example
 * ```ts
 * const running = reactor.run();   // a second reactor.run() now throws ReactorAlreadyRunning
 * await running;
 * ```
 */
export class ReactorAlreadyRunning extends TorsionError {
  constructor(message = 'The reactor is already running: call run() once, and await it.') {
    super('ERR_REACTOR_ALREADY_RUNNING', message);
  }
}

/**
 * `stop()` on a reactor that is not running.
 *
 * @example
 * ```ts
 * if (reactor.running) await reactor.stop();   // stop() on a stopped reactor throws ReactorNotRunning
 * ```
 */
export class ReactorNotRunning extends TorsionError {
  constructor(message = "Can't stop a reactor that isn't running: check reactor.running first.") {
    super('ERR_REACTOR_NOT_RUNNING', message);
  }
}

/**
 * `run()` on a reactor that has already been stopped.
 *
 * @example
 * ```ts
 * await reactor.run();              // ... until stopped
 * const next = new Reactor();       // reactor.run() again would throw ReactorNotRestartable
 * ```
 */
export class ReactorNotRestartable extends TorsionError {
  constructor(message = 'A stopped reactor cannot be run again: create a new Reactor() instead.') {
    super('ERR_REACTOR_NOT_RESTARTABLE', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Bad input: an argument out of range or of the wrong type, and an endpoint description string
// that does not parse.
// ---------------------------------------------------------------------------------------------

/**
 * An argument was out of its allowed range (a port of 70000, a negative delay).
 *
 * @example
 * ```ts
 * try {
 *   reactor.callLater(-1, tick);
 * } catch (err) {
 *   console.log(err instanceof RangeError, (err as TorsionRangeError).code);   // true 'ERR_OUT_OF_RANGE'
 * }
 * ```
 */
export class TorsionRangeError extends RangeError {
  readonly code = 'ERR_OUT_OF_RANGE';
  constructor(message: string) {
    super(message);
    this.name = 'TorsionRangeError';
  }
}

/**
 * An argument was of the wrong type or shape (a port given as an object, say).
 *
 * @example
 * ```ts
 * try {
 *   reactor.callLater('soon' as unknown as number, tick);
 * } catch (err) {
 *   console.log(err instanceof TypeError, (err as TorsionTypeError).code);   // true 'ERR_INVALID_ARG_TYPE'
 * }
 * ```
 */
export class TorsionTypeError extends TypeError {
  readonly code = 'ERR_INVALID_ARG_TYPE';
  constructor(message: string) {
    super(message);
    this.name = 'TorsionTypeError';
  }
}

/**
 * An endpoint description string could not be parsed (`serverFromString`, `clientFromString`).
 *
 * @example
 * ```ts
 * try {
 *   serverFromString(reactor, 'tcp:http');
 * } catch (err) {
 *   if (err instanceof EndpointSyntaxError) console.error(err.message);   // says what to write instead
 * }
 * ```
 */
export class EndpointSyntaxError extends TorsionError {
  constructor(message: string) {
    super('ERR_BAD_ENDPOINT', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Datagrams: using a UDP port that has stopped listening.
// ---------------------------------------------------------------------------------------------

/**
 * A write or connect on a UDP port that has stopped listening.
 *
 * @example
 * ```ts
 * await port.stopListening();
 * port.write('ping', { host: '127.0.0.1', port: 9999 });   // throws PortClosedError
 * ```
 */
export class PortClosedError extends TorsionError {
  constructor(message = 'This UDP port has stopped listening: listen again with reactor.listenUDP() to send.') {
    super('ERR_PORT_CLOSED', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Errors of the test doubles (`@torsion/reactor/testing`): a port used while not listening, a fake
// connector driven out of order, and an in-memory pump that never settles.
// ---------------------------------------------------------------------------------------------

/**
 * A port was used while not listening: a fake port from `MemoryReactor` asked to accept a
 * connection after `stopListening()`, or a real port's `getHost()` read before it listens.
 *
 * @example
 * ```ts
 * const reactor = new MemoryReactor();
 * const port = await reactor.listenTCP(8023, factory);
 * await port.stopListening();
 * port.accept();   // throws NotListeningError
 * ```
 */
export class NotListeningError extends TorsionError {
  constructor(message = 'This port has stopped listening and accepts no connection: accept before stopListening().') {
    super('ERR_NOT_LISTENING', message);
  }
}

/**
 * A fake connector from `MemoryReactor` was driven from a state where that cannot happen.
 *
 * @example
 * ```ts
 * const connector = new MemoryReactor().connectTCP('127.0.0.1', 8023, factory);
 * connector.succeed();
 * connector.fail();   // throws ConnectorStateError: the attempt is over
 * ```
 */
export class ConnectorStateError extends TorsionError {
  constructor(message = 'The connector is not in a state that allows this: check connector.state first.') {
    super('ERR_CONNECTOR_STATE', message);
  }
}

/**
 * Two protocols joined in memory kept exchanging bytes past the pump's round limit.
 *
 * @example
 * ```ts
 * const { pump } = connectedPair(new Ping(), new Pong());   // two protocols that answer each other
 * pump.flush();   // throws PumpLimitExceededError after maxRounds rounds instead of spinning forever
 * ```
 */
export class PumpLimitExceededError extends TorsionError {
  constructor(message = 'The in-memory pump kept moving bytes past its round limit: the protocols may be ping-ponging forever; raise maxRounds if that is expected.') {
    super('ERR_PUMP_LIMIT', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Deferred and task helpers: firing a Deferred twice, cancellation, `gatherResults()` failures and
// `LoopingCall` started or stopped in the wrong state.
// ---------------------------------------------------------------------------------------------

/**
 * `callback()` or `errback()` on a Deferred that has already been fired.
 *
 * @example
 * ```ts
 * const d = new Deferred<number>();
 * d.callback(1);
 * d.callback(2);   // throws DeferredAlreadyCalled
 * ```
 */
export class DeferredAlreadyCalled extends TorsionError {
  constructor(
    message = 'This Deferred has already been fired: callback()/errback() may be called once; add callbacks to act on its result instead.',
  ) {
    super('ERR_DEFERRED_ALREADY_CALLED', message);
  }
}

/**
 * The reason a Deferred fails when it is cancelled (and its canceller did not fire it).
 *
 * @example
 * ```ts
 * const d = deferLater(reactor, 10, () => 'done');
 * d.addErrback((err) => {
 *   if (!(err instanceof CancelledError)) throw err;
 *   return 'cancelled';
 * });
 * d.cancel();
 * ```
 */
export class CancelledError extends TorsionError {
  constructor(message = 'The operation was cancelled.', options?: TorsionErrorOptions) {
    super('ERR_CANCELLED', message, options);
  }
}

/**
 * `gatherResults()` failed because one of its Deferreds did: `cause` is that failure.
 *
 * @example
 * ```ts
 * try {
 *   await gatherResults([fetchA(), fetchB()]);
 * } catch (err) {
 *   if (err instanceof FirstError) console.error(`input #${err.index} failed:`, err.cause);
 * }
 * ```
 */
export class FirstError extends TorsionError {
  /** The position of the failed Deferred in the list given to `gatherResults()`. */
  readonly index: number;

  constructor(cause: unknown, index = -1, message?: string) {
    super(
      'ERR_FIRST_ERROR',
      message ?? `Deferred #${index} of the gathered list failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.index = index;
  }
}

/**
 * `LoopingCall.start()` while it is already running.
 *
 * @example
 * ```ts
 * if (!heartbeat.running) heartbeat.start(30);   // start() while running throws LoopingCallAlreadyRunning
 * ```
 */
export class LoopingCallAlreadyRunning extends TorsionError {
  constructor(message = 'This LoopingCall is already running: stop() it before starting it again.') {
    super('ERR_LOOPING_CALL_RUNNING', message);
  }
}

/**
 * `LoopingCall.stop()` (or `reset()`) while it is not running.
 *
 * @example
 * ```ts
 * if (heartbeat.running) heartbeat.stop();   // stop() while not running throws LoopingCallNotRunning
 * ```
 */
export class LoopingCallNotRunning extends TorsionError {
  constructor(message = 'This LoopingCall is not running: check its running field before stopping it.') {
    super('ERR_LOOPING_CALL_NOT_RUNNING', message);
  }
}
