import { expect } from 'chai';
import { loads, unavailable } from '../lib/catalog.js';

describe('bench catalog', () => {
  const all = loads({ duration: 3, warmup: 0.5, idleConns: 10000 });

  it('every load names a baseline among its own servers, and ids are unique per load', () => {
    for (const load of all) {
      const ids = load.servers.map((s) => s.id);
      expect(ids, load.id).to.include(load.baseline);
      expect(new Set(ids).size, load.id).to.equal(ids.length);
      expect(load.servers.find((s) => s.id === load.baseline)!.family, load.id).to.equal('node');
    }
  });

  it('passes the durations to the client and sizes the idle load', () => {
    const echo = all.find((l) => l.id === 'echo')!;
    expect(echo.client.join(' ')).to.contain('--duration 3 --warmup 0.5');
    const idle = all.find((l) => l.id === 'idle')!;
    expect(idle.idleConns).to.equal(10000);
    expect(idle.client.join(' ')).to.contain('--conns 10000');
  });

  it('skips a Python peer that is not installed and a server that is not built, saying why', () => {
    const twisted = all.find((l) => l.id === 'echo')!.servers.find((s) => s.id === 'twisted-echo')!;
    expect(unavailable(twisted, '/nonexistent', { twisted: false, uvloop: true })).to.match(/bench\/setup/);
    expect(unavailable(twisted, '/nonexistent', { twisted: true, uvloop: true })).to.equal(undefined);
    const torsion = all.find((l) => l.id === 'echo')!.servers.find((s) => s.family === 'torsion')!;
    expect(unavailable(torsion, '/nonexistent', { twisted: true, uvloop: true })).to.match(/is not built/);
  });
});
