/**
 * Line echo from memory (no sockets): CPU nanoseconds per line for a LineReceiver echo, the
 * streams echo (`for await` + `write` + `await drain()`, as in bench/servers), the same with a
 * `readLine()` loop, and a minimal hand-written async iterator doing the same awaits — the floor
 * that any `for await` line loop pays. 50 connections, each fed one chunk of N 64-byte lines per
 * turn of the event loop, as the socket bench's server sees them; written bytes are counted, not
 * kept.
 *
 * Run: `node bench/dist/streams-lines.js [lines-per-chunk] [seconds]` (default 16 and 1).
 * It isolates what streams cost per line on top of the transport (docs/performance.md,
 * "Streams: where the time goes"). Figures move with the machine: compare rows of one run.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { LineReceiver } from '@torsion/protocols';
import type { Data, IProtocol } from '@torsion/reactor';
import { StringTransport } from '@torsion/reactor/testing';
import { StreamReader, StreamReaderProtocol, type StreamWriter } from '@torsion/streams';

const CONNS = 50;

/** Counts what is written instead of keeping it. */
class CountingTransport extends StringTransport {
  bytes = 0;
  override write(data: Data): void {
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }
}

class LineEcho extends LineReceiver {
  override delimiter = '\n';
  override lineReceived(line: Buffer): void {
    this.sendLine(line);
  }
}

interface LineSource {
  next(): Promise<IteratorResult<Buffer>>;
}

async function forAwaitEcho(reader: AsyncIterable<Buffer>, writer: Pick<StreamWriter, 'write' | 'drain'>): Promise<void> {
  for await (const line of reader) {
    writer.write(line);
    await writer.drain();
  }
}

async function batchEcho(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for await (const lines of reader.lineBatches()) {
    writer.writeLines(lines);
    await writer.drain();
  }
}

async function readLineEcho(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for (;;) {
    const line = await reader.readLine();
    if (line.length === 0) return;
    writer.write(line);
    await writer.drain();
  }
}

const RESOLVED = Promise.resolve();

/**
 * The least a `for await` line loop can cost: indexOf, a view, one resolved promise per line,
 * and one pending promise per chunk settled straight from the feed. No limits, no flow control,
 * no errors: a yardstick, not a reader.
 */
class MinimalLines implements IProtocol, AsyncIterable<Buffer> {
  #buf: Buffer | null = null;
  #start = 0;
  #waiter: ((r: IteratorResult<Buffer>) => void) | null = null;

  makeConnection(transport: CountingTransport): void {
    void this.#echo(transport);
  }

  // Its own copy of the echo loop, so its call sites stay apart from the streams one's.
  async #echo(transport: CountingTransport): Promise<void> {
    for await (const line of this) {
      transport.write(line);
      await RESOLVED;
    }
  }
  connectionLost(): void {}

  dataReceived(data: Buffer): void {
    this.#buf = data;
    this.#start = 0;
    const w = this.#waiter;
    if (w === null) return;
    this.#waiter = null;
    w({ done: false, value: this.#take()! });
  }

  #take(): Buffer | null {
    const buf = this.#buf;
    if (buf === null) return null;
    const i = buf.indexOf(0x0a, this.#start);
    if (i === -1) return null;
    const line = buf.subarray(this.#start, i + 1);
    this.#start = i + 1;
    if (this.#start === buf.length) this.#buf = null;
    return line;
  }

  [Symbol.asyncIterator](): LineSource {
    return {
      next: () => {
        const line = this.#take();
        if (line !== null) return Promise.resolve({ done: false, value: line });
        return new Promise((resolve) => {
          this.#waiter = resolve;
        });
      },
    };
  }
}

/** The servers compared, in table order. */
export const VARIANTS = ['LineReceiver', 'streams for await', 'streams readLine()', 'streams lineBatches()', 'minimal async iterator'] as const;
export type Variant = (typeof VARIANTS)[number];

function build(variant: Variant): IProtocol {
  switch (variant) {
    case 'LineReceiver':
      return new LineEcho();
    case 'streams for await':
      return new StreamReaderProtocol(new StreamReader(), forAwaitEcho);
    case 'streams readLine()':
      return new StreamReaderProtocol(new StreamReader(), readLineEcho);
    case 'streams lineBatches()':
      return new StreamReaderProtocol(new StreamReader(), batchEcho);
    case 'minimal async iterator':
      return new MinimalLines();
  }
}

/** CPU nanoseconds per line echoed by `variant`, over about `seconds` after a warm-up. */
export async function nsPerLine(variant: Variant, linesPerChunk: number, seconds: number): Promise<number> {
  const line = Buffer.alloc(64, 0x61);
  line[63] = 0x0a;
  const chunks = Array.from({ length: 64 }, () => Buffer.concat(Array.from({ length: linesPerChunk }, () => line)));
  const conns = Array.from({ length: CONNS }, () => {
    const transport = new CountingTransport();
    const protocol = build(variant);
    transport.connect(protocol);
    return { transport, protocol };
  });
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  let k = 0;
  const run = async (s: number): Promise<{ lines: number; cpu: number }> => {
    const end = performance.now() + s * 1000;
    const before = process.cpuUsage();
    let lines = 0;
    while (performance.now() < end) {
      for (let r = 0; r < 20; r++) {
        for (const c of conns) void c.protocol.dataReceived(chunks[k++ & 63]!);
        await turn();
        lines += CONNS * linesPerChunk;
      }
    }
    const used = process.cpuUsage(before);
    return { lines, cpu: (used.user + used.system) * 1000 };
  };
  await run(Math.min(0.5, seconds));
  const { lines, cpu } = await run(seconds);
  const echoed = conns.reduce((n, c) => n + c.transport.bytes, 0);
  const fed = k * linesPerChunk * 64;
  if (echoed !== fed) throw new Error(`${variant}: ${fed} bytes fed but ${echoed} echoed`);
  return cpu / lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [first, second, third] = process.argv.slice(2);
  if (first === '--one') {
    // One variant per process, so no variant's JIT feedback shapes another's.
    process.stdout.write(String(await nsPerLine(second as Variant, Number(third), Number(process.argv[5]))));
    process.exit(0);
  }
  const perChunk = Number(first ?? 16);
  const seconds = Number(second ?? 1);
  const results: [Variant, number][] = VARIANTS.map((v) => {
    const out = execFileSync(process.execPath, [process.argv[1], '--one', v, String(perChunk), String(seconds)], { encoding: 'utf8' });
    return [v, Number(out)];
  });
  const base = results[0]![1];
  console.log(`line echo from memory, ${CONNS} connections, ${perChunk} lines of 64 bytes per chunk — CPU ns per line`);
  for (const [v, ns] of results) console.log(`${v.padEnd(24)} ${ns.toFixed(0).padStart(6)} ns  ${(base / ns).toFixed(2)}× LineReceiver`);
}
