import { expect } from 'chai';
import { AlreadyCalled, AlreadyCancelled, setLogObserver, TorsionRangeError, type LogEvent } from '@torsion/reactor';
import { Clock } from '@torsion/reactor/testing';

describe('Clock', () => {
  it('starts at 0 and only moves when advanced', () => {
    const clock = new Clock();
    expect(clock.seconds()).to.equal(0);
    clock.advance(1.25);
    expect(clock.seconds()).to.equal(1.25);
    clock.pump([0.25, 0.5]);
    expect(clock.seconds()).to.equal(2);
  });

  it('runs a call when its time is reached, not before', () => {
    const clock = new Clock();
    const seen: number[] = [];
    clock.callLater(1.5, (x: number) => seen.push(x * 10 + clock.seconds()), 4);
    clock.advance(1.4999);
    expect(seen).to.deep.equal([]);
    clock.advance(0.0001);
    expect(seen).to.have.length(1);
    expect(seen[0]).to.be.closeTo(41.5, 1e-9);
  });

  it('runs calls due at the same time in scheduling order', () => {
    const clock = new Clock();
    const order: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) clock.callLater(1, () => order.push(name));
    clock.callLater(0.5, () => order.push('early'));
    clock.advance(1);
    expect(order).to.deep.equal(['early', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('runs calls in time order whatever the scheduling order', () => {
    const clock = new Clock();
    const order: number[] = [];
    const delays = [5, 3, 9, 1, 7, 2, 8, 4, 6, 0];
    for (const d of delays) clock.callLater(d, () => order.push(d));
    clock.advance(10);
    expect(order).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('runs within the same advance a call scheduled for now by a running call', () => {
    const clock = new Clock();
    const order: string[] = [];
    clock.callLater(1, () => {
      order.push('first');
      clock.callLater(0, () => order.push('scheduled for now'));
      clock.callLater(0.5, () => order.push('later'));
    });
    clock.advance(1);
    expect(order).to.deep.equal(['first', 'scheduled for now']);
    clock.advance(0.5);
    expect(order).to.deep.equal(['first', 'scheduled for now', 'later']);
  });

  it('jumps in one advance: a call scheduled from a call counts from the advanced time', () => {
    const clock = new Clock();
    const times: number[] = [];
    const tick = (): void => {
      times.push(clock.seconds());
      clock.callLater(1, tick);
    };
    clock.callLater(1, tick);
    clock.advance(10);
    expect(times).to.deep.equal([10]);
    expect(clock.getDelayedCalls().map((c) => c.getTime())).to.deep.equal([11]);
    clock.getDelayedCalls()[0]!.cancel();
  });

  it('pump() advances step by step', () => {
    const clock = new Clock();
    const times: number[] = [];
    const tick = (): void => {
      times.push(clock.seconds());
      clock.callLater(1, tick);
    };
    clock.callLater(1, tick);
    clock.pump([1, 1, 1]);
    expect(times).to.deep.equal([1, 2, 3]);
    expect(clock.getDelayedCalls()).to.have.length(1);
    clock.getDelayedCalls()[0]!.cancel();
  });

  it('cancel() removes the call; a second cancel or a cancel after the call is a typed error', () => {
    const clock = new Clock();
    let ran = 0;
    const call = clock.callLater(1, () => ran++);
    expect(call.active()).to.equal(true);
    call.cancel();
    expect(call.active()).to.equal(false);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    expect(() => call.cancel()).to.throw(AlreadyCancelled);
    expect(() => call.reset(1)).to.throw(AlreadyCancelled);
    clock.advance(2);
    expect(ran).to.equal(0);

    const done = clock.callLater(1, () => ran++);
    clock.advance(1);
    expect(ran).to.equal(1);
    expect(done.active()).to.equal(false);
    expect(() => done.cancel()).to.throw(AlreadyCalled);
    expect(() => done.delay(1)).to.throw(AlreadyCalled);
  });

  it('reset() moves a call later or earlier, counting from now', () => {
    const clock = new Clock();
    const seen: number[] = [];
    const call = clock.callLater(5, () => seen.push(clock.seconds()));
    clock.advance(4);
    call.reset(5); // now 4 -> due at 9
    expect(call.getTime()).to.equal(9);
    clock.advance(4);
    expect(seen).to.deep.equal([]);
    call.reset(0.5); // now 8 -> due at 8.5, earlier than before
    clock.advance(0.5);
    expect(seen).to.deep.equal([8.5]);
  });

  it('a call reset to a time shared with others runs after those already scheduled for it', () => {
    const clock = new Clock();
    const order: string[] = [];
    const a = clock.callLater(1, () => order.push('a'));
    clock.callLater(2, () => order.push('b'));
    a.reset(2);
    clock.callLater(2, () => order.push('c'));
    clock.advance(2);
    expect(order).to.deep.equal(['b', 'a', 'c']);
  });

  it('survives many resets that move the call later (the TimeoutMixin pattern)', () => {
    const clock = new Clock();
    let fired = 0;
    const call = clock.callLater(10, () => fired++);
    for (let i = 0; i < 10_000; i++) {
      clock.advance(0.001);
      call.reset(10);
    }
    expect(clock.getDelayedCalls()).to.have.length(1);
    clock.advance(9.99);
    expect(fired).to.equal(0);
    clock.advance(0.02);
    expect(fired).to.equal(1);
  });

  it('delay() pushes a call further into the future', () => {
    const clock = new Clock();
    let ran = false;
    const call = clock.callLater(1, () => (ran = true));
    call.delay(2);
    expect(call.getTime()).to.equal(3);
    clock.advance(2.5);
    expect(ran).to.equal(false);
    clock.advance(0.5);
    expect(ran).to.equal(true);
  });

  it('rejects NaN, negative and infinite delays with a message naming the value', () => {
    const clock = new Clock();
    for (const bad of [NaN, -1, Infinity]) {
      expect(() => clock.callLater(bad, () => {})).to.throw(TorsionRangeError, String(bad));
    }
    const call = clock.callLater(1, () => {});
    expect(() => call.reset(-0.5)).to.throw(TorsionRangeError, '-0.5');
    expect(() => clock.advance(-1)).to.throw(TorsionRangeError);
    call.cancel();
  });

  it('lets an exception from a call propagate out of advance(); the rest run on the next advance', () => {
    const clock = new Clock();
    const order: string[] = [];
    clock.callLater(1, () => {
      throw new Error('boom');
    });
    clock.callLater(1, () => order.push('after'));
    expect(() => clock.advance(1)).to.throw('boom');
    expect(order).to.deep.equal([]);
    clock.advance(0);
    expect(order).to.deep.equal(['after']);
  });

  it('reports a call whose returned promise rejects with log.error, as the reactor does, not as an unhandled rejection', async () => {
    const clock = new Clock();
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      let returned: Promise<void> | undefined;
      clock.callLater(1, () => {
        returned = (async () => {
          await Promise.resolve();
          throw new Error('async boom');
        })();
        return returned;
      });
      const order: string[] = [];
      clock.callLater(1, () => order.push('after'));
      clock.advance(1); // the rejection comes later: advance() cannot throw it
      expect(order).to.deep.equal(['after']);
      await returned!.catch(() => {});
      await new Promise((resolve) => setImmediate(resolve));
      const errors = events.filter((e) => e.level === 'error');
      expect(errors.map((e) => (e.error as Error).message)).to.deep.equal(['async boom']);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      setLogObserver(previous);
    }
  });

  it('agrees with a brute-force model on random schedules, cancels and resets', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let round = 0; round < 30; round++) {
      const clock = new Clock();
      const ran: number[] = [];
      const model: { id: number; time: number; seq: number; live: boolean }[] = [];
      const calls: ReturnType<Clock['callLater']>[] = [];
      let seq = 0;
      for (let i = 0; i < 60; i++) {
        const d = Math.floor(rand() * 20) / 4;
        const id = i;
        calls.push(clock.callLater(d, () => ran.push(id)));
        model.push({ id, time: d, seq: seq++, live: true });
      }
      for (let k = 0; k < 40; k++) {
        const i = Math.floor(rand() * 60);
        const m = model[i]!;
        if (!m.live) continue;
        if (rand() < 0.3) {
          calls[i]!.cancel();
          m.live = false;
        } else {
          const d = Math.floor(rand() * 20) / 4;
          calls[i]!.reset(d);
          m.time = d;
          m.seq = seq++;
        }
      }
      clock.advance(10);
      const expected = model
        .filter((m) => m.live)
        .sort((a, b) => a.time - b.time || a.seq - b.seq)
        .map((m) => m.id);
      expect(ran).to.deep.equal(expected);
      expect(clock.getDelayedCalls()).to.deep.equal([]);
    }
  });
});
