import { expect } from 'chai';
import { formatTable } from '../lib/table.js';

describe('bench table', () => {
  it('pads columns to the widest cell, first left-aligned, the rest right-aligned', () => {
    const out = formatTable(['server', 'rate'], [['raw', '1.60M'], ['torsion LineReceiver', '2k']]);
    expect(out.split('\n')).to.deep.equal([
      'server                 rate',
      '--------------------  -----',
      'raw                   1.60M',
      'torsion LineReceiver     2k',
    ]);
  });

  it('counts "×" and "—" as one column each', () => {
    const out = formatTable(['a', 'r'], [['x', '0.97×'], ['y', '—']]);
    const lines = out.split('\n');
    expect([...lines[2]!].length).to.equal([...lines[3]!].length);
  });

  it('rejects a row of the wrong width', () => {
    expect(() => formatTable(['a', 'b'], [['only one']])).to.throw(RangeError, /1 cells, header has 2/);
  });
});
