import type { ITransport, MaybePromise } from '@torsion/reactor';
import { UnknownStateError } from './string-errors.js';

/** What {@link StatefulStringProtocol} needs of its base: a string receiver. */
export interface StringReceiverLike {
  transport: ITransport;
  stringReceived(data: Buffer): MaybePromise<void>;
}

/**
 * A state's handler: gets the string, returns the next state's name (`'done'` closes the
 * connection), or nothing to stay in the same state.
 */
export type StateHandler = (data: Buffer) => string | void;

/** A constructor of string receivers, as {@link StatefulStringProtocol} takes. */
// A mixin's base must be typed with `any[]` constructor arguments (a TypeScript rule).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StringReceiverClass = abstract new (...args: any[]) => StringReceiverLike;

/**
 * Adds a small state machine to a string receiver (`NetstringReceiver`, `Int32StringReceiver`,
 * ...): each string goes to the handler of the current {@link state} in the {@link states} map,
 * and the name it returns becomes the next state.
 *
 * Rules: the first state is `'init'` unless a subclass sets `state`; a handler that returns
 * nothing keeps the state; returning `'done'` closes the connection (`loseConnection()`) and no
 * more strings are delivered; a string arriving in a state with no handler throws
 * `UnknownStateError`, which drops the connection and is logged by the reactor.
 *
 * @example
 * ```ts
 * import { NetstringReceiver, StatefulStringProtocol } from '@torsion/protocols';
 *
 * class Login extends StatefulStringProtocol(NetstringReceiver) {
 *   user = '';
 *   override states = {
 *     init: (name: Buffer) => { this.user = name.toString(); return 'password'; },
 *     password: (pw: Buffer) => {
 *       this.sendString(pw.toString() === 'open sesame' ? 'welcome' : 'denied');
 *       return 'done';
 *     },
 *   };
 * }
 * ```
 */
export function StatefulStringProtocol<TBase extends StringReceiverClass>(Base: TBase) {
  abstract class Stateful extends Base {
    /** The current state's name; the next string goes to `states[state]`. */
    state = 'init';
    /** The handlers, by state name. Read at each string, so a subclass field sets it. */
    states: Readonly<Record<string, StateHandler>> = {};

    /** Dispatches to the current state's handler. Override the handlers, not this. */
    override stringReceived(data: Buffer): MaybePromise<void> {
      if (this.state === 'done') return;
      const handler = Object.hasOwn(this.states, this.state) ? this.states[this.state] : undefined;
      if (handler === undefined) throw new UnknownStateError(this.state, this.constructor.name);
      const next = handler.call(this, data);
      if (typeof next === 'string') this.state = next;
      if (this.state === 'done') this.transport.loseConnection();
    }
  }
  return Stateful;
}
