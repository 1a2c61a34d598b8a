// The in-memory line-framing bench (bench/framing-lines.ts): LineReceiver and friends fed from
// memory, no sockets. Run after the socket loads; its rows are printed and kept in the JSON.
import type { FramingRow } from '../framing-lines.js';
import { benchFramingLines, formatFramingTable } from '../framing-lines.js';

/** Run it (short in quick mode); a failure is reported, never thrown. */
export async function runFraming(quick: boolean): Promise<FramingRow[] | { error: string }> {
  try {
    const rows = await benchFramingLines(quick ? { rounds: 1, bytesPerRound: 1024 * 1024 } : { rounds: 3 });
    console.log('\nin-memory line framing (no sockets) — lines/s');
    console.log(formatFramingTable(rows));
    return rows;
  } catch (e) {
    console.log(`\nin-memory line framing FAILED: ${(e as Error).message}`);
    return { error: (e as Error).message };
  }
}
