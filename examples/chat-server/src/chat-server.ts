import { reactor, type IReactorTime } from '@torsion/reactor';
import { Factory } from '@torsion/protocols';
import { ChatClient } from './chat-client.js';
import { defaultOptions, type ChatOptions } from './options.js';

/** A chat room: a name and the clients in it. */
export class Room {
  readonly members = new Set<ChatClient>();
  constructor(readonly name: string) {}
}

/** Counters the server keeps, for logs, tests and benchmarks. */
export interface ChatStats {
  connections: number;
  /** Broadcast lines not delivered to a client because its write buffer was full. */
  dropped: number;
  /** Clients disconnected for not reading. */
  stuck: number;
  /** Clients disconnected for flooding. */
  flooders: number;
}

/** The lobby everyone starts in. */
export const LOBBY = 'lobby';

/**
 * The chat server: a factory holding the shared state (nicknames, rooms) that every
 * {@link ChatClient} connection reads and changes.
 *
 * @example
 * ```ts
 * const server = new ChatServer({ idleTimeout: 300 });
 * await reactor.listenTCP(8023, server, { interface: '127.0.0.1' });
 * ```
 */
export class ChatServer extends Factory {
  override protocol = ChatClient;
  readonly options: ChatOptions;
  /** Clients by lower-cased nickname. */
  readonly nicks = new Map<string, ChatClient>();
  /** Rooms by lower-cased name; a room exists while it has members (the lobby always). */
  readonly rooms = new Map<string, Room>();
  /** Every connected client, named or not. */
  readonly clients = new Set<ChatClient>();
  readonly stats: ChatStats = { connections: 0, dropped: 0, stuck: 0, flooders: 0 };
  #shuttingDown = false;

  constructor(options: Partial<ChatOptions> = {}) {
    super();
    this.options = { ...defaultOptions, ...options };
    this.rooms.set(LOBBY, new Room(LOBBY));
  }

  /** Where time comes from: the injected clock, or the global reactor. */
  get clock(): IReactorTime {
    return this.options.clock ?? reactor;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** The room called `name` (case-insensitive), created on demand. */
  room(name: string): Room {
    const key = name.toLowerCase();
    let room = this.rooms.get(key);
    if (room === undefined) {
      room = new Room(name);
      this.rooms.set(key, room);
    }
    return room;
  }

  /** Forget a room once its last member has left (never the lobby). */
  releaseRoom(room: Room): void {
    const key = room.name.toLowerCase();
    if (room.members.size === 0 && key !== LOBBY) this.rooms.delete(key);
  }

  /**
   * Send one line to everyone in `room` but `except`. The line is encoded once; a client whose
   * write buffer is above its high-water mark does not get it (counted in `stats.dropped`).
   */
  broadcast(room: Room, text: string, except?: ChatClient): void {
    const line = Buffer.from(`${text}\r\n`);
    for (const member of room.members) {
      if (member !== except) member.deliver(line);
    }
  }

  /**
   * Say goodbye to every client and close their connections gracefully: what is queued is
   * flushed, and a client that does not read is cut after `shutdownGrace` seconds. Clients that
   * connect from now on are turned away.
   */
  goodbyeAll(message = '* Server is shutting down. Goodbye!'): void {
    this.#shuttingDown = true;
    for (const client of this.clients) client.hangUp('server shutting down', message);
  }
}
