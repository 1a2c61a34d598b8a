import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConnectionAborted, ConnectionDone, EndpointSyntaxError, TorsionRangeError } from './errors.js';
import type {
  Address,
  IClientFactory,
  IConnector,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  ITransport,
  TLSOptions,
} from './interfaces.js';
import type { Reactor } from './reactor.js';

/**
 * What endpoints need of a reactor: the listen and connect methods. The real `Reactor` and the
 * test `MemoryReactor` both fit.
 */
export type EndpointReactor = Pick<Reactor, 'listenTCP' | 'connectTCP' | 'listenUNIX' | 'connectUNIX' | 'listenSSL' | 'connectSSL'>;

/** Something that can listen with a factory: what {@link serverFromString} returns. */
export interface IStreamServerEndpoint {
  listen(factory: IProtocolFactory): Promise<IListeningPort>;
  /** The parsed description, for logs. */
  readonly description: string;
}

/** Something that can connect with a factory: what {@link clientFromString} returns. */
export interface IStreamClientEndpoint {
  /** Resolves with the connected protocol (after its `connectionMade`), or rejects with the connect error. */
  connect(factory: IProtocolFactory): Promise<IProtocol>;
  readonly description: string;
}

interface Parsed {
  kind: string;
  positional: string[];
  named: Map<string, string>;
}

// Twisted's syntax: fields separated by ':', `key=value` or positional, `\` escapes the next char.
function parse(description: string): Parsed {
  if (typeof description !== 'string' || description.length === 0) {
    throw new EndpointSyntaxError('An endpoint description must be a non-empty string such as "tcp:8023:interface=127.0.0.1".');
  }
  const fields: Array<{ key: string | null; value: string }> = [];
  let current = '';
  let key: string | null = null;
  for (let i = 0; i < description.length; i++) {
    const ch = description[i]!;
    if (ch === '\\' && i + 1 < description.length) {
      current += description[++i];
    } else if (ch === ':') {
      fields.push({ key, value: current });
      current = '';
      key = null;
    } else if (ch === '=' && key === null && fields.length > 0) {
      key = current;
      current = '';
    } else {
      current += ch;
    }
  }
  fields.push({ key, value: current });
  const kind = fields.shift()!.value.toLowerCase();
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (const f of fields) {
    if (f.key === null) positional.push(f.value);
    else if (named.has(f.key)) throw new EndpointSyntaxError(`Endpoint "${description}" sets "${f.key}" twice: give each option once.`);
    else named.set(f.key, f.value);
  }
  return { kind, positional, named };
}

function take(p: Parsed, name: string, position: number, description: string): string | undefined {
  const byName = p.named.get(name);
  const byPos = p.positional[position];
  if (byName !== undefined && byPos !== undefined) {
    throw new EndpointSyntaxError(`Endpoint "${description}" gives ${name} both by position and as ${name}=: give it once.`);
  }
  p.named.delete(name);
  return byName ?? byPos;
}

function portNumber(value: string | undefined, description: string, what = 'port'): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new EndpointSyntaxError(`Endpoint "${description}" needs a numeric ${what}, got ${JSON.stringify(value ?? '')}.`);
  }
  const n = Number(value);
  if (n > 65535) throw new TorsionRangeError(`Endpoint "${description}": ${what} must be between 0 and 65535, got ${n}.`);
  return n;
}

function seconds(value: string | undefined, description: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new EndpointSyntaxError(`Endpoint "${description}": timeout must be a positive number of seconds, got ${JSON.stringify(value)}.`);
  return n;
}

function noneLeft(p: Parsed, used: number, description: string): void {
  if (p.positional.length > used) {
    throw new EndpointSyntaxError(`Endpoint "${description}" has unexpected field(s) ${p.positional.slice(used).map((s) => JSON.stringify(s)).join(', ')}.`);
  }
  if (p.named.size > 0) {
    throw new EndpointSyntaxError(`Endpoint "${description}" has unknown option(s) ${[...p.named.keys()].join(', ')}.`);
  }
}

function readPem(path: string | undefined, what: string, description: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new EndpointSyntaxError(`Endpoint "${description}": cannot read the ${what} file ${path} (${(err as Error).message}).`);
  }
}

function tlsServerOptions(p: Parsed, description: string): TLSOptions {
  const key = readPem(p.named.get('privateKey'), 'private key', description);
  const cert = readPem(p.named.get('certKey'), 'certificate', description) ?? key;
  p.named.delete('privateKey');
  p.named.delete('certKey');
  if (key === undefined) throw new EndpointSyntaxError(`Endpoint "${description}" needs privateKey=PATH (and certKey=PATH unless the key file holds the certificate too).`);
  return { key, cert };
}

function tlsClientOptions(p: Parsed, host: string, description: string): TLSOptions {
  // SNI takes host names only: Node warns (DEP0123) when it is given an IP address.
  const options: TLSOptions = isIP(host) === 0 ? { servername: host } : {};
  const ca = readPem(p.named.get('caCerts'), 'CA certificates', description);
  if (ca !== undefined) options.ca = ca;
  const verify = p.named.get('verify');
  if (verify !== undefined) {
    if (verify !== 'yes' && verify !== 'no') throw new EndpointSyntaxError(`Endpoint "${description}": verify must be yes or no.`);
    options.rejectUnauthorized = verify === 'yes';
  }
  p.named.delete('caCerts');
  p.named.delete('verify');
  return options;
}

/**
 * Build a server endpoint from a description string.
 *
 * - `tcp:PORT[:interface=HOST][:backlog=N]` (also `tcp:port=PORT:...`)
 * - `unix:PATH` (also `unix:address=PATH`)
 * - `ssl:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:interface=HOST]` (`tls:` is the same)
 *
 * A `:` or `=` inside a value is escaped with `\` (`interface=\:\:1`).
 *
 * @example
 * ```ts
 * const port = await serverFromString(reactor, 'tcp:8023:interface=127.0.0.1').listen(factory);
 * ```
 */
export function serverFromString(reactor: EndpointReactor, description: string): IStreamServerEndpoint {
  const p = parse(description);
  switch (p.kind) {
    case 'tcp': {
      const port = portNumber(take(p, 'port', 0, description), description);
      const iface = p.named.get('interface');
      const backlogText = p.named.get('backlog');
      p.named.delete('interface');
      p.named.delete('backlog');
      const backlog = backlogText === undefined ? undefined : portNumber(backlogText, description, 'backlog');
      noneLeft(p, 1, description);
      return {
        description,
        listen: (factory) => reactor.listenTCP(port, factory, { ...(iface === undefined ? {} : { interface: iface }), ...(backlog === undefined ? {} : { backlog }) }),
      };
    }
    case 'unix': {
      const path = take(p, 'address', 0, description);
      if (path === undefined || path.length === 0) throw new EndpointSyntaxError(`Endpoint "${description}" needs a socket path: unix:/tmp/chat.sock.`);
      noneLeft(p, 1, description);
      return { description, listen: (factory) => reactor.listenUNIX(path, factory) };
    }
    case 'ssl':
    case 'tls': {
      const port = portNumber(take(p, 'port', 0, description), description);
      const iface = p.named.get('interface');
      p.named.delete('interface');
      const tls = tlsServerOptions(p, description);
      noneLeft(p, 1, description);
      return { description, listen: (factory) => reactor.listenSSL(port, factory, tls, iface === undefined ? {} : { interface: iface }) };
    }
    default:
      throw new EndpointSyntaxError(`Unknown endpoint type "${p.kind}" in "${description}": use tcp:, unix: or tls:.`);
  }
}

/**
 * Build a client endpoint from a description string.
 *
 * - `tcp:host=HOST:port=PORT[:timeout=SECONDS][:bindAddress=HOST]` (also `tcp:HOST:PORT`)
 * - `unix:path=PATH` (also `unix:PATH`)
 * - `tls:host=HOST:port=PORT[:caCerts=CA.pem][:verify=no][:timeout=SECONDS]`
 *
 * @example
 * ```ts
 * const protocol = await clientFromString(reactor, 'tcp:host=127.0.0.1:port=8023').connect(factory);
 * ```
 */
export function clientFromString(reactor: EndpointReactor, description: string): IStreamClientEndpoint {
  const p = parse(description);
  switch (p.kind) {
    case 'tcp':
    case 'tls':
    case 'ssl': {
      const host = take(p, 'host', 0, description);
      if (host === undefined || host.length === 0) throw new EndpointSyntaxError(`Endpoint "${description}" needs host=HOST.`);
      const port = portNumber(take(p, 'port', 1, description), description);
      if (port === 0) throw new TorsionRangeError(`Endpoint "${description}": a client needs the server's port, 1 to 65535, not 0.`);
      const timeout = seconds(p.named.get('timeout'), description);
      const bindAddress = p.named.get('bindAddress');
      p.named.delete('timeout');
      p.named.delete('bindAddress');
      const options = { ...(timeout === undefined ? {} : { timeout }), ...(bindAddress === undefined ? {} : { bindAddress }) };
      if (p.kind === 'tcp') {
        noneLeft(p, 2, description);
        return { description, connect: (f) => connectWith(f, (cf) => reactor.connectTCP(host, port, cf, options)) };
      }
      const tls = tlsClientOptions(p, host, description);
      noneLeft(p, 2, description);
      return { description, connect: (f) => connectWith(f, (cf) => reactor.connectSSL(host, port, cf, tls, options)) };
    }
    case 'unix': {
      const path = take(p, 'path', 0, description);
      if (path === undefined || path.length === 0) throw new EndpointSyntaxError(`Endpoint "${description}" needs path=PATH.`);
      noneLeft(p, 1, description);
      return { description, connect: (f) => connectWith(f, (cf) => reactor.connectUNIX(path, cf)) };
    }
    default:
      throw new EndpointSyntaxError(`Unknown endpoint type "${p.kind}" in "${description}": use tcp:, unix: or tls:.`);
  }
}

// Adapts any protocol factory to the client-factory callbacks of a connector, settling a promise
// with the protocol once it is connected, or with the reason the attempt failed. A protocol whose
// connection is already being dropped once `connectionMade` has run (it threw, or closed the
// connection itself) settles when the connection is lost: with the protocol after a clean close
// (`ConnectionDone`, or `ConnectionAborted` from its own `abortConnection()`), else with the reason.
function connectWith(factory: IProtocolFactory, start: (cf: IClientFactory) => IConnector): Promise<IProtocol> {
  return new Promise((resolve, reject) => {
    let built: IProtocol | null = null;
    let lostReason: Error | undefined;
    let waitingForLoss = false;
    const settleLost = (p: IProtocol, reason: Error): void => {
      if (reason instanceof ConnectionDone || reason instanceof ConnectionAborted) resolve(p);
      else reject(reason);
    };
    const clientFactory: IClientFactory = {
      doStart: () => factory.doStart(),
      doStop: () => factory.doStop(),
      buildProtocol(addr: Address) {
        built = factory.buildProtocol(addr);
        // The connection is made right after buildProtocol returns; settle after that.
        if (built !== null) {
          const p = built;
          queueMicrotask(() => {
            if (lostReason !== undefined) settleLost(p, lostReason);
            else if ((p as { transport?: ITransport }).transport?.disconnecting === true) waitingForLoss = true;
            else resolve(p);
          });
        }
        return built;
      },
      startedConnecting() {},
      clientConnectionFailed(_connector, reason) {
        reject(reason);
      },
      clientConnectionLost(_connector, reason) {
        lostReason ??= reason;
        if (waitingForLoss) settleLost(built!, reason);
      },
    };
    start(clientFactory);
  });
}
