import { expect } from 'chai';
import { formatPct, formatRatio, human, median, ratio, spread, summarize } from '../lib/stats.js';

describe('bench stats', () => {
  it('median of odd and even counts, ignoring NaN', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([5, Number.NaN, 1, 3])).to.equal(3);
    expect(median([])).to.be.NaN;
  });

  it('median does not reorder its input', () => {
    const v = [3, 1, 2];
    median(v);
    expect(v).to.deep.equal([3, 1, 2]);
  });

  it('spread and summarize give min, max and the count of finite rounds', () => {
    expect(spread([2, 9, 4])).to.deep.equal({ min: 2, max: 9 });
    expect(summarize([2, 9, 4, Number.NaN])).to.deep.equal({ median: 4, min: 2, max: 9, n: 3 });
    const empty = summarize([]);
    expect(empty.n).to.equal(0);
    expect(empty.min).to.be.NaN;
  });

  it('ratio is NaN when the baseline is missing or zero', () => {
    expect(ratio(95, 100)).to.equal(0.95);
    expect(ratio(1, 0)).to.be.NaN;
    expect(ratio(1, Number.NaN)).to.be.NaN;
  });

  it('formats large numbers with three significant digits', () => {
    expect(human(107_000)).to.equal('107k');
    expect(human(1_600_000)).to.equal('1.60M');
    expect(human(4_760_000)).to.equal('4.76M');
    expect(human(12_345)).to.equal('12.3k');
    expect(human(950)).to.equal('950');
    expect(human(96.5)).to.equal('96.5');
    expect(human(Number.NaN)).to.equal('—');
    expect(formatRatio(0.9666)).to.equal('0.97×');
    expect(formatPct(99.6)).to.equal('100%');
  });
});
