import { isUtf8 } from 'node:buffer';
import type { IDelayedCall } from '@torsion/reactor';
import { LineReceiver, TimeoutMixin, formatAddress } from '@torsion/protocols';
import type { ChatServer, Room } from './chat-server.js';
import { LOBBY } from './chat-server.js';
import { stripTelnet } from './telnet.js';
import { cleanText } from './text.js';

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,19}$/;
const HELP = [
  '* Commands:',
  '*   /nick NAME        change your nickname',
  '*   /join ROOM        join (or create) a room',
  '*   /part             leave the room, back to the lobby',
  '*   /rooms            list rooms and how many are in each',
  '*   /who              who is in your room',
  '*   /msg NICK TEXT    private message',
  '*   /me ACTION        say what you are doing',
  '*   /help             this text',
  '*   /quit [REASON]    leave',
  '* Anything else is said to everyone in your room.',
];

/** The most entries a /rooms or /who reply lists, so that it stays one reasonable line. */
const MAX_LISTED = 100;

function listOf(items: string[]): string {
  if (items.length <= MAX_LISTED) return items.join(', ');
  return `${items.slice(0, MAX_LISTED).join(', ')} and ${items.length - MAX_LISTED} more`;
}

/**
 * One chat connection. The first line is the nickname; then lines are commands (`/join`...) or
 * messages to the room. Lines end with LF or CRLF; output uses CRLF.
 */
export class ChatClient extends TimeoutMixin(LineReceiver) {
  declare factory: ChatServer;
  override delimiter = Buffer.from('\n');

  nick: string | null = null;
  room: Room | null = null;
  /** Broadcast lines this client did not get because it was not reading. */
  dropped = 0;
  #strikes = 0;
  #writable = true;
  #stuckTimer: IDelayedCall | null = null;
  #tokens = 0;
  #lastRefill = 0;
  #throttles = 0;
  #throttleTimer: IDelayedCall | null = null;
  /** Drops a client that has not chosen a nickname in time (it would hold a slot for nothing). */
  #nickTimer: IDelayedCall | null = null;
  /** Cuts a connection we asked to close that has not flushed within the grace period. */
  #closeTimer: IDelayedCall | null = null;
  /** The peer has half-closed while lines it sent were held back by the throttle. */
  #eof = false;
  #quitReason: string | null = null;
  #peer = '?';

  override connectionMade(): void {
    const server = this.factory;
    const o = server.options;
    this.clock = server.clock;
    // One more for the CR of a CRLF line: the limit is on the text however the line ends
    // (checked in lineReceived).
    this.MAX_LENGTH = o.maxLineLength + 1;
    this.#peer = formatAddress(this.transport.getPeer());
    this.transport.setWriteBufferLimits(o.writeHighWater, o.writeLowWater);
    if (server.shuttingDown || server.clients.size >= o.maxClients) {
      const why = server.shuttingDown ? 'server shutting down' : `server full (${o.maxClients} clients)`;
      o.log(`refused ${this.#peer}: ${why}`);
      this.hangUp(why, server.shuttingDown ? '! The server is shutting down: try again later.' : `! Server is full (${o.maxClients} clients): try again later.`);
      return;
    }
    server.clients.add(this);
    server.stats.connections += 1;
    this.#tokens = o.floodBurst;
    this.#lastRefill = this.clock.seconds();
    if (o.idleTimeout > 0) this.setTimeout(o.idleTimeout);
    o.log(`connect ${this.#peer} (${server.clients.size} connected)`);
    this.send('* Welcome to Torsion chat! What is your nickname?');
    if (o.nickTimeout > 0) {
      this.#nickTimer = this.clock.callLater(o.nickTimeout, () => {
        this.#nickTimer = null;
        if (this.nick === null) this.hangUp('no nickname chosen', `! No nickname chosen within ${o.nickTimeout}s: goodbye.`);
      });
    }
  }

  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    const server = this.factory;
    this.#stuckTimer?.cancel();
    this.#throttleTimer?.cancel();
    this.#closeTimer?.cancel();
    this.#nickTimer?.cancel();
    this.#stuckTimer = this.#throttleTimer = this.#closeTimer = this.#nickTimer = null;
    if (!server.clients.delete(this)) return;
    const why = this.#quitReason ?? reason.message;
    if (this.nick !== null) {
      server.nicks.delete(this.nick.toLowerCase());
      if (this.room !== null && !server.shuttingDown) {
        this.room.members.delete(this);
        server.broadcast(this.room, `* ${this.nick} has quit (${why})`);
        server.releaseRoom(this.room);
      } else if (this.room !== null) {
        this.room.members.delete(this);
      }
    }
    server.options.log(`disconnect ${this.#peer}${this.nick === null ? '' : ` ${this.nick}`}: ${why} (${server.clients.size} connected)`);
  }

  /** False while this client is above its write high-water mark: lines for it are dropped. */
  get writable(): boolean {
    return this.#writable;
  }

  /** Queue a line for this client, unless it has stopped reading (then it is dropped and counted). */
  deliver(line: Buffer): void {
    if (this.#writable) {
      this.transport.write(line);
    } else {
      this.dropped += 1;
      this.factory.stats.dropped += 1;
    }
  }

  /** Send a line of our own (a reply or a notice). */
  send(text: string): void {
    this.deliver(Buffer.from(`${text}\r\n`));
  }

  /**
   * Close this connection for `reason` (logged and told to the room), after a last `line` to
   * the client. What is queued is flushed first, but a peer that does not read cannot hold the
   * connection open: it is cut after the `shutdownGrace` period.
   */
  hangUp(reason: string, line?: string): void {
    if (this.transport.disconnecting) return;
    this.#quitReason ??= reason;
    // Written even above the high-water mark: one more line is still a bounded amount.
    if (line !== undefined) this.transport.write(`${line}\r\n`);
    this.transport.loseConnection();
    this.#closeTimer ??= this.clock.callLater(this.factory.options.shutdownGrace, () => {
      this.#closeTimer = null;
      this.transport.abortConnection();
    });
  }

  // The transport's write buffer crossed its high-water mark: this client is not reading.
  override pauseWriting(): void {
    this.#writable = false;
    const timeout = this.factory.options.stuckTimeout;
    this.#stuckTimer ??= this.clock.callLater(timeout, () => {
      this.#stuckTimer = null;
      this.factory.stats.stuck += 1;
      this.#quitReason = `not reading for ${timeout}s`;
      this.transport.abortConnection();
    });
  }

  override resumeWriting(): void {
    this.#writable = true;
    this.#stuckTimer?.cancel();
    this.#stuckTimer = null;
    if (this.dropped > 0) {
      this.send(`* ${this.dropped} message(s) were dropped while you were not reading.`);
      this.dropped = 0;
    }
  }

  override timeoutConnection(): void {
    this.hangUp('idle timeout', `* Idle for ${this.factory.options.idleTimeout}s: goodbye.`);
  }

  // The peer half-closed (nc -N, socat, Ctrl-D): handle what it sent, then close. Lines held
  // back by the flood throttle are still handled, at the throttled pace, before closing.
  override eofReceived(): boolean {
    if (this.#throttleTimer !== null) {
      this.#eof = true;
      return true;
    }
    this.#endOfInput();
    return false;
  }

  #endOfInput(): void {
    // A last line without its newline is still a line.
    const rest = this.clearLineBuffer();
    if (rest.length > 0 && !this.transport.disconnecting) this.lineReceived(rest);
    this.hangUp('end of input');
  }

  override lineLengthExceeded(_line: Buffer): void {
    // Keep the connection: LineReceiver skips the rest of the line up to its delimiter.
    this.#strike(`! Line too long (max ${this.factory.options.maxLineLength} bytes): it was ignored.`);
  }

  override lineReceived(raw: Buffer): void {
    const cr = raw.length > 0 && raw[raw.length - 1] === 0x0d ? 1 : 0;
    if (raw.length - cr > this.factory.options.maxLineLength) return this.lineLengthExceeded(raw);
    if (!this.#admit()) return;
    this.resetTimeout();
    let line = stripTelnet(raw);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (!isUtf8(line)) {
      this.#strike('! That line was not valid UTF-8: it was ignored.');
      return;
    }
    const text = cleanText(line.toString('utf8')).trim();
    if (this.nick === null) {
      if (text.startsWith('/')) this.#commandBeforeNick(text);
      else this.#chooseFirstNick(text);
    } else if (text.startsWith('/')) {
      this.#command(text);
    } else if (text.length > 0) {
      this.factory.broadcast(this.room!, `<${this.nick}> ${text}`, this);
    }
  }

  #strike(message: string): void {
    this.#strikes += 1;
    const max = this.factory.options.maxStrikes;
    if (this.#strikes >= max) {
      this.hangUp(`too many bad lines (${max})`, `${message} Too many bad lines: goodbye.`);
    } else {
      this.send(message);
    }
  }

  // Token bucket: true if this line may be handled now. A client over its rate has its reading
  // paused until the bucket refills to half; one that keeps flooding is disconnected.
  #admit(): boolean {
    const { floodRate, floodBurst, floodStrikes } = this.factory.options;
    if (floodRate <= 0) return true;
    const now = this.clock.seconds();
    this.#tokens = Math.min(floodBurst, this.#tokens + (now - this.#lastRefill) * floodRate);
    this.#lastRefill = now;
    if (this.#tokens >= floodBurst) this.#throttles = 0;
    this.#tokens -= 1;
    if (this.#tokens >= 1) return true;
    this.#throttles += 1;
    if (this.#throttles > floodStrikes) {
      this.factory.stats.flooders += 1;
      this.hangUp('flooding', '! You are sending too fast: goodbye.');
      return false;
    }
    if (this.#throttleTimer === null) {
      this.transport.pauseProducing();
      const wait = (floodBurst / 2 - this.#tokens) / floodRate;
      this.#throttleTimer = this.clock.callLater(wait, () => {
        this.#throttleTimer = null;
        if (this.transport.disconnecting) return;
        this.transport.resumeProducing();
        // Resuming delivered the held lines; unless they were throttled again, input is over.
        if (this.#eof && this.#throttleTimer === null) this.#endOfInput();
      });
    }
    return true;
  }

  // Before a nickname is chosen only /quit and /help make sense.
  #commandBeforeNick(text: string): void {
    const name = /^\/(\S*)/.exec(text)![1]!.toLowerCase();
    if (name === 'quit' || name === 'help') return this.#command(text);
    this.send('! Choose a nickname first (or /quit). What is your nickname?');
  }

  #chooseFirstNick(text: string): void {
    const error = this.#checkNick(text);
    if (error !== null) {
      this.send(`${error} What is your nickname?`);
      return;
    }
    this.nick = text;
    this.#nickTimer?.cancel();
    this.#nickTimer = null;
    this.factory.nicks.set(text.toLowerCase(), this);
    const lobby = this.factory.room(LOBBY);
    this.send(`* Hello ${text}! Type /help for commands.`);
    this.#enter(lobby);
  }

  #checkNick(name: string): string | null {
    if (!NAME.test(name)) {
      return `! "${name.slice(0, 40)}" is not a valid nickname: use 1-20 letters, digits, _ or -, starting with a letter.`;
    }
    const holder = this.factory.nicks.get(name.toLowerCase());
    if (holder !== undefined && holder !== this) return `! The nickname ${name} is taken.`;
    return null;
  }

  #enter(room: Room): void {
    this.factory.broadcast(room, `* ${this.nick} has joined #${room.name}`);
    room.members.add(this);
    this.room = room;
    this.send(`* You are in #${room.name} (${room.members.size} here).`);
  }

  #leave(): void {
    const room = this.room!;
    room.members.delete(this);
    this.room = null;
    this.factory.broadcast(room, `* ${this.nick} has left #${room.name}`);
    this.factory.releaseRoom(room);
  }

  #command(text: string): void {
    const space = text.indexOf(' ');
    const name = (space < 0 ? text.slice(1) : text.slice(1, space)).toLowerCase();
    const arg = space < 0 ? '' : text.slice(space + 1).trim();
    switch (name) {
      case 'nick': return this.#nick(arg);
      case 'join': return this.#join(arg);
      case 'part': return this.#part();
      case 'rooms': return this.#rooms();
      case 'who': return this.#who();
      case 'msg': return this.#msg(arg);
      case 'me':
        if (arg.length === 0) return this.send('! Usage: /me ACTION');
        return this.factory.broadcast(this.room!, `* ${this.nick} ${arg}`, this);
      case 'help': return HELP.forEach((l) => this.send(l));
      case 'quit':
        return this.hangUp(arg.length > 0 ? arg : 'quit', '* Bye!');
      default:
        this.send(`! Unknown command /${name}: type /help for the list.`);
    }
  }

  #nick(name: string): void {
    if (name.length === 0) return this.send('! Usage: /nick NAME');
    const error = this.#checkNick(name);
    if (error !== null) return this.send(error);
    const old = this.nick!;
    if (name === old) return this.send(`! You are already known as ${name}.`);
    this.factory.nicks.delete(old.toLowerCase());
    this.factory.nicks.set(name.toLowerCase(), this);
    this.nick = name;
    this.factory.broadcast(this.room!, `* ${old} is now known as ${name}`, this);
    this.send(`* You are now known as ${name}.`);
  }

  #join(arg: string): void {
    const name = arg.startsWith('#') ? arg.slice(1) : arg;
    if (!NAME.test(name)) return this.send('! Usage: /join ROOM (1-20 letters, digits, _ or -, starting with a letter)');
    const room = this.factory.room(name);
    if (room === this.room) return this.send(`! You are already in #${room.name}.`);
    this.#leave();
    this.#enter(room);
  }

  #part(): void {
    if (this.room!.name.toLowerCase() === LOBBY) return this.send('! You are in the lobby: /join ROOM to go elsewhere, /quit to leave.');
    this.#leave();
    this.#enter(this.factory.room(LOBBY));
  }

  #rooms(): void {
    const rooms = [...this.factory.rooms.values()].sort((a, b) => a.name.localeCompare(b.name));
    this.send(`* Rooms: ${listOf(rooms.map((r) => `#${r.name} (${r.members.size})`))}`);
  }

  #who(): void {
    const nicks = [...this.room!.members].map((m) => m.nick!).sort((a, b) => a.localeCompare(b));
    this.send(`* In #${this.room!.name}: ${listOf(nicks)}`);
  }

  #msg(arg: string): void {
    const space = arg.indexOf(' ');
    const to = space < 0 ? arg : arg.slice(0, space);
    const text = space < 0 ? '' : arg.slice(space + 1).trim();
    if (to.length === 0 || text.length === 0) return this.send('! Usage: /msg NICK TEXT');
    const target = this.factory.nicks.get(to.toLowerCase());
    if (target === undefined) return this.send(`! No one is called ${to}.`);
    // Checked first: the line that takes the target above its mark is still queued for it.
    const delivered = target.writable;
    target.send(`[private] <${this.nick}> ${text}`); // dropped (and counted) if it is not reading
    if (!delivered) return this.send(`! ${target.nick} is not reading: your message was not delivered.`);
    this.send(`[to ${target.nick}] ${text}`);
  }
}
