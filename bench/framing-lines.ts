/**
 * Line framing from memory (no sockets): lines per second for LineReceiver, LineOnlyReceiver,
 * a node:readline splitter and a hand-written Buffer.indexOf splitter, over pre-built ~64 KiB
 * chunks of 16-byte, 64-byte and 1 KiB lines (sizes include the CRLF); plus one 10 MiB line
 * arriving in 1 KiB chunks. Each figure is the median of several rounds, after a warm-up, and is
 * per second of CPU time (the process's user + system time), so that other work on a shared
 * machine does not skew it.
 *
 * Run directly: `node bench/dist/framing-lines.js` prints a table with ratios.
 *
 * @module
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { LineOnlyReceiver, LineReceiver } from '@torsion/protocols';
import { BufferView } from '@torsion/reactor';
import { StringTransport } from '@torsion/reactor/testing';

/**
 * The splitters compared, in table order. `views` is not a splitter but a floor: it is told
 * where every line is and only makes one Buffer view per line and counts it, which is the least
 * any splitter that hands out Buffer lines must do (it has no 10 MiB row).
 */
export const SPLITTERS = ['LineReceiver', 'LineOnlyReceiver', 'readline', 'indexOf', 'indexOf-tuned', 'views'] as const;
export type Splitter = (typeof SPLITTERS)[number];

/** One workload: its name, how many lines it holds, and lines/s per splitter (median). */
export interface FramingRow {
  workload: string;
  lines: number;
  bytes: number;
  linesPerSecond: Partial<Record<Splitter, number>>;
}

export interface FramingOptions {
  /** Rounds per measurement (median taken); default 5. */
  rounds?: number;
  /** Bytes of input per round for the short-line workloads; default 4 MiB. */
  bytesPerRound?: number;
}

const CRLF = Buffer.from('\r\n');
const CHUNK = 64 * 1024;
const BIG_LINE = 10 * 1024 * 1024;

class CountingLineReceiver extends LineReceiver {
  override MAX_LENGTH = 16 * 1024 * 1024;
  count = 0;
  override lineReceived(_line: Buffer): void {
    this.count += 1;
  }
}

class CountingLineOnlyReceiver extends LineOnlyReceiver {
  override MAX_LENGTH = 16 * 1024 * 1024;
  count = 0;
  override lineReceived(_line: Buffer): void {
    this.count += 1;
  }
}

/** What people write by hand: keep the leftover, concatenate the next chunk, indexOf in a loop. */
class IndexOfSplitter {
  count = 0;
  #rest: Buffer | null = null;

  feed(chunk: Buffer): void {
    const buf = this.#rest === null ? chunk : Buffer.concat([this.#rest, chunk]);
    let pos = 0;
    let k: number;
    while ((k = buf.indexOf(CRLF, pos)) !== -1) {
      this.onLine(buf.subarray(pos, k));
      pos = k + 2;
    }
    this.#rest = pos < buf.length ? buf.subarray(pos) : null;
  }

  onLine(_line: Buffer): void {
    this.count += 1;
  }
}

/**
 * The same, tuned: it searches for the delimiter's first byte (`indexOf(0x0d)`, a memchr) instead
 * of the two-byte Buffer, and keeps its leftover without re-copying it on every chunk. Shown so
 * the comparison with the plain splitter is not flattered by a weak baseline.
 */
class TunedIndexOfSplitter {
  count = 0;
  #rest: Buffer[] = [];
  #restLen = 0;

  feed(chunk: Buffer): void {
    let buf = chunk;
    if (this.#restLen > 0) {
      // Only once the leftover's line ends here is it joined (one copy per line, not per chunk).
      const k = chunk.indexOf(0x0a);
      if (k < 0) {
        this.#rest.push(chunk);
        this.#restLen += chunk.length;
        return;
      }
      this.#rest.push(chunk);
      buf = Buffer.concat(this.#rest, this.#restLen + chunk.length);
      this.#rest = [];
      this.#restLen = 0;
    }
    let pos = 0;
    let k: number;
    while ((k = buf.indexOf(0x0d, pos)) !== -1) {
      if (buf[k + 1] !== 0x0a) {
        if (k + 1 >= buf.length) break;
        pos = k + 1;
        continue;
      }
      this.onLine(buf.subarray(pos, k));
      pos = k + 2;
    }
    if (pos < buf.length) {
      this.#rest.push(buf.subarray(pos));
      this.#restLen = buf.length - pos;
    }
  }

  onLine(_line: Buffer): void {
    this.count += 1;
  }
}

/**
 * The floor: for each chunk, the [start, end) of every line that ends in it, worked out in
 * advance (a line cut by a chunk boundary counts once, as its part in the chunk where it ends).
 * Feeding a chunk makes one Buffer view per line, the way the receivers do, and counts it.
 */
class ViewsOnly {
  count = 0;
  readonly #bounds: Map<Buffer, Int32Array>;

  constructor(chunks: Buffer[]) {
    this.#bounds = new Map();
    for (const chunk of chunks) {
      const found: number[] = [];
      let start = 0;
      for (let k = chunk.indexOf(CRLF); k !== -1; k = chunk.indexOf(CRLF, k + 2)) {
        found.push(start, k);
        start = k + 2;
      }
      this.#bounds.set(chunk, Int32Array.from(found));
    }
  }

  feed(chunk: Buffer): void {
    const bounds = this.#bounds.get(chunk)!;
    const ab = chunk.buffer;
    const base = chunk.byteOffset;
    for (let i = 0; i < bounds.length; i += 2) this.onLine(new BufferView(ab, base + bounds[i]!, bounds[i + 1]! - bounds[i]!));
  }

  /**
   * The line is kept (until the next one), as the receivers keep theirs: a view that went
   * nowhere could be optimized away by V8, and the floor would be no floor.
   */
  last: Buffer | null = null;

  onLine(line: Buffer): void {
    this.last = line;
    this.count += 1;
  }
}

/** `lineSize`-byte lines (CRLF included), cut into ~64 KiB chunks at arbitrary points. */
function buildChunks(lineSize: number, totalBytes: number): { chunks: Buffer[]; lines: number } {
  const lines = Math.max(1, Math.floor(totalBytes / lineSize));
  const data = Buffer.allocUnsafe(lines * lineSize);
  for (let i = 0; i < lines; i++) {
    const at = i * lineSize;
    data.fill(0x61 + (i % 26), at, at + lineSize - 2);
    CRLF.copy(data, at + lineSize - 2);
  }
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += CHUNK) chunks.push(data.subarray(at, at + CHUNK));
  return { chunks, lines };
}

function bigLineChunks(): Buffer[] {
  const chunks: Buffer[] = [];
  const piece = Buffer.alloc(1024, 0x78);
  for (let i = 0; i < BIG_LINE / 1024; i++) chunks.push(piece);
  chunks.push(CRLF);
  return chunks;
}

/**
 * Feed every chunk to one fresh splitter; resolves to the CPU seconds taken and lines seen.
 * CPU time (user + system, all threads, so garbage collection counts) rather than wall time:
 * on a machine shared with other work, wall time also counts the moments the process waited
 * for a core, which hits whichever splitter happens to be running.
 */
async function runOnce(splitter: Splitter, chunks: Buffer[], reps: number): Promise<{ seconds: number; lines: number }> {
  // The floor's line positions are worked out before the clock starts.
  const floor = splitter === 'views' ? new ViewsOnly(chunks) : undefined;
  const start = process.cpuUsage();
  let lines: number;
  if (splitter === 'LineReceiver' || splitter === 'LineOnlyReceiver') {
    const p = splitter === 'LineReceiver' ? new CountingLineReceiver() : new CountingLineOnlyReceiver();
    new StringTransport().connect(p);
    for (let r = 0; r < reps; r++) for (const c of chunks) p.dataReceived(c);
    lines = p.count;
  } else if (splitter === 'indexOf' || splitter === 'indexOf-tuned' || splitter === 'views') {
    const s = splitter === 'indexOf' ? new IndexOfSplitter() : floor !== undefined ? floor : new TunedIndexOfSplitter();
    for (let r = 0; r < reps; r++) for (const c of chunks) s.feed(c);
    lines = s.count;
  } else {
    const input = new PassThrough();
    const rl = createInterface({ input, crlfDelay: Infinity });
    let count = 0;
    rl.on('line', () => {
      count += 1;
    });
    const closed = once(rl, 'close');
    for (let r = 0; r < reps; r++) for (const c of chunks) input.write(c);
    input.end();
    await closed;
    lines = count;
  }
  const used = process.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, lines };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * lines/s per splitter, median of `rounds`. The splitters take turns within each round, after
 * one warm-up turn each, so a burst of load on a shared machine hits them alike.
 */
async function measure(splitters: readonly Splitter[], chunks: Buffer[], perFeed: number, rounds: number, reps: number) {
  const expected = perFeed * reps;
  const rates = new Map<Splitter, number[]>(splitters.map((s) => [s, []]));
  for (let r = -1; r < rounds; r++) {
    for (const s of splitters) {
      const { seconds, lines } = await runOnce(s, chunks, reps);
      if (lines !== expected) throw new Error(`${s} found ${lines} lines, expected ${expected}`);
      if (r >= 0) rates.get(s)!.push(lines / seconds);
    }
  }
  const out: Partial<Record<Splitter, number>> = {};
  for (const [s, v] of rates) out[s] = median(v);
  return out;
}

/** Measure every splitter on every workload. */
export async function benchFramingLines(options: FramingOptions = {}): Promise<FramingRow[]> {
  const rounds = options.rounds ?? 5;
  const bytes = options.bytesPerRound ?? 8 * 1024 * 1024;
  const rows: FramingRow[] = [];
  for (const size of [16, 64, 1024]) {
    const { chunks, lines } = buildChunks(size, bytes);
    rows.push({
      workload: `${size}-byte lines`,
      lines,
      bytes: lines * size,
      // Feed the chunks several times per round so that a round holds ~200k lines or more,
      // which dwarfs timer resolution and stray GC pauses.
      linesPerSecond: await measure(SPLITTERS, chunks, lines, rounds, Math.ceil(200_000 / lines)),
    });
  }
  // The plain hand splitter re-copies its leftover on every chunk (quadratic on one huge line:
  // minutes here), so the 10 MiB case is measured for the others only.
  const big = bigLineChunks();
  rows.push({
    workload: '10 MiB line, 1 KiB chunks',
    lines: 1,
    bytes: BIG_LINE + 2,
    linesPerSecond: await measure(['LineReceiver', 'LineOnlyReceiver', 'readline', 'indexOf-tuned'], big, 1, rounds, 3),
  });
  return rows;
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '-';
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(2);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`;
}

/** The rows as a text table: lines/s per splitter, then ratios against the baselines. */
export function formatFramingTable(rows: FramingRow[]): string {
  const head = ['workload', ...SPLITTERS, 'LR/readline', 'views/readline', 'LR/indexOf', 'LOR/indexOf', 'LR/tuned'];
  const body = rows.map((r) => {
    const v = r.linesPerSecond;
    return [
      r.workload,
      ...SPLITTERS.map((s) => fmt(v[s])),
      ratio(v.LineReceiver, v.readline),
      ratio(v.views, v.readline),
      ratio(v.LineReceiver, v.indexOf),
      ratio(v.LineOnlyReceiver, v.indexOf),
      ratio(v.LineReceiver, v['indexOf-tuned']),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n') + '\n(lines per CPU second, median of rounds; 10 MiB row: 1 / CPU seconds per line)';
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  const rows = await benchFramingLines();
  console.log(formatFramingTable(rows));
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
