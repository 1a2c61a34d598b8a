// "Nothing a peer sends can crash the process": every framing of @torsion/protocols behind a
// real TCP port, fed hostile bytes by raw clients, keeps serving well-behaved clients.
import { expect } from 'chai';
import type * as net from 'node:net';
import { type Reactor, type TCPAddress } from '@torsion/reactor';
import {
  Factory,
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  LineOnlyReceiver,
  LineReceiver,
  NetstringReceiver,
  type Protocol,
} from '@torsion/protocols';
import { Cleanup, newReactor, pattern, rawConnect, readAtLeast } from './support/tcp-helpers.js';

class EchoLines extends LineReceiver {
  override lineReceived(line: Buffer): void {
    this.sendLine(line);
  }
}
class EchoLinesOnly extends LineOnlyReceiver {
  override lineReceived(line: Buffer): void {
    this.sendLine(line);
  }
}
class EchoNetstrings extends NetstringReceiver {
  override stringReceived(s: Buffer): void {
    this.sendString(s);
  }
}
class EchoInt8 extends Int8StringReceiver {
  override stringReceived(s: Buffer): void {
    this.sendString(s);
  }
}
class EchoInt16 extends Int16StringReceiver {
  override stringReceived(s: Buffer): void {
    this.sendString(s);
  }
}
class EchoInt32 extends Int32StringReceiver {
  override stringReceived(s: Buffer): void {
    this.sendString(s);
  }
}

/** A framing, and one well-formed message with the reply it must get. */
const framings: Array<{ name: string; cls: new () => Protocol; good: Buffer }> = [
  { name: 'LineReceiver', cls: EchoLines, good: Buffer.from('hello\r\n') },
  { name: 'LineOnlyReceiver', cls: EchoLinesOnly, good: Buffer.from('hello\r\n') },
  { name: 'NetstringReceiver', cls: EchoNetstrings, good: Buffer.from('5:hello,') },
  { name: 'Int8StringReceiver', cls: EchoInt8, good: Buffer.from('\x05hello', 'latin1') },
  { name: 'Int16StringReceiver', cls: EchoInt16, good: Buffer.from('\x00\x05hello', 'latin1') },
  { name: 'Int32StringReceiver', cls: EchoInt32, good: Buffer.from('\x00\x00\x00\x05hello', 'latin1') },
];

const hostile: Array<[string, Buffer]> = [
  ['random bytes', pattern(200 * 1024, 7)],
  ['a huge length prefix', Buffer.from('99999999999999999999999999:', 'latin1')],
  ['all-ones prefixes', Buffer.alloc(64, 0xff)],
  ['one endless line', Buffer.alloc(100 * 1024, 0x61)],
  ['junk and signs', Buffer.from('-1:x, 1e5:, +3:abc, 0x10:', 'latin1')],
  ['a truncated message then close', Buffer.from('\x00\x00\x00\x10half', 'latin1')],
];

/** Send bytes from a raw client, then wait until the server has closed or the client is done. */
async function sendAndClose(port: number, cleanup: Cleanup, bytes: Buffer): Promise<void> {
  const s: net.Socket = await rawConnect(port, cleanup);
  s.on('error', () => {}); // a reset from a server that dropped us is fine
  await new Promise<void>((resolve) => {
    s.once('close', () => resolve());
    s.resume();
    s.end(bytes);
  });
}

describe('framings over TCP against hostile peers', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;
  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  for (const { name, cls, good } of framings) {
    it(`${name}: survives hostile input and keeps serving a well-behaved client`, async () => {
      const logged = cleanup.captureLog();
      const port = cleanup.port(await reactor.listenTCP(0, Factory.forProtocol(cls), { interface: '127.0.0.1' }));
      const n = (port.getHost() as TCPAddress).port;
      for (const [, bytes] of hostile) await sendAndClose(n, cleanup, bytes);
      const client = await rawConnect(n, cleanup);
      const reply = readAtLeast(client, good.length);
      client.write(good);
      expect((await reply).equals(good)).to.equal(true);
      // Malformed input is a warning about that peer, never an error of the server.
      expect(logged.filter((e) => e.level === 'error').map((e) => e.message)).to.deep.equal([]);
    });
  }
});
