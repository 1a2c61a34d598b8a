import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  CancelledError,
  Deferred,
  DeferredAlreadyCalled,
  FirstError,
  gatherResults,
  setLogObserver,
  type LogEvent,
} from '@torsion/reactor';

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('Deferred', () => {
  describe('callback chain', () => {
    it('passes each step the result of the one before, with extra arguments', () => {
      const d = new Deferred<number>();
      const seen: unknown[] = [];
      d.addCallback((n) => n + 1)
        .addCallback((n: number, times: number) => n * times, 10)
        .addCallback((n) => seen.push(n));
      expect(seen).to.deep.equal([]);
      d.callback(1);
      expect(seen).to.deep.equal([20]);
      expect(d.called).to.equal(true);
    });

    it('runs callbacks added after firing at once', () => {
      const d = Deferred.succeed('x');
      let got: string | undefined;
      d.addCallback((v) => {
        got = v;
      });
      expect(got).to.equal('x');
    });

    it('skips callbacks on failure until an errback recovers', () => {
      const order: string[] = [];
      const d = new Deferred<number>();
      d.addCallback(() => {
        order.push('cb1');
        throw new Error('bad');
      })
        .addCallback(() => order.push('skipped'))
        .addErrback((e) => {
          order.push(`eb ${(e as Error).message}`);
          return 5;
        })
        .addCallbacks(
          (v) => order.push(`cb2 ${v}`),
          () => order.push('not this errback'),
        )
        .addBoth((r, tag: string) => order.push(`both ${String(r)} ${tag}`), 'end');
      d.callback(0);
      expect(order).to.deep.equal(['cb1', 'eb bad', 'cb2 5', 'both 3 end']);
    });

    it('errback() runs the errbacks with the error', () => {
      const err = new Error('nope');
      let got: unknown;
      Deferred.fail(err).addErrback((e) => {
        got = e;
      });
      expect(got).to.equal(err);
    });

    it('refuses a second firing with DeferredAlreadyCalled', () => {
      const d = new Deferred<number>();
      d.callback(1);
      expect(() => d.callback(2)).to.throw(DeferredAlreadyCalled);
      expect(() => d.errback(new Error('x'))).to.throw(DeferredAlreadyCalled);
      expect(new DeferredAlreadyCalled().code).to.equal('ERR_DEFERRED_ALREADY_CALLED');
    });

    it('refuses callback() with a Deferred', () => {
      const d = new Deferred<unknown>();
      expect(() => d.callback(new Deferred())).to.throw(TypeError);
      expect(d.called).to.equal(false);
    });

    it('pauses the chain while a callback’s Deferred is pending, then goes on with its result', () => {
      const inner = new Deferred<string>();
      const order: string[] = [];
      const d = new Deferred<number>();
      d.addCallback(() => inner).addCallback((s) => order.push(`after ${s}`));
      d.callback(1);
      expect(order).to.deep.equal([]);
      inner.callback('inner');
      expect(order).to.deep.equal(['after inner']);
    });

    it('passes a chained Deferred’s failure down the errbacks', () => {
      const inner = new Deferred<string>();
      let got: unknown;
      const d = Deferred.succeed(1);
      d.addCallback(() => inner).addErrback((e) => {
        got = e;
      });
      const err = new Error('inner failed');
      inner.errback(err);
      expect(got).to.equal(err);
    });

    it('waits for a promise a callback returns', async () => {
      const d = Deferred.succeed(2);
      const out = await d.addCallback(async (n) => {
        await tick();
        return n * 21;
      });
      expect(out).to.equal(42);
      let failure: unknown;
      await Deferred.succeed(0)
        .addCallback(() => Promise.reject(new Error('rejected')))
        .addErrback((e) => {
          failure = e;
        });
      expect((failure as Error).message).to.equal('rejected');
    });

    it('handles long chains of already-fired Deferreds without deep recursion', () => {
      const d = new Deferred<number>();
      for (let i = 0; i < 20_000; i++) d.addCallback((n) => Deferred.succeed(n + 1));
      let out = 0;
      d.addCallback((n) => (out = n));
      d.callback(0);
      expect(out).to.equal(20_000);
    });

    it('unwinds a deep chain of Deferreds waiting on one another without overflowing the stack', () => {
      const depth = 50_000;
      const ds = Array.from({ length: depth + 1 }, () => new Deferred<number>());
      for (let i = 0; i < depth; i++) {
        const next = ds[i + 1]!;
        ds[i]!.addCallback(() => next);
      }
      let out: unknown;
      let failure: unknown;
      ds[0]!.addCallbacks(
        (v) => (out = v),
        (e) => (failure = e),
      );
      for (let i = 0; i < depth; i++) ds[i]!.callback(0);
      ds[depth]!.callback(7);
      expect(failure).to.equal(undefined);
      expect(out).to.equal(7);
    });

    it('pause() holds the chain until unpause()', () => {
      const d = new Deferred<number>();
      const seen: number[] = [];
      d.pause();
      d.addCallback((n) => seen.push(n));
      d.callback(3);
      expect(seen).to.deep.equal([]);
      d.unpause();
      expect(seen).to.deep.equal([3]);
    });
  });

  describe('cancel()', () => {
    it('fails a pending Deferred with CancelledError and ignores the source’s later result once', () => {
      const d = new Deferred<number>();
      let got: unknown;
      d.addErrback((e) => {
        got = e;
      });
      d.cancel();
      expect(got).to.be.instanceOf(CancelledError);
      expect((got as CancelledError).code).to.equal('ERR_CANCELLED');
      d.callback(1); // the original source finishing late: ignored
      expect(() => d.callback(2)).to.throw(DeferredAlreadyCalled);
    });

    it('calls the canceller, which may fire the Deferred itself', () => {
      let cancelled = 0;
      const d = new Deferred<string>((self) => {
        cancelled++;
        self.callback('stopped early');
      });
      let got: unknown;
      d.addBoth((r) => (got = r));
      d.cancel();
      expect([cancelled, got]).to.deep.equal([1, 'stopped early']);
      d.cancel(); // already fired: nothing
      expect(cancelled).to.equal(1);
    });

    it('cancels the Deferred a paused chain waits on', () => {
      let innerCancelled = false;
      const inner = new Deferred<number>(() => {
        innerCancelled = true;
      });
      const d = Deferred.succeed(1);
      let got: unknown;
      d.addCallback(() => inner).addErrback((e) => (got = e));
      d.cancel();
      expect(innerCancelled).to.equal(true);
      expect(got).to.be.instanceOf(CancelledError);
    });

    it('stops waiting for a promise a paused chain waits on', async () => {
      let resolveLater!: (v: number) => void;
      const never = new Promise<number>((resolve) => (resolveLater = resolve));
      const d = Deferred.succeed(1);
      let got: unknown;
      d.addCallback(() => never).addBoth((r) => (got = r));
      d.cancel();
      expect(got).to.be.instanceOf(CancelledError);
      resolveLater(5);
      await tick();
      expect(got).to.be.instanceOf(CancelledError);
    });

    it('fromPromise: cancelling fails at once; the promise’s late result is ignored', async () => {
      let resolveLater!: (v: number) => void;
      const d = Deferred.fromPromise(new Promise<number>((resolve) => (resolveLater = resolve)));
      d.cancel();
      resolveLater(1);
      await tick();
      let failure: unknown;
      try {
        await d;
      } catch (e) {
        failure = e;
      }
      expect(failure).to.be.instanceOf(CancelledError);
    });
  });

  describe('as a thenable', () => {
    it('await gives the result, again and again', async () => {
      const d = new Deferred<number>();
      setImmediate(() => d.callback(7));
      expect(await d).to.equal(7);
      expect(await d).to.equal(7);
    });

    it('await throws the failure; then/catch/finally work', async () => {
      const err = new Error('failed');
      const d = Deferred.fail<number>(err);
      let caught: unknown;
      try {
        await d;
      } catch (e) {
        caught = e;
      }
      expect(caught).to.equal(err);
      expect(await d.catch(() => 'recovered')).to.equal('recovered');
      expect(await Deferred.succeed(1).then((v) => v + 1)).to.equal(2);
      let finallyRan = false;
      expect(await Deferred.succeed(3).finally(() => (finallyRan = true))).to.equal(3);
      expect(finallyRan).to.equal(true);
    });

    it('fromPromise follows a promise', async () => {
      expect(await Deferred.fromPromise(Promise.resolve('ok'))).to.equal('ok');
      let got: unknown;
      await Deferred.fromPromise(Promise.reject(new Error('no'))).addErrback((e) => (got = e));
      expect((got as Error).message).to.equal('no');
    });
  });

  describe('gatherResults', () => {
    it('fires with every result in order once all succeed', async () => {
      const a = new Deferred<number>();
      const b = new Deferred<number>();
      const all = gatherResults([a, b, Deferred.succeed(3)]);
      b.callback(2);
      expect(all.called).to.equal(false);
      a.callback(1);
      expect(await all).to.deep.equal([1, 2, 3]);
      expect(await gatherResults([])).to.deep.equal([]);
    });

    it('fails with FirstError naming the first failure and its index', async () => {
      const a = new Deferred<number>();
      const b = new Deferred<number>();
      const all = gatherResults([a, b], { consumeErrors: true });
      const err = new Error('b broke');
      b.errback(err);
      let failure: unknown;
      try {
        await all;
      } catch (e) {
        failure = e;
      }
      expect(failure).to.be.instanceOf(FirstError);
      expect((failure as FirstError).index).to.equal(1);
      expect((failure as FirstError).cause).to.equal(err);
      a.callback(1);
    });

    it('cancelling it cancels the inputs', () => {
      const a = new Deferred<number>();
      const b = new Deferred<number>();
      const all = gatherResults([a, b], { consumeErrors: true });
      let failure: unknown;
      all.addErrback((e) => (failure = e));
      all.cancel();
      expect(a.called && b.called).to.equal(true);
      expect((failure as FirstError).cause).to.be.instanceOf(CancelledError);
    });
  });

  describe('unhandled failures', function () {
    this.timeout(20000);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;

    async function collect(make: () => void): Promise<LogEvent[]> {
      const events: LogEvent[] = [];
      const previous = setLogObserver((e) => events.push(e));
      try {
        make();
        for (let i = 0; i < 10 && events.length === 0; i++) {
          await tick();
          gc();
          await tick();
        }
      } finally {
        setLogObserver(previous);
      }
      return events.filter((e) => /Unhandled error in Deferred/.test(e.message));
    }

    it('logs a failure no errback handled when the Deferred is garbage-collected', async () => {
      const events = await collect(() => {
        Deferred.fail(new Error('nobody listened'));
      });
      expect(events).to.have.length(1);
      expect((events[0]!.error as Error).message).to.equal('nobody listened');
    });

    it('does not log a failure that was handled or awaited', async () => {
      const events = await collect(() => {
        Deferred.fail(new Error('handled')).addErrback(() => undefined);
        Deferred.fail(new Error('awaited')).catch(() => undefined);
      });
      expect(events).to.have.length(0);
    });
  });
});
