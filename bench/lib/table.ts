// Plain-text table for the terminal: columns padded to their widest cell, numbers right-aligned.

/** How a column is aligned. */
export type Align = 'left' | 'right';

/**
 * Render rows under a header as an aligned text table with a rule under the header.
 * `align[i]` defaults to left for the first column and right for the others.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const cols = header.length;
  for (const r of rows) {
    if (r.length !== cols) throw new RangeError(`table row has ${String(r.length)} cells, header has ${String(cols)}`);
  }
  const width = header.map((h, i) => Math.max(len(h), ...rows.map((r) => len(r[i]!))));
  const side = (i: number): Align => align[i] ?? (i === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => pad(c, width[i]!, side(i))).join('  ').trimEnd();
  const rule = width.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

// Code points, so "×" and "—" count as one column.
function len(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, w - len(s)));
  return align === 'left' ? s + fill : fill + s;
}
