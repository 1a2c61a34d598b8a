/**
 * Errors of the test doubles (`@torsion/reactor/testing`): a port used while not listening, a fake
 * connector driven out of order, and an in-memory pump that never settles.
 *
 * @module
 */
import { TorsionError } from './base.js';

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
