import { expect } from 'chai';
import { TARGETS, checkTargets, type Target } from '../lib/targets.js';

const speed: Target = { load: 'lines', server: 'a', versus: 'b', kind: 'min', bound: 0.8, text: 'a vs b' };
const memory: Target = { load: 'idle', server: 'a', versus: 'b', kind: 'max', bound: 1.1, text: 'a vs b' };

function runOf(values: Record<string, number[]>): (load: string, server: string) => number[] | undefined {
  return (load, server) => values[`${load}/${server}`];
}

describe('bench targets', () => {
  it('judges the ratio of medians and lists the ratio of each round', () => {
    const [r] = checkTargets([speed], runOf({ 'lines/a': [80, 90, 100], 'lines/b': [100, 100, 125] }));
    expect(r!.ratio).to.equal(0.9);
    expect(r!.rounds).to.deep.equal([0.8, 0.9, 0.8]);
    expect(r!.verdict).to.equal('met');
  });

  it('misses a speed target below its bound and a memory target above it', () => {
    const run = runOf({ 'lines/a': [79], 'lines/b': [100], 'idle/a': [111], 'idle/b': [100] });
    expect(checkTargets([speed, memory], run).map((r) => r.verdict)).to.deep.equal(['missed', 'missed']);
    const fine = runOf({ 'lines/a': [80], 'lines/b': [100], 'idle/a': [110], 'idle/b': [100] });
    expect(checkTargets([speed, memory], fine).map((r) => r.verdict)).to.deep.equal(['met', 'met']);
  });

  it('leaves out failed rounds and reports a server that did not run', () => {
    const [r] = checkTargets([speed], runOf({ 'lines/a': [Number.NaN, 90], 'lines/b': [100, 100] }));
    expect(r!.rounds).to.deep.equal([0.9]);
    expect(r!.verdict).to.equal('met');
    const [gone] = checkTargets([speed], runOf({ 'lines/a': [90] }));
    expect(gone!.verdict).to.equal('not run');
    const [failed] = checkTargets([speed], runOf({ 'lines/a': [Number.NaN], 'lines/b': [100] }));
    expect(failed!.verdict).to.equal('not run');
  });

  it('names only servers and loads that the catalogue has', async () => {
    const { loads } = await import('../lib/catalog.js');
    const all = loads({ duration: 1, warmup: 0, idleConns: 10 });
    for (const t of TARGETS) {
      const load = all.find((l) => l.id === t.load);
      expect(load, t.load).to.not.equal(undefined);
      const ids = load!.servers.map((s) => s.id);
      expect(ids, t.text).to.include(t.server);
      expect(ids, t.text).to.include(t.versus);
    }
  });
});
