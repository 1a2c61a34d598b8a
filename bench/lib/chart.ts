// A dependency-free SVG bar chart: one group of horizontal bars per load, each bar the median
// with a whisker for the min–max spread. Bars are scaled within their group, because loads
// measure different things (messages/s, lines/s, MB).

import { human } from './stats.js';

/** One bar: a server's median and spread for a load. */
export interface Bar {
  label: string;
  value: number;
  min?: number;
  max?: number;
  /** Drawn in the accent colour (Torsion's own servers). */
  highlight?: boolean;
  /** Drawn darker: the bar the ratios are measured against. */
  baseline?: boolean;
  /** Shown after the value, e.g. "0.97×". */
  note?: string;
}

/** One load's bars under a title. */
export interface BarGroup {
  title: string;
  unit: string;
  bars: Bar[];
}

/** Layout constants, exported so tests can reason about positions. */
export const LAYOUT = {
  width: 760,
  labelWidth: 210,
  barHeight: 18,
  barGap: 6,
  titleHeight: 28,
  groupGap: 16,
  valueWidth: 150,
  margin: 12,
} as const;

/** Escape text for use in SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Render the groups as a standalone SVG document. Groups without bars are left out. */
export function renderChart(title: string, groups: readonly BarGroup[]): string {
  const L = LAYOUT;
  const plotWidth = L.width - 2 * L.margin - L.labelWidth - L.valueWidth;
  const parts: string[] = [];
  let y = L.margin + 22;
  parts.push(`<text x="${String(L.margin)}" y="${String(y - 6)}" class="h1">${escapeXml(title)}</text>`);
  for (const g of groups) {
    if (g.bars.length === 0) continue;
    y += L.groupGap;
    parts.push(`<text x="${String(L.margin)}" y="${String(y + 16)}" class="h2">${escapeXml(`${g.title} (${g.unit})`)}</text>`);
    y += L.titleHeight;
    const top = Math.max(...g.bars.map((b) => finite(b.max, finite(b.value, 0))), 0);
    const scale = top > 0 ? plotWidth / top : 0;
    for (const b of g.bars) {
      const x0 = L.margin + L.labelWidth;
      const w = Math.max(0, finite(b.value, 0) * scale);
      const cy = y + L.barHeight / 2;
      parts.push(`<text x="${String(x0 - 8)}" y="${fmt(cy + 4)}" class="label">${escapeXml(b.label)}</text>`);
      parts.push(`<rect x="${String(x0)}" y="${String(y)}" width="${fmt(w)}" height="${String(L.barHeight)}" class="${b.highlight === true ? 'bar hl' : b.baseline === true ? 'bar base' : 'bar'}"/>`);
      if (Number.isFinite(b.min) && Number.isFinite(b.max) && b.min !== b.max) {
        const a = x0 + b.min! * scale;
        const z = x0 + b.max! * scale;
        parts.push(`<path d="M${fmt(a)} ${fmt(cy)}H${fmt(z)}M${fmt(a)} ${fmt(cy - 4)}V${fmt(cy + 4)}M${fmt(z)} ${fmt(cy - 4)}V${fmt(cy + 4)}" class="whisker"/>`);
      }
      const text = Number.isFinite(b.value) ? human(b.value) + (b.note === undefined ? '' : `  ${b.note}`) : 'n/a';
      const tx = x0 + Math.max(w, Number.isFinite(b.max) ? b.max! * scale : 0) + 6;
      parts.push(`<text x="${fmt(tx)}" y="${fmt(cy + 4)}" class="value">${escapeXml(text)}</text>`);
      y += L.barHeight + L.barGap;
    }
  }
  const height = y + L.margin;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(L.width)}" height="${String(height)}" viewBox="0 0 ${String(L.width)} ${String(height)}">`,
    '<style>',
    'text{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;fill:#222}',
    '.h1{font-size:16px;font-weight:600}.h2{font-size:13px;font-weight:600}',
    '.label{font-size:12px;text-anchor:end}.value{font-size:11px;fill:#444}',
    '.bar{fill:#9aa5b1}.base{fill:#52606d}.hl{fill:#d9534f}.whisker{stroke:#222;stroke-width:1;fill:none}',
    '</style>',
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function finite(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) ? v : fallback;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}
