// `npm run bench`: every load against Torsion's servers, hand-written Node baselines and (when
// installed) Twisted, asyncio and uvloop, in one run. Prints a table per load, writes JSON and an
// SVG chart to bench/results/, and with --update-docs copies the chart to docs/performance.svg.
//
// Flags: --quick (1 round, short loads: a smoke test), --rounds N, --only a,b (load ids: echo,
// lines, chat, chat-stuck, idle, framing; other words match server ids/labels), --update-docs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadSpec, RunShape, ServerSpec } from './lib/catalog.js';
import { loads, unavailable } from './lib/catalog.js';
import type { BarGroup } from './lib/chart.js';
import { renderChart } from './lib/chart.js';
import { runFraming } from './lib/framing.js';
import { buildLoadgen } from './lib/loadgen.js';
import type { Sample } from './lib/measure.js';
import { measure } from './lib/measure.js';
import { fileLimits, hasTaskset } from './lib/proc.js';
import type { Summary } from './lib/stats.js';
import { formatPct, formatRatio, human, median, ratio, summarize } from './lib/stats.js';
import { TARGETS, checkTargets, type TargetResult } from './lib/targets.js';
import { formatTable } from './lib/table.js';

interface Options { quick: boolean; rounds: number; only: string[]; updateDocs: boolean }

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { quick: false, rounds: 3, only: [], updateDocs: false };
  let roundsSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--update-docs') o.updateDocs = true;
    else if (a === '--rounds' || a === '--only') {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      if (a === '--rounds') {
        o.rounds = Number(v);
        roundsSet = true;
        if (!Number.isInteger(o.rounds) || o.rounds < 1) usage(`--rounds must be a positive integer, got ${v}`);
      } else o.only.push(...v.split(',').filter((s) => s !== ''));
    } else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  if (o.quick && !roundsSet) o.rounds = 1;
  return o;
}

function usage(problem?: string): never {
  if (problem !== undefined) console.error(`bench: ${problem}`);
  console.error('usage: npm run bench -- [--quick] [--rounds N] [--only load-or-server[,...]] [--update-docs]');
  process.exit(problem === undefined ? 0 : 2);
}

/** One server's results under one load. */
interface Row {
  load: string;
  server: string;
  label: string;
  family: string;
  baseline: boolean;
  samples: Sample[];
  rate: Summary;
  peakMB: Summary;
  serverCpuPct: number;
  clientCpuPct: number;
  ratio: number;
  errors: string[];
  skipped?: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const benchDir = path.join(root, 'bench');

function pythonHas(mod: string): boolean {
  if (!existsSync('/usr/bin/python3')) return false;
  return spawnSync('/usr/bin/python3', ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
}

const LOAD_IDS = ['echo', 'lines', 'chat', 'chat-stuck', 'idle', 'framing'];

// Words naming a load pick loads; other words pick servers (by id or label, substring).
function selected(o: Options, load: LoadSpec, server: ServerSpec): boolean {
  const loadWords = o.only.filter((w) => LOAD_IDS.includes(w));
  const serverWords = o.only.filter((w) => !LOAD_IDS.includes(w));
  if (loadWords.length > 0 && !loadWords.includes(load.id)) return false;
  return serverWords.length === 0 ||
    serverWords.some((w) => server.id.includes(w) || server.label.toLowerCase().includes(w.toLowerCase()));
}

function wantsFraming(o: Options): boolean {
  const loadWords = o.only.filter((w) => LOAD_IDS.includes(w));
  return o.only.length === 0 || loadWords.includes('framing') || (loadWords.length === 0 && o.only.some((w) => 'framing'.includes(w)));
}

function headline(load: LoadSpec, r: Row): Summary {
  return load.metric === 'rss' ? r.peakMB : r.rate;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const shape: RunShape = o.quick ? { duration: 1, warmup: 0.25, idleConns: 2000 } : { duration: 3, warmup: 0.5, idleConns: 10000 };
  const python = { present: existsSync('/usr/bin/python3'), twisted: pythonHas('twisted'), uvloop: pythonHas('uvloop') };
  const loadgen = buildLoadgen(benchDir);
  const started = Date.now();

  console.log(`Torsion bench: ${String(o.rounds)} round(s), ${String(shape.duration)} s per load after ${String(shape.warmup)} s warm-up; ` +
    `node ${process.version}, ${String(os.cpus().length)} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`);
  console.log(hasTaskset() ? 'server pinned to CPU 0, load client to CPU 1 (taskset)' : 'taskset not found: processes are not pinned, numbers are noisier');
  if (!python.twisted || !python.uvloop) console.log('Python peers missing (Twisted/uvloop for /usr/bin/python3): run bench/setup to compare against them');
  if (os.loadavg()[0]! > os.cpus().length * 0.5) console.log(`note: load average ${os.loadavg()[0]!.toFixed(1)} — other work is running, numbers are not final`);

  const plan: { load: LoadSpec; servers: ServerSpec[]; skipped: Map<string, string> }[] = [];
  for (const load of loads(shape)) {
    const picked = load.servers.filter((s) => selected(o, load, s));
    if (picked.length === 0) continue;
    // The baseline always runs with what was picked, so the ratios stay meaningful.
    const servers = load.servers.filter((s) => picked.includes(s) || s.id === load.baseline);
    const skipped = new Map<string, string>();
    for (const s of servers) {
      const why = python.present || s.family !== 'python' ? unavailable(s, root, python) : '/usr/bin/python3 not found';
      if (why !== undefined) skipped.set(s.id, why);
    }
    plan.push({ load, servers, skipped });
  }

  // Idle loads need as many descriptors as connections in the server (the client raises its own).
  const limits = fileLimits();
  const nofileNeed = shape.idleConns + 256;
  let nofile: number | undefined;
  let idleSkip: string | undefined;
  if (limits.soft < nofileNeed) {
    if (limits.hard >= nofileNeed) nofile = nofileNeed;
    else idleSkip = `needs ${String(nofileNeed)} open files, hard limit is ${String(limits.hard)} (raise it: ulimit -Hn)`;
  }

  const samples = new Map<string, Sample[]>();
  for (let round = 1; round <= o.rounds; round++) {
    for (const { load, servers, skipped } of plan) {
      for (const s of servers) {
        if (skipped.has(s.id)) continue;
        if (load.idleConns !== undefined && idleSkip !== undefined) { skipped.set(s.id, idleSkip); continue; }
        const sample = await measure(load, s, { root, loadgen, duration: shape.duration, warmup: shape.warmup, nofile: load.idleConns !== undefined ? nofile : undefined });
        const key = `${load.id}/${s.id}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        const shown = sample.error !== undefined ? `ERROR ${sample.error}`
          : load.metric === 'rss' ? `${sample.peakMB.toFixed(1)} MB` : `${human(sample.rate)} ${load.unit}`;
        console.log(`  round ${String(round)}  ${load.id.padEnd(10)} ${s.label.padEnd(32)} ${shown}`);
      }
    }
  }

  const rows: Row[] = [];
  for (const { load, servers, skipped } of plan) {
    const loadRows = servers.map((s): Row => {
      const ss = samples.get(`${load.id}/${s.id}`) ?? [];
      const ok = ss.filter((x) => x.error === undefined);
      return {
        load: load.id, server: s.id, label: s.label, family: s.family, baseline: s.id === load.baseline,
        samples: ss,
        rate: summarize(ok.map((x) => x.rate)),
        peakMB: summarize(ok.map((x) => x.peakMB)),
        serverCpuPct: median(ok.map((x) => x.serverCpuPct)),
        clientCpuPct: median(ok.map((x) => x.clientCpuPct)),
        ratio: Number.NaN,
        errors: ss.flatMap((x) => (x.error === undefined ? [] : [x.error])),
        ...(skipped.has(s.id) ? { skipped: skipped.get(s.id)! } : {}),
      };
    });
    const base = loadRows.find((r) => r.baseline);
    for (const r of loadRows) r.ratio = base === undefined ? Number.NaN : ratio(headline(load, r).median, headline(load, base).median);
    rows.push(...loadRows);
  }

  printTables(plan.map((p) => p.load), rows);
  const targets = checkTargets(TARGETS, (loadId, server) => {
    const load = plan.find((p) => p.load.id === loadId)?.load;
    const ss = samples.get(`${loadId}/${server}`);
    if (load === undefined || ss === undefined) return undefined;
    return ss.map((x) => (x.error !== undefined ? Number.NaN : load.metric === 'rss' ? x.peakMB : x.rate));
  });
  printTargets(targets);
  printFailures(rows);

  const framing = wantsFraming(o) ? await runFraming(o.quick) : undefined;

  const resultsDir = path.join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const report = {
    date: new Date().toISOString(), node: process.version, cpus: os.cpus().map((c) => c.model), loadavg: os.loadavg(),
    pinned: hasTaskset(), rounds: o.rounds, shape, loads: plan.map((p) => ({ ...p.load, servers: p.servers.map((s) => s.id) })),
    results: rows, targets, framing, seconds: (Date.now() - started) / 1000,
  };
  const json = JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  writeFileSync(path.join(resultsDir, `bench-${stamp}.json`), json);
  writeFileSync(path.join(resultsDir, 'latest.json'), json);
  const svg = renderChart(`Torsion benchmark — median of ${String(o.rounds)} round(s); ratios vs the baseline`, chartGroups(plan.map((p) => p.load), rows));
  writeFileSync(path.join(resultsDir, 'chart.svg'), svg);
  console.log(`\nresults: bench/results/bench-${stamp}.json (also latest.json), chart: bench/results/chart.svg`);
  if (o.updateDocs) {
    copyFileSync(path.join(resultsDir, 'chart.svg'), path.join(root, 'docs', 'performance.svg'));
    console.log('chart copied to docs/performance.svg');
  }
  console.log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (rows.some((r) => r.errors.length > 0)) process.exitCode = 1;
}

function printTables(allLoads: readonly LoadSpec[], rows: readonly Row[]): void {
  for (const load of allLoads) {
    const mine = rows.filter((r) => r.load === load.id);
    const header = ['server', load.metric === 'rss' ? 'peak RSS MB' : load.unit, 'min–max', 'ratio', 'server CPU', 'client CPU',
      load.metric === 'rss' ? 'rate' : 'peak RSS MB', 'note'];
    const body = mine.map((r) => {
      const h = headline(load, r);
      const fmtv = (v: number): string => (load.metric === 'rss' ? (Number.isFinite(v) ? v.toFixed(1) : '—') : human(v));
      const notes: string[] = [];
      if (r.baseline) notes.push('baseline');
      if (r.skipped !== undefined) notes.push(`skipped: ${r.skipped}`);
      if (r.errors.length > 0) notes.push(`${String(r.errors.length)} failed (see below): ${clip(r.errors[0]!, 60)}`);
      if (r.clientCpuPct >= 90) notes.push('CLIENT SATURATED its core: rate is a lower bound');
      else if (load.metric === 'rate' && r.serverCpuPct < 70) notes.push('server used <70% of its core: machine busy?');
      const stalls = r.samples.filter((x) => x.stalled === true).length;
      if (stalls > 0) notes.push(`client stalled in ${String(stalls)} round(s): machine busy`);
      const gaps = r.samples.reduce((n, s) => n + (s.gaps ?? 0), 0);
      if (gaps > 0) notes.push(`${human(gaps)} lines dropped`);
      const kicked = Math.max(0, ...r.samples.map((x) => x.stuckDropped ?? 0));
      if (kicked > 0) notes.push(`disconnected up to ${String(kicked)} stuck reader(s)`);
      return [
        r.label, fmtv(h.median), h.n > 1 ? `${fmtv(h.min)}–${fmtv(h.max)}` : '', formatRatio(r.ratio),
        formatPct(r.serverCpuPct), formatPct(r.clientCpuPct),
        load.metric === 'rss' ? human(r.rate.median) : (Number.isFinite(r.peakMB.median) ? r.peakMB.median.toFixed(1) : '—'),
        notes.join('; '),
      ];
    });
    const lower = load.metric === 'rss' ? ' (lower is better)' : '';
    console.log(`\n${load.title} — ${load.unit}${lower}`);
    console.log(formatTable(header, body, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left']));
  }
}

function printTargets(results: readonly TargetResult[]): void {
  const ran = results.filter((r) => r.verdict !== 'not run');
  if (ran.length === 0) return;
  console.log('\ntargets (ratio of medians; each round\'s ratio in brackets)');
  for (const r of ran) {
    const bound = `${r.target.kind === 'min' ? '≥' : '≤'} ${r.target.bound.toFixed(2)}`;
    const rounds = r.rounds.map((x) => x.toFixed(2)).join(' ');
    console.log(`  ${r.target.text.padEnd(44)} ${formatRatio(r.ratio).padStart(6)}  ${bound}  ${r.verdict.padEnd(6)}  [${rounds}]`);
  }
}

function printFailures(rows: readonly Row[]): void {
  const failed = rows.filter((r) => r.errors.length > 0);
  if (failed.length === 0) return;
  console.log('\nFAILURES:');
  for (const r of failed) {
    for (const e of new Set(r.errors)) console.log(`  ${r.load} / ${r.label}: ${e}`);
  }
}

function clip(s: string, n: number): string {
  return [...s].length <= n ? s : `${[...s].slice(0, n - 1).join('')}…`;
}

function chartGroups(allLoads: readonly LoadSpec[], rows: readonly Row[]): BarGroup[] {
  return allLoads.map((load) => ({
    title: load.title,
    unit: load.metric === 'rss' ? 'MB, lower is better' : load.unit,
    bars: rows.filter((r) => r.load === load.id && headline(load, r).n > 0).map((r) => {
      const h = headline(load, r);
      return { label: r.label, value: h.median, min: h.min, max: h.max, highlight: r.family === 'torsion', baseline: r.baseline, note: formatRatio(r.ratio) };
    }),
  }));
}

try {
  await main();
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(2);
}
