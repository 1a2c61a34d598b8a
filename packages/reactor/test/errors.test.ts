import { expect } from 'chai';
import * as api from '@torsion/reactor';
import {
  AlreadyCalled, AlreadyCancelled, CannotListenError, ConnectError, ConnectionAborted, ConnectionClosed,
  ConnectionDone, ConnectionLost, ConnectionRefusedError, ProcessDone, ProcessTerminated, TimeoutError,
  TorsionError, TorsionRangeError,
} from '@torsion/reactor';

describe('errors', () => {
  it('every exported error class has a stable code, its own name and is an Error', () => {
    const codes = new Set<string>();
    for (const [name, value] of Object.entries(api)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
      const ctor = value as unknown as new (...a: unknown[]) => Error & { code?: string };
      const bases = ['TorsionError', 'ConnectionClosed', 'ConnectError'];
      if (bases.includes(name)) continue;
      const args = name === 'CannotListenError' ? ['127.0.0.1', 1, 'x'] : name === 'ProcessTerminated' ? [1, null] : ['m'];
      const err = new ctor(...args);
      expect(err, name).to.be.instanceOf(Error);
      expect(err.name, name).to.equal(name);
      expect(err.code, name).to.match(/^ERR_[A-Z_]+$/);
      if (err instanceof TorsionError) {
        expect(codes.has(err.code), `duplicate code ${err.code}`).to.equal(false);
        codes.add(err.code);
      }
    }
    expect(codes.size).to.be.greaterThan(10);
  });

  it('groups connection reasons and connect failures under common bases', () => {
    expect(new ConnectionDone()).to.be.instanceOf(ConnectionClosed);
    expect(new ConnectionLost()).to.be.instanceOf(ConnectionClosed);
    expect(new ConnectionAborted()).to.be.instanceOf(ConnectionClosed);
    expect(new ConnectionRefusedError()).to.be.instanceOf(ConnectError);
    expect(new TimeoutError()).to.be.instanceOf(ConnectError);
    expect(new AlreadyCalled().code).to.equal('ERR_ALREADY_CALLED');
    expect(new AlreadyCancelled().code).to.equal('ERR_ALREADY_CANCELLED');
  });

  it('keeps the underlying cause and the details users need', () => {
    const cause = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const e = new CannotListenError('127.0.0.1', 8023, 'Port 8023 is in use', { cause });
    expect(e.cause).to.equal(cause);
    expect(e.port).to.equal(8023);
    expect(e.interface).to.equal('127.0.0.1');
    const t = new ProcessTerminated(null, 'SIGKILL');
    expect(t.signal).to.equal('SIGKILL');
    expect(t.message).to.contain('SIGKILL');
    expect(new ProcessTerminated(3, null).message).to.contain('status 3');
    expect(new ProcessDone().exitCode).to.equal(0);
    expect(new TorsionRangeError('bad')).to.be.instanceOf(RangeError);
  });
});
