import { expect } from 'chai';
import {
  CancelledError,
  Deferred,
  deferLater,
  LoopingCall,
  LoopingCallAlreadyRunning,
  LoopingCallNotRunning,
  Reactor,
  reactor,
  TorsionRangeError,
} from '@torsion/reactor';
import { Clock } from '@torsion/reactor/testing';

describe('deferLater', () => {
  it('fires with the function’s result after the delay', () => {
    const clock = new Clock();
    let got: unknown;
    deferLater(clock, 2, (a: number, b: number) => a + b, 1, 2).addCallback((v) => (got = v));
    clock.advance(1.9);
    expect(got).to.equal(undefined);
    clock.advance(0.1);
    expect(got).to.equal(3);
  });

  it('fires with undefined when no function is given, and fails if the function throws', () => {
    const clock = new Clock();
    const seen: unknown[] = [];
    deferLater(clock, 1).addCallback((v) => seen.push(['ok', v]));
    deferLater(clock, 1, () => {
      throw new Error('late failure');
    }).addErrback((e) => seen.push(['err', (e as Error).message]));
    clock.advance(1);
    expect(seen).to.deep.equal([
      ['ok', undefined],
      ['err', 'late failure'],
    ]);
  });

  it('cancel() cancels the scheduled call and fails with CancelledError', () => {
    const clock = new Clock();
    let ran = false;
    let failure: unknown;
    const d = deferLater(clock, 1, () => (ran = true));
    d.addErrback((e) => (failure = e));
    d.cancel();
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    clock.advance(2);
    expect(ran).to.equal(false);
    expect(failure).to.be.instanceOf(CancelledError);
  });

  it('works with await on a real reactor', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    expect(await deferLater(r, 0.01, () => 'done')).to.equal('done');
  });
});

describe('LoopingCall', () => {
  function looping(): { lc: LoopingCall; clock: Clock; times: number[] } {
    const clock = new Clock();
    const times: number[] = [];
    const lc = new LoopingCall(() => {
      times.push(clock.seconds());
    });
    lc.clock = clock;
    return { lc, clock, times };
  }

  it('takes its time from the global reactor unless given a clock', () => {
    expect(new LoopingCall(() => {}).clock).to.equal(reactor);
  });

  it('calls at once, then every interval; stop() fires the Deferred with the LoopingCall', () => {
    const { lc, clock, times } = looping();
    let stoppedWith: unknown;
    lc.start(1).addCallback((v) => (stoppedWith = v));
    expect(lc.running).to.equal(true);
    clock.pump([1, 1, 1]);
    expect(times).to.deep.equal([0, 1, 2, 3]);
    lc.stop();
    expect(lc.running).to.equal(false);
    expect(stoppedWith).to.equal(lc);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('start(interval, false) waits one interval first', () => {
    const { lc, clock, times } = looping();
    lc.start(2, false);
    clock.advance(1);
    expect(times).to.deep.equal([]);
    clock.advance(1);
    expect(times).to.deep.equal([2]);
    lc.stop();
  });

  it('skips missed intervals and stays on the grid of its start time', () => {
    const { lc, clock, times } = looping();
    lc.start(1);
    clock.advance(3.5); // due at 1; the clock is already at 3.5: one call, next at 4
    expect(times).to.deep.equal([0, 3.5]);
    clock.advance(0.5);
    expect(times).to.deep.equal([0, 3.5, 4]);
    lc.stop();
  });

  it('reset() restarts the grid from now', () => {
    const { lc, clock, times } = looping();
    lc.start(1);
    clock.advance(0.5);
    lc.reset();
    clock.advance(0.5);
    expect(times).to.deep.equal([0]);
    clock.advance(0.5);
    expect(times).to.deep.equal([0, 1.5]);
    lc.stop();
  });

  it('an exception stops the loop and fails the Deferred', () => {
    const clock = new Clock();
    let n = 0;
    const lc = new LoopingCall(() => {
      if (++n === 3) throw new Error('third time');
    });
    lc.clock = clock;
    let failure: unknown;
    lc.start(1).addErrback((e) => (failure = e));
    clock.pump([1, 1, 1, 1]);
    expect(n).to.equal(3);
    expect(lc.running).to.equal(false);
    expect((failure as Error).message).to.equal('third time');
    expect(clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('waits for a Deferred the function returns before scheduling the next call', () => {
    const clock = new Clock();
    const pending: Deferred<void>[] = [];
    const lc = new LoopingCall(() => {
      const d = new Deferred<void>();
      pending.push(d);
      return d;
    });
    lc.clock = clock;
    let stopped = false;
    lc.start(1).addCallback(() => (stopped = true));
    clock.advance(5);
    expect(pending).to.have.length(1);
    pending[0]!.callback();
    clock.advance(1);
    expect(pending).to.have.length(2);
    lc.stop(); // a call is in progress: the Deferred fires when it finishes
    expect(stopped).to.equal(false);
    pending[1]!.callback();
    expect(stopped).to.equal(true);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('a restart while the stopped run\'s call is in progress: the old Deferred still fires, one loop runs', () => {
    const clock = new Clock();
    const pending: Deferred<void>[] = [];
    const lc = new LoopingCall(() => {
      const d = new Deferred<void>();
      pending.push(d);
      return d;
    });
    lc.clock = clock;
    let firstStopped = false;
    lc.start(1).addCallback(() => (firstStopped = true));
    lc.stop(); // the first call is still in progress
    lc.start(1);
    expect(pending).to.have.length(2);
    pending[0]!.callback();
    // Before the fix the first Deferred never fired and the old call's end scheduled a second
    // loop beside the new one.
    expect(firstStopped).to.equal(true);
    pending[1]!.callback();
    expect(clock.getDelayedCalls()).to.have.length(1);
    clock.advance(1);
    expect(pending).to.have.length(3);
  });

  it('a rejected promise from the function stops the loop and fails the Deferred', async () => {
    const clock = new Clock();
    const lc = new LoopingCall(() => Promise.reject(new Error('async failure')));
    lc.clock = clock;
    let failure: unknown;
    try {
      await lc.start(1);
    } catch (e) {
      failure = e;
    }
    expect((failure as Error).message).to.equal('async failure');
    expect(lc.running).to.equal(false);
  });

  it('refuses misuse with typed errors', () => {
    const { lc } = looping();
    expect(() => lc.stop()).to.throw(LoopingCallNotRunning);
    expect(() => lc.reset()).to.throw(LoopingCallNotRunning, /nothing to reset\(\)/);
    expect(() => lc.start(-1)).to.throw(TorsionRangeError, '-1');
    expect(() => lc.start(NaN)).to.throw(TorsionRangeError);
    lc.start(1);
    expect(() => lc.start(1)).to.throw(LoopingCallAlreadyRunning);
    lc.stop();
  });

  it('an interval of 0 runs once per turn of a real reactor’s loop', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    let n = 0;
    const lc = new LoopingCall(() => {
      if (++n === 5) lc.stop();
    });
    lc.clock = r;
    const result = await lc.start(0);
    expect(result).to.equal(lc);
    expect(n).to.equal(5);
  });
});
