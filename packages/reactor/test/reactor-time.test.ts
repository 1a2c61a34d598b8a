import { expect } from 'chai';
import { Reactor, setLogObserver, TorsionRangeError, type LogEvent } from '@torsion/reactor';

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('Reactor time', () => {
  it('seconds() is monotonic wall-clock-like time in seconds', () => {
    const r = new Reactor({ installSignalHandlers: false });
    const a = r.seconds();
    const b = r.seconds();
    expect(b).to.be.at.least(a);
    expect(Math.abs(a - Date.now() / 1000)).to.be.below(5);
  });

  it('runs a call after its delay in seconds, with its arguments', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    const start = r.seconds();
    const [at, x, y] = await new Promise<[number, number, string]>((resolve) => {
      r.callLater(0.03, (p: number, q: string) => resolve([r.seconds(), p, q]), 7, 'z');
    });
    expect(at - start).to.be.at.least(0.029);
    expect([x, y]).to.deep.equal([7, 'z']);
    expect(r.getDelayedCalls()).to.deep.equal([]);
  });

  it('runs calls due at the same time in scheduling order, earlier ones first', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      r.callLater(0.02, () => order.push('b1'));
      r.callLater(0.02, () => order.push('b2'));
      r.callLater(0.01, () => order.push('a'));
      r.callLater(0.02, () => order.push('b3'));
      r.callLater(0.03, () => resolve());
    });
    expect(order).to.deep.equal(['a', 'b1', 'b2', 'b3']);
  });

  it('logs a call that throws and still runs the others', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    try {
      const ran: string[] = [];
      await new Promise<void>((resolve) => {
        r.callLater(0, () => {
          throw new Error('boom');
        });
        r.callLater(0, () => ran.push('second'));
        r.callLater(0.001, resolve);
      });
      expect(ran).to.deep.equal(['second']);
      const errors = events.filter((e) => e.level === 'error');
      expect(errors).to.have.length(1);
      expect((errors[0]!.error as Error).message).to.equal('boom');
    } finally {
      setLogObserver(previous);
    }
  });

  it('logs a call whose returned promise rejects (an async function), instead of leaving the rejection unhandled', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      await new Promise<void>((resolve) => {
        r.callLater(0, async () => {
          await Promise.resolve();
          throw new Error('async boom');
        });
        r.callLater(0.001, resolve);
      });
      await new Promise((resolve) => setImmediate(resolve));
      const errors = events.filter((e) => e.level === 'error');
      expect(errors.map((e) => (e.error as Error).message)).to.deep.equal(['async boom']);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      setLogObserver(previous);
    }
  });

  it('rejects NaN, negative and infinite delays with a RangeError naming the value', () => {
    const r = new Reactor({ installSignalHandlers: false });
    for (const bad of [NaN, -0.1, Infinity, -Infinity]) {
      expect(() => r.callLater(bad, () => {})).to.throw(TorsionRangeError, String(bad));
      expect(() => r.callLater(bad, () => {})).to.throw(RangeError);
    }
    expect(r.getDelayedCalls()).to.deep.equal([]);
  });

  it('arms one Node timer for all its calls, and none once they are cancelled', () => {
    const r = new Reactor({ installSignalHandlers: false });
    const before = timeouts();
    const calls = [5, 3, 8, 1, 9].map((d) => r.callLater(d, () => {}));
    expect(timeouts()).to.equal(before + 1);
    expect(r.getDelayedCalls()).to.have.length(5);
    for (const c of calls) c.cancel();
    expect(timeouts()).to.equal(before);
    expect(r.getDelayedCalls()).to.deep.equal([]);
  });

  it('moves its timer when a call is reset earlier', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    const start = r.seconds();
    const at = await new Promise<number>((resolve) => {
      const call = r.callLater(60, () => resolve(r.seconds()));
      call.reset(0.01);
    });
    expect(at - start).to.be.below(30);
  });

  it('runs a call that was reset later at its new time only', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    const start = r.seconds();
    const at = await new Promise<number>((resolve) => {
      const call = r.callLater(0.01, () => resolve(r.seconds()));
      call.reset(0.04);
    });
    expect(at - start).to.be.at.least(0.039);
  });

  it('accepts delays beyond the 24.8-day limit of setTimeout without firing early', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      let ran = false;
      const far = r.callLater(30 * 24 * 3600, () => (ran = true));
      expect(far.getTime() - r.seconds()).to.be.closeTo(30 * 24 * 3600, 1);
      await new Promise<void>((resolve) => r.callLater(0.02, resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(ran).to.equal(false);
      expect(far.active()).to.equal(true);
      far.cancel();
      expect(warnings.map((w) => w.name)).to.not.include('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('does not let a call that reschedules itself for now starve I/O', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    let turns = 0;
    let immediateRan = false;
    await new Promise<void>((resolve) => {
      const spin = (): void => {
        turns++;
        if (immediateRan || turns > 10_000) resolve();
        else r.callLater(0, spin);
      };
      r.callLater(0, spin);
      setImmediate(() => (immediateRan = true));
    });
    expect(immediateRan).to.equal(true);
    expect(turns).to.be.below(100);
  });
});
