import { expect } from 'chai';
import { escapeXml, renderChart } from '../lib/chart.js';

function attr(svg: string, re: RegExp): number[] {
  return [...svg.matchAll(re)].map((m) => Number(m[1]));
}

describe('bench chart', () => {
  const svg = renderChart('Torsion <bench>', [
    { title: 'echo', unit: 'msg/s', bars: [
      { label: 'raw node:net', value: 100, min: 90, max: 110 },
      { label: 'torsion', value: 50, highlight: true, note: '0.50×' },
    ] },
    { title: 'empty', unit: 'x', bars: [] },
  ]);

  it('is one well-formed svg document with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
    expect(svg.trimEnd().endsWith('</svg>')).to.equal(true);
    expect(svg).to.contain('Torsion &lt;bench&gt;');
    expect(svg).not.to.contain('<bench>');
    expect(escapeXml('a&"b')).to.equal('a&amp;&quot;b');
  });

  it('scales bars within a group to the largest max and highlights Torsion', () => {
    const widths = attr(svg, /width="([\d.]+)" height="18"/g);
    expect(widths).to.have.length(2);
    expect(widths[0]! / widths[1]!).to.be.closeTo(2, 0.01);
    expect(svg).to.contain('class="bar hl"');
    expect(svg).to.contain('0.50×');
    expect(svg).to.contain('<path d="M');
  });

  it('leaves out groups without bars', () => {
    expect(svg).not.to.contain('empty (x)');
  });
});
