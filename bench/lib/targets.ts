// The performance targets, checked against one run: each is a ratio of two servers' medians on
// one load, shown beside the same ratio round by round (servers take turns within a round, so a
// round's ratio compares two measurements taken moments apart). Pure: unit-tested on its own.
import { median, ratio } from './stats.js';

/** One target: `server` against `versus` on `load`, at least or at most `bound`. */
export interface Target {
  load: string;
  server: string;
  versus: string;
  /** `min`: the ratio must be at least `bound` (speed); `max`: at most (memory). */
  kind: 'min' | 'max';
  bound: number;
  text: string;
}

/** The targets of the performance issue, in the order the docs list them. */
export const TARGETS: readonly Target[] = [
  { load: 'echo', server: 'torsion-echo', versus: 'net-echo', kind: 'min', bound: 0.95, text: 'Protocol echo vs raw node:net' },
  { load: 'lines', server: 'torsion-lines', versus: 'net-lines-cork', kind: 'min', bound: 1.0, text: 'LineReceiver vs node:net split + cork' },
  { load: 'lines', server: 'torsion-lines', versus: 'twisted-lines', kind: 'min', bound: 2.3, text: 'LineReceiver vs Twisted LineReceiver' },
  { load: 'lines', server: 'torsion-lines', versus: 'uvloop-lines', kind: 'min', bound: 1.9, text: 'LineReceiver vs uvloop streams' },
  { load: 'lines', server: 'torsion-streams-lines', versus: 'torsion-lines', kind: 'min', bound: 0.8, text: 'streams, a line per await, vs LineReceiver' },
  { load: 'lines', server: 'torsion-streams-batches', versus: 'torsion-lines', kind: 'min', bound: 0.8, text: 'streams, line batches, vs LineReceiver' },
  { load: 'chat', server: 'torsion-chat-room', versus: 'net-chat-cork', kind: 'min', bound: 1.0, text: 'chat flagship vs node:net corked' },
  { load: 'chat', server: 'torsion-chat-room', versus: 'uvloop-chat', kind: 'min', bound: 1.0, text: 'chat flagship vs uvloop streams' },
  { load: 'idle', server: 'torsion-echo', versus: 'net-echo', kind: 'max', bound: 1.1, text: 'idle connections, RSS vs raw node:net' },
];

/** A target's outcome in one run. */
export interface TargetResult {
  target: Target;
  /** Ratio of the two medians: what the verdict is about. */
  ratio: number;
  /** The ratio within each round where both servers were measured. */
  rounds: number[];
  verdict: 'met' | 'missed' | 'not run';
}

/**
 * Check `targets` against a run. `series(load, server)` gives a server's headline value per
 * round (NaN for a failed round), or undefined when it did not run.
 */
export function checkTargets(targets: readonly Target[], series: (load: string, server: string) => readonly number[] | undefined): TargetResult[] {
  return targets.map((target) => {
    const a = series(target.load, target.server);
    const b = series(target.load, target.versus);
    if (a === undefined || b === undefined) return { target, ratio: Number.NaN, rounds: [], verdict: 'not run' };
    const r = ratio(median(a), median(b));
    const rounds: number[] = [];
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = ratio(a[i]!, b[i]!);
      if (Number.isFinite(x)) rounds.push(x);
    }
    if (!Number.isFinite(r)) return { target, ratio: r, rounds, verdict: 'not run' };
    const ok = target.kind === 'min' ? r >= target.bound : r <= target.bound;
    return { target, ratio: r, rounds, verdict: ok ? 'met' : 'missed' };
  });
}
