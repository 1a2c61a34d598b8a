import { parseArgs } from 'node:util';
import type { IReactorTime } from '@torsion/reactor';

/** Everything that tunes the chat server. Times are in seconds, sizes in bytes. */
export interface ChatOptions {
  /** Longest accepted line; longer ones get an error reply and count as a strike. */
  maxLineLength: number;
  /** Invalid or overlong lines tolerated before the client is disconnected. */
  maxStrikes: number;
  /** Concurrent clients; later ones are told the server is full. */
  maxClients: number;
  /** Seconds without a line before a client is dropped (0 disables). */
  idleTimeout: number;
  /** Seconds a new client has to choose a nickname before it is dropped (0 disables). */
  nickTimeout: number;
  /** Sustained lines per second a client may send before it is throttled (0 disables). */
  floodRate: number;
  /** Lines a client may send in a burst above `floodRate`. */
  floodBurst: number;
  /** Throttling episodes in a row (without calming down) before a flooder is disconnected. */
  floodStrikes: number;
  /** Seconds a client may stay above its write high-water mark before it is disconnected. */
  stuckTimeout: number;
  /** Write-buffer high-water mark per client: broadcasts to it are dropped above it. */
  writeHighWater: number;
  /** Write-buffer low-water mark per client: delivery resumes below it. */
  writeLowWater: number;
  /**
   * Seconds a closing connection (shutdown, /quit, idle, flooding...) has to flush its output
   * to a client before it is cut.
   */
  shutdownGrace: number;
  /** Where time comes from (tests inject a Clock). */
  clock?: IReactorTime;
  /** Where log lines go (default: stdout). */
  log: (line: string) => void;
}

export const defaultOptions: ChatOptions = {
  maxLineLength: 1024,
  maxStrikes: 5,
  maxClients: 1000,
  idleTimeout: 600,
  nickTimeout: 60,
  floodRate: 20,
  floodBurst: 40,
  floodStrikes: 10,
  stuckTimeout: 30,
  writeHighWater: 64 * 1024,
  writeLowWater: 16 * 1024,
  shutdownGrace: 5,
  log: (line) => console.log(line),
};

/** What the command line asks for. */
export interface CommandLine {
  /** An endpoint string such as `tcp:8023:interface=127.0.0.1`. */
  endpoint: string;
  options: Partial<ChatOptions>;
  help: boolean;
}

export const usage = `Usage: torsion-chat [options]

A multi-room chat server. Connect with: nc 127.0.0.1 8023  (or telnet, or socat)

Options:
  --host HOST            interface to listen on (default 127.0.0.1)
  --port PORT|ENDPOINT   port number, or an endpoint string such as
                         tcp:8023:interface=0.0.0.0 (default 8023)
  --max-clients N        concurrent clients (default ${defaultOptions.maxClients})
  --idle-timeout SECS    drop clients silent for this long, 0 = never (default ${defaultOptions.idleTimeout})
  --max-line BYTES       longest accepted line (default ${defaultOptions.maxLineLength})
  --flood-rate N         lines/s a client may sustain, 0 = unlimited (default ${defaultOptions.floodRate})
  --flood-burst N        lines a client may send in a burst (default ${defaultOptions.floodBurst})
  --stuck-timeout SECS   drop clients that stop reading for this long, 0 = at once (default ${defaultOptions.stuckTimeout})
  --nick-timeout SECS    drop clients that choose no nickname for this long, 0 = never (default ${defaultOptions.nickTimeout})
  --shutdown-grace SECS  time a closing client has to take its last lines (default ${defaultOptions.shutdownGrace})
  --quiet                no log line per connection
  -h, --help             show this help
`;

/** Raised for a command line the server cannot use; the message says what to fix. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function number(name: string, value: string | undefined, min: number, integer = true): number | undefined {
  if (value === undefined) return undefined;
  // Number('') and Number(' ') are 0: a blank value (`--idle-timeout=`) must not mean 0.
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(value)}`);
  }
  if (integer && !Number.isSafeInteger(n)) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parse `argv` (without node and the script). Throws UsageError on bad input. */
export function parseCommandLine(argv: string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'max-clients': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'max-line': { type: 'string' },
        'flood-rate': { type: 'string' },
        'flood-burst': { type: 'string' },
        'stuck-timeout': { type: 'string' },
        'nick-timeout': { type: 'string' },
        'shutdown-grace': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
  const v = parsed.values;
  const host = v.host ?? '127.0.0.1';
  // An empty interface= means every interface: a blank --host must not expose the server.
  if (host.trim() === '') throw new UsageError(`--host must be an interface address such as 127.0.0.1, or 0.0.0.0 for every interface, got ${JSON.stringify(host)}`);
  const port = v.port ?? '8023';
  let endpoint: string;
  if (/^\d+$/.test(port)) {
    const n = number('port', port, 0)!;
    if (n > 65535) throw new UsageError(`--port must be between 0 and 65535, got ${port}`);
    endpoint = `tcp:${n}:interface=${host.includes(':') ? host.replace(/:/g, '\\:') : host}`;
  } else if (/^(tcp|unix|tls|ssl):/.test(port)) {
    if (v.host !== undefined) throw new UsageError('--host cannot be combined with an endpoint string: put interface= in the endpoint');
    endpoint = port;
  } else {
    throw new UsageError(`--port must be a port number or an endpoint string such as tcp:8023:interface=0.0.0.0, got ${JSON.stringify(port)}`);
  }
  const options: Partial<ChatOptions> = {};
  const set = <K extends keyof ChatOptions>(k: K, val: ChatOptions[K] | undefined): void => {
    if (val !== undefined) options[k] = val;
  };
  set('maxClients', number('max-clients', v['max-clients'], 1));
  set('idleTimeout', number('idle-timeout', v['idle-timeout'], 0, false));
  set('maxLineLength', number('max-line', v['max-line'], 16));
  set('floodRate', number('flood-rate', v['flood-rate'], 0, false));
  set('floodBurst', number('flood-burst', v['flood-burst'], 1));
  set('stuckTimeout', number('stuck-timeout', v['stuck-timeout'], 0, false));
  set('nickTimeout', number('nick-timeout', v['nick-timeout'], 0, false));
  set('shutdownGrace', number('shutdown-grace', v['shutdown-grace'], 0, false));
  if (v.quiet === true) options.log = () => {};
  return { endpoint, options, help: v.help === true };
}
