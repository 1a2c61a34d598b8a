import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Reactor,
  ReactorAlreadyRunning,
  ReactorNotRestartable,
  ReactorNotRunning,
  setLogObserver,
  type LogEvent,
  type ReactorResource,
} from '@torsion/reactor';

const quiet = { installSignalHandlers: false };

/** A stand-in for a port or connection: records what stop() asks of it. */
class FakeResource implements ReactorResource {
  readonly calls: string[];
  #finish!: () => void;
  readonly closed: Promise<void>;
  untrack: () => void = () => {};

  constructor(
    readonly kind: 'port' | 'connection',
    readonly name: string,
    log: string[],
    readonly closesOnItsOwn = true,
  ) {
    this.calls = log;
    this.closed = new Promise((resolve) => {
      this.#finish = () => {
        this.untrack();
        resolve();
      };
    });
  }

  /** Finish closing now (for a resource that does not close on its own). */
  finish(): void {
    this.#finish();
  }

  close(): Promise<void> {
    this.calls.push(`close ${this.name}`);
    if (this.closesOnItsOwn) setImmediate(this.#finish);
    return this.closed;
  }

  abort(): void {
    this.calls.push(`abort ${this.name}`);
    setImmediate(this.#finish);
  }
}

describe('Reactor life cycle', () => {
  it('is not running until run(); run() resolves once stop() has finished', async () => {
    const r = new Reactor(quiet);
    expect(r.running).to.equal(false);
    const ran = r.run();
    expect(r.running).to.equal(true);
    let resolved = false;
    void ran.then(() => (resolved = true));
    const stopped = r.stop();
    expect(r.running).to.equal(true); // until stop() has finished
    await stopped;
    expect(r.running).to.equal(false);
    await ran;
    expect(resolved).to.equal(true);
  });

  it('refuses a second run(), a run() after stop and a stop() when not running', async () => {
    const r = new Reactor(quiet);
    expect(() => r.stop()).to.throw(ReactorNotRunning);
    const ran = r.run();
    expect(() => r.run()).to.throw(ReactorAlreadyRunning);
    await r.stop();
    await ran;
    expect(() => r.run()).to.throw(ReactorNotRestartable);
    expect(() => r.stop()).to.throw(ReactorNotRunning);
  });

  it('stop() twice while stopping returns the same promise', async () => {
    const r = new Reactor(quiet);
    const ran = r.run();
    const a = r.stop();
    expect(r.stop()).to.equal(a);
    await a;
    await ran;
  });

  it('fires startup triggers in phase order, then callWhenRunning calls', async () => {
    const r = new Reactor(quiet);
    const order: string[] = [];
    r.callWhenRunning((x: string) => order.push(`running ${x}`), 'a');
    r.addSystemEventTrigger('after', 'startup', () => order.push('after'));
    r.addSystemEventTrigger('during', 'startup', () => order.push('during'));
    r.addSystemEventTrigger('before', 'startup', () => order.push('before'));
    const ran = r.run();
    // Nothing waited on a promise, so startup ran inside run().
    expect(order).to.deep.equal(['before', 'during', 'running a', 'after']);
    await r.stop();
    await ran;
  });

  it('awaits a before-startup promise; a stop() asked during startup runs once startup is done', async () => {
    const r = new Reactor(quiet);
    const order: string[] = [];
    let release!: () => void;
    r.addSystemEventTrigger('before', 'startup', () => new Promise<void>((resolve) => (release = resolve)));
    r.addSystemEventTrigger('during', 'startup', () => order.push('during startup'));
    r.callWhenRunning(() => {
      order.push('running');
      void r.stop();
    });
    r.addSystemEventTrigger('before', 'shutdown', () => order.push('before shutdown'));
    const ran = r.run();
    expect(order).to.deep.equal([]);
    release();
    await ran;
    expect(order).to.deep.equal(['during startup', 'running', 'before shutdown']);
    expect(r.running).to.equal(false);
  });

  it('a stop() asked by a startup trigger before startup first waits still runs once startup is done', async () => {
    const r = new Reactor(quiet);
    const order: string[] = [];
    let release!: () => void;
    r.addSystemEventTrigger('before', 'startup', () => new Promise<void>((resolve) => (release = resolve)));
    r.addSystemEventTrigger('before', 'startup', () => void r.stop()); // before run() has anything to wait on
    r.callWhenRunning(() => order.push(`running ${String(r.running)}`));
    r.addSystemEventTrigger('before', 'shutdown', () => order.push('before shutdown'));
    r.addSystemEventTrigger('after', 'shutdown', () => order.push('after shutdown'));
    const ran = r.run().then(() => order.push('run resolved'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).to.deep.equal([]); // startup is still waiting: no shutdown yet
    release();
    await ran;
    expect(order).to.deep.equal(['running true', 'before shutdown', 'after shutdown', 'run resolved']);
  });

  it('callWhenRunning on a stopped reactor throws ReactorNotRestartable (the call would never be made)', async () => {
    const r = new Reactor(quiet);
    const ran = r.run();
    await r.stop();
    await ran;
    expect(() => r.callWhenRunning(() => {})).to.throw(ReactorNotRestartable, /never be made/);
  });

  it('callWhenRunning on a running reactor runs soon, not synchronously', async () => {
    const r = new Reactor(quiet);
    const ran = r.run();
    let called = false;
    await new Promise<void>((resolve) => {
      r.callWhenRunning(() => {
        called = true;
        resolve();
      });
      expect(called).to.equal(false);
    });
    expect(called).to.equal(true);
    await r.stop();
    await ran;
  });

  it('awaits promises of before-shutdown triggers before the during phase', async () => {
    const r = new Reactor(quiet);
    const order: string[] = [];
    r.addSystemEventTrigger('before', 'shutdown', async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      order.push('before (async) done');
    });
    r.addSystemEventTrigger('before', 'shutdown', () => order.push('before (sync)'));
    r.addSystemEventTrigger('during', 'shutdown', () => order.push('during'));
    r.addSystemEventTrigger('after', 'shutdown', (x: number) => order.push(`after ${x}`), 42);
    const ran = r.run();
    await r.stop();
    await ran;
    expect(order).to.deep.equal(['before (sync)', 'before (async) done', 'during', 'after 42']);
  });

  it('logs a trigger that throws or rejects and still runs the others', async () => {
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    try {
      const r = new Reactor(quiet);
      const order: string[] = [];
      r.addSystemEventTrigger('before', 'shutdown', () => {
        throw new Error('sync boom');
      });
      r.addSystemEventTrigger('before', 'shutdown', () => Promise.reject(new Error('async boom')));
      r.addSystemEventTrigger('after', 'shutdown', () => order.push('after'));
      const ran = r.run();
      await r.stop();
      await ran;
      expect(order).to.deep.equal(['after']);
      const messages = events.filter((e) => e.level === 'error').map((e) => (e.error as Error).message);
      expect(messages).to.deep.equal(['sync boom', 'async boom']);
    } finally {
      setLogObserver(previous);
    }
  });

  it('removeSystemEventTrigger forgets a trigger, even one removed during its own phase', async () => {
    const r = new Reactor(quiet);
    const order: string[] = [];
    const gone = r.addSystemEventTrigger('during', 'shutdown', () => order.push('removed one'));
    r.removeSystemEventTrigger(gone);
    let later: unknown;
    r.addSystemEventTrigger('before', 'shutdown', () => {
      order.push('first');
      r.removeSystemEventTrigger(later);
    });
    later = r.addSystemEventTrigger('before', 'shutdown', () => order.push('second'));
    const ran = r.run();
    await r.stop();
    await ran;
    expect(order).to.deep.equal(['first']);
    expect(() => r.removeSystemEventTrigger({})).to.throw(TypeError);
  });

  it('stop() stops listening on ports, then closes connections, then runs the after triggers', async () => {
    const r = new Reactor(quiet);
    const calls: string[] = [];
    const conn = new FakeResource('connection', 'conn', calls);
    const port = new FakeResource('port', 'port', calls);
    conn.untrack = r.track(conn);
    port.untrack = r.track(port);
    r.addSystemEventTrigger('before', 'shutdown', () => calls.push('before'));
    r.addSystemEventTrigger('after', 'shutdown', () => calls.push('after'));
    const ran = r.run();
    await r.stop();
    await ran;
    expect(calls).to.deep.equal(['before', 'close port', 'close conn', 'after']);
  });

  it('aborts connections still open after the grace period', async () => {
    const r = new Reactor({ ...quiet, shutdownGracePeriod: 0.05 });
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    try {
      const calls: string[] = [];
      const slow = new FakeResource('connection', 'slow', calls, false);
      const fast = new FakeResource('connection', 'fast', calls);
      slow.untrack = r.track(slow);
      fast.untrack = r.track(fast);
      r.addSystemEventTrigger('after', 'shutdown', () => calls.push('after'));
      const ran = r.run();
      const start = performance.now();
      await r.stop();
      await ran;
      expect(performance.now() - start).to.be.at.least(45);
      expect(calls).to.deep.equal(['close slow', 'close fast', 'abort slow', 'after']);
      expect(events.some((e) => e.level === 'warn' && /Aborting 1/.test(e.message))).to.equal(true);
    } finally {
      setLogObserver(previous);
    }
  });

  it('waits for a slow close under a grace period longer than Node’s longest timer', async () => {
    const r = new Reactor({ ...quiet, shutdownGracePeriod: 1e300 });
    const calls: string[] = [];
    const slow = new FakeResource('connection', 'slow', calls, false);
    slow.untrack = r.track(slow);
    const ran = r.run();
    const stopping = r.stop();
    // Node would have fired an over-long timeout after 1 ms and the grace period with it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).to.deep.equal(['close slow']);
    slow.finish();
    await stopping;
    await ran;
    expect(calls).to.deep.equal(['close slow']);
  });

  it('lets delayed calls keep working without run()', async () => {
    const r = new Reactor(quiet);
    await new Promise<void>((resolve) => r.callLater(0, resolve));
    expect(r.running).to.equal(false);
  });

  describe('signals', function () {
    this.timeout(20000);
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

    it('a pending delayed call keeps the process alive, as setTimeout does', async () => {
      const program = `
        import { Reactor } from '@torsion/reactor';
        const r = new Reactor();
        r.callLater(0.05, () => console.log('fired'));
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect([code, out]).to.deep.equal([0, 'fired\n']);
    });

    it('a call due during shutdown still runs; one pending after stop() no longer keeps the process alive', async () => {
      const program = `
        import { Reactor } from '@torsion/reactor';
        const r = new Reactor();
        r.addSystemEventTrigger('before', 'shutdown', () => new Promise((res) => setTimeout(res, 100)));
        r.callWhenRunning(() => {
          r.callLater(0.02, () => console.log('fired-during-shutdown'));
          r.callLater(3600, () => console.log('never'));
          void r.stop();
        });
        await r.run();
        console.log('run-resolved ' + r.getDelayedCalls().length);
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect([code, out.split('\n').filter(Boolean)]).to.deep.equal([0, ['fired-during-shutdown', 'run-resolved 1']]);
    });

    it('runs no delayed call once stopped, even while something else keeps the process alive', async () => {
      const program = `
        import { Reactor } from '@torsion/reactor';
        const r = new Reactor({ installSignalHandlers: false });
        r.callLater(0.05, () => console.log('pending-at-stop-ran'));
        r.callWhenRunning(() => void r.stop());
        await r.run();
        r.callLater(0, () => console.log('scheduled-after-stop-ran'));
        // Something else keeps the process alive well past both calls' due times.
        setTimeout(() => console.log('pending ' + r.getDelayedCalls().length), 200);
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect([code, out.split('\n').filter(Boolean)]).to.deep.equal([0, ['pending 2']]);
    });

    it('a second signal during the before-shutdown triggers still aborts the connections at once when they close', async () => {
      // The grace period is long; the second SIGINT arrives while a 'before' trigger is pending,
      // before any connection is closing. The connection never closes on its own.
      const program = `
        import { Reactor } from '@torsion/reactor';
        const r = new Reactor({ shutdownGracePeriod: 60 });
        let aborted;
        const closed = new Promise((resolve) => (aborted = resolve));
        const untrack = r.track({
          kind: 'connection',
          close: () => { console.log('close'); return closed; },
          abort: () => { console.log('abort'); untrack(); aborted(); },
        });
        r.addSystemEventTrigger('before', 'shutdown', () => new Promise((resolve) => {
          process.once('SIGINT', () => resolve());
          console.log('before-shutdown');
        }));
        r.callWhenRunning(() => console.log('ready'));
        await r.run();
        console.log('run-resolved');
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', program], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let errOut = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (errOut += d));
      const saw = (text: string): Promise<void> =>
        new Promise<void>((resolve) => {
          const check = (): void => {
            if (out.includes(text)) resolve();
          };
          child.stdout.on('data', check);
          void exited.then(() => resolve());
          check();
        });
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      await saw('ready');
      child.kill('SIGINT');
      await saw('before-shutdown');
      child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running after 10 s'), 10000)))]);
      clearTimeout(timer);
      if (code === 'still running after 10 s') child.kill('SIGKILL');
      expect([code, out.split('\n').filter((l) => !l.startsWith('[torsion]') && l !== '')]).to.deep.equal([
        0,
        ['ready', 'before-shutdown', 'close', 'abort', 'run-resolved'],
      ]);
      // The log says why: not the grace period (a minute), the second signal.
      expect(errOut).to.match(/Aborting 1 resource\(s\) still open because shutdown was asked again/);
    });

    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`stops gracefully on ${signal}: shutdown triggers run and the process exits 0`, async () => {
        const program = `
          import { Reactor } from '@torsion/reactor';
          const r = new Reactor();
          r.addSystemEventTrigger('before', 'shutdown', () => console.log('before-shutdown'));
          r.addSystemEventTrigger('after', 'shutdown', () => console.log('after-shutdown'));
          r.callWhenRunning(() => console.log('ready'));
          await r.run();
          console.log('run-resolved ' + process.listenerCount('${signal}'));
        `;
        const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
          child.on('exit', (code, sig) => resolve([code, sig])),
        );
        await new Promise<void>((resolve) => {
          child.stdout.setEncoding('utf8').on('data', (d: string) => {
            out += d;
            if (out.includes('ready')) resolve();
          });
          void exited.then(() => resolve());
        });
        child.kill(signal);
        const [code, sig] = await exited;
        expect(err).to.equal('');
        expect([code, sig]).to.deep.equal([0, null]);
        expect(out.split('\n').filter(Boolean)).to.deep.equal([
          'ready',
          `[torsion] info: Received ${signal}, shutting down`,
          'before-shutdown',
          'after-shutdown',
          'run-resolved 0',
        ]);
      });
    }
  });
});
