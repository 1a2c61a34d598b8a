// What the benchmark runs: the loads (client arguments, what is measured) and, for each, the
// servers compared, with the one whose median is the baseline of the ratios.
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Who wrote a server: Torsion itself, hand-written Node, or a Python peer. */
export type Family = 'torsion' | 'node' | 'python';

/** A server under test. `cmd` is run from the repository root. */
export interface ServerSpec {
  id: string;
  label: string;
  family: Family;
  cmd: string[];
  /** Path (from the root) whose existence the server needs; it is skipped when missing. */
  needs?: string;
  /** Extra load-client arguments this server needs (e.g. `--nick` for a room that asks for one). */
  clientArgs?: string[];
  /** What the server prints once ready, the port in the first group (default `LISTENING <port>`). */
  ready?: RegExp;
}

/** What a load's headline number is. */
export type Metric = 'rate' | 'rss';

/** One load: the client's arguments and the servers compared on it. */
export interface LoadSpec {
  id: string;
  title: string;
  unit: string;
  metric: Metric;
  client: string[];
  /** For idle loads: connections the server must hold before memory is read. */
  idleConns?: number;
  baseline: string;
  servers: ServerSpec[];
}

/** Durations and sizes of one run. */
export interface RunShape {
  duration: number;
  warmup: number;
  idleConns: number;
}

const PY = '/usr/bin/python3';

function node(id: string, label: string, file: string, ...args: string[]): ServerSpec {
  return { id, label, family: 'node', cmd: [process.execPath, `bench/dist/servers/${file}`, ...args] };
}

function torsion(id: string, label: string, file: string, ...args: string[]): ServerSpec {
  return { id, label, family: 'torsion', cmd: [process.execPath, file, ...args], needs: file };
}

function twisted(kind: string): ServerSpec {
  const label = kind === 'echo' ? 'Twisted Protocol' : kind === 'lines' ? 'Twisted LineReceiver' : 'Twisted chat';
  return { id: `twisted-${kind}`, label, family: 'python', cmd: [PY, 'bench/peers/twisted_servers.py', kind] };
}

function asyncio(kind: string, uvloop: boolean): ServerSpec {
  const id = `${uvloop ? 'uvloop' : 'asyncio'}-${kind}`;
  const label = `${uvloop ? 'uvloop' : 'asyncio'} streams`;
  return { id, label, family: 'python', cmd: [PY, 'bench/peers/asyncio_servers.py', kind, ...(uvloop ? ['--uvloop'] : [])] };
}

// The flagship chat-room server (examples/chat-server), as shipped: flood limits off for the
// load, each client sends a nickname first, lines come back as "<nick> text".
function flagshipChat(): ServerSpec {
  const main = 'examples/chat-server/dist/src/main.js';
  return {
    id: 'torsion-chat-room', label: 'Torsion chat room (example)', family: 'torsion',
    cmd: [process.execPath, main, '--port', '0', '--quiet', '--flood-rate', '0', '--max-clients', '1000'],
    needs: main, clientArgs: ['--nick'], ready: /listening on \S*:(\d+)/,
  };
}

const pythonPeers = (kind: string): ServerSpec[] => [twisted(kind), asyncio(kind, false), asyncio(kind, true)];

/** Every load of a full run. */
export function loads(shape: RunShape): LoadSpec[] {
  const timing = ['--duration', String(shape.duration), '--warmup', String(shape.warmup)];
  const rawEcho = node('net-echo', 'raw node:net', 'net-echo.js');
  const chatServers = (): ServerSpec[] => [
    node('net-chat', 'node:net, a write per client', 'net-chat.js'),
    node('net-chat-cork', 'node:net corked', 'net-chat.js', '--cork'),
    torsion('torsion-chat', 'Torsion LineReceiver chat', 'bench/dist/servers/torsion-chat.js'),
    flagshipChat(),
    ...pythonPeers('chat'),
  ];
  return [
    {
      id: 'echo', title: 'echo, 1 KiB messages, 50 connections', unit: 'messages/s', metric: 'rate',
      client: ['--mode', 'echo', '--conns', '50', '--size', '1024', '--window', '1', ...timing],
      baseline: 'net-echo',
      servers: [rawEcho, torsion('torsion-echo', 'Torsion Protocol', 'bench/dist/servers/torsion-echo.js'), ...pythonPeers('echo')],
    },
    {
      id: 'lines', title: 'line echo, 64-byte lines, 50 connections, 16 in flight', unit: 'lines/s', metric: 'rate',
      client: ['--mode', 'lines', '--conns', '50', '--window', '16', ...timing],
      baseline: 'net-lines-cork',
      servers: [
        { ...rawEcho, id: 'net-chunks', label: 'node:net chunks echoed' },
        node('net-lines', 'node:net split, a write per line', 'net-lines.js'),
        node('net-lines-cork', 'node:net split + cork', 'net-lines.js', '--cork'),
        node('net-readline', 'node:readline', 'net-readline.js'),
        torsion('torsion-lines', 'Torsion LineReceiver', 'bench/dist/servers/torsion-lines.js'),
        torsion('torsion-streams-lines', 'Torsion streams', 'bench/dist/servers/torsion-streams-lines.js'),
        torsion('torsion-streams-batches', 'Torsion streams, line batches', 'bench/dist/servers/torsion-streams-lines.js', '--batches'),
        ...pythonPeers('lines'),
      ],
    },
    {
      id: 'chat', title: 'chat fan-out, 100 clients, 10 senders, 64-byte lines', unit: 'lines delivered/s', metric: 'rate',
      client: ['--mode', 'chat', '--conns', '100', '--senders', '10', '--window', '32', ...timing],
      baseline: 'net-chat-cork',
      servers: chatServers(),
    },
    {
      id: 'chat-stuck', title: 'chat fan-out with 5 clients that never read, server peak RSS', unit: 'MB', metric: 'rss',
      client: ['--mode', 'chat', '--conns', '100', '--senders', '10', '--window', '32', '--stuck', '5', ...timing],
      baseline: 'net-chat-cork',
      servers: chatServers(),
    },
    {
      id: 'idle', title: `${shape.idleConns.toLocaleString('en-US')} idle connections, server peak RSS`, unit: 'MB', metric: 'rss',
      client: ['--mode', 'idle', '--conns', String(shape.idleConns), '--hold', '120'],
      idleConns: shape.idleConns,
      baseline: 'net-echo',
      servers: [rawEcho, torsion('torsion-echo', 'Torsion Protocol', 'bench/dist/servers/torsion-echo.js'), ...pythonPeers('echo')],
    },
  ];
}

/** Why a server cannot run here, or undefined when it can. */
export function unavailable(server: ServerSpec, root: string, python: { twisted: boolean; uvloop: boolean }): string | undefined {
  if (server.needs !== undefined && !existsSync(path.join(root, server.needs))) return `${server.needs} is not built`;
  if (server.family === 'python') {
    if (!python.twisted && server.id.startsWith('twisted')) return 'Twisted is not installed for /usr/bin/python3 (run bench/setup)';
    if (!python.uvloop && server.id.startsWith('uvloop')) return 'uvloop is not installed for /usr/bin/python3 (run bench/setup)';
  }
  return undefined;
}
