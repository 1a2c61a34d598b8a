import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ConnectionRefusedError,
  EndpointSyntaxError,
  TorsionRangeError,
  clientFromString,
  serverFromString,
  type Reactor,
  type TCPAddress,
} from '@torsion/reactor';
import { Factory, Protocol } from '@torsion/protocols';
import { Cleanup, Echo, deferred, newReactor } from './support/tcp-helpers.js';
import { makeTestCertificate, type TestCertificate } from './support/tls-fixtures.js';

/** Says "ping", resolves with the echo, and closes. */
class Ping extends Protocol {
  readonly reply = deferred<string>();
  #got = '';
  override connectionMade(): void {
    this.transport.write('ping');
  }
  override dataReceived(data: Buffer): void {
    this.#got += data.toString();
    if (this.#got.length >= 4) {
      this.reply.resolve(this.#got);
      this.transport.loseConnection();
    }
  }
}

describe('endpoint strings (serverFromString / clientFromString)', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;
  let dir: string;
  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torsion-endpoints-'));
  });
  afterEach(async () => {
    await cleanup.run();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("tcp: listens as DESIGN.md writes it ('tcp:PORT:interface=127.0.0.1') and connects with host= and port=", async () => {
    const port = cleanup.port(await serverFromString(reactor, 'tcp:0:interface=127.0.0.1').listen(Factory.forProtocol(Echo)));
    const host = port.getHost() as TCPAddress;
    expect(host.host).to.equal('127.0.0.1');
    expect(host.port).to.be.above(0);
    const p = (await clientFromString(reactor, `tcp:host=127.0.0.1:port=${host.port}`).connect(Factory.forProtocol(Ping))) as Ping;
    expect(p).to.be.instanceOf(Ping);
    expect(await p.reply.promise).to.equal('ping');
    // The positional form too.
    const q = (await clientFromString(reactor, `tcp:127.0.0.1:${host.port}:timeout=5`).connect(Factory.forProtocol(Ping))) as Ping;
    expect(await q.reply.promise).to.equal('ping');
  });

  it('unix: listens and connects on a socket path', async () => {
    const sock = path.join(dir, 'e.sock');
    const port = cleanup.port(await serverFromString(reactor, `unix:${sock}`).listen(Factory.forProtocol(Echo)));
    expect(port.getHost()).to.deep.equal({ type: 'UNIX', path: sock });
    const p = (await clientFromString(reactor, `unix:path=${sock}`).connect(Factory.forProtocol(Ping))) as Ping;
    expect(await p.reply.promise).to.equal('ping');
  });

  describe('tls:', function () {
    this.timeout(20000);
    let cert: TestCertificate;
    before(() => {
      cert = makeTestCertificate();
    });
    after(() => cert.dispose());

    it('listens with privateKey/certKey files and connects with caCerts', async () => {
      const keyPath = path.join(dir, 'key.pem');
      const certPath = path.join(dir, 'cert.pem');
      fs.writeFileSync(keyPath, cert.key);
      fs.writeFileSync(certPath, cert.cert);
      const server = serverFromString(reactor, `tls:0:privateKey=${keyPath}:certKey=${certPath}:interface=127.0.0.1`);
      const port = cleanup.port(await server.listen(Factory.forProtocol(Echo)));
      const n = (port.getHost() as TCPAddress).port;
      const p = (await clientFromString(reactor, `tls:host=localhost:port=${n}:caCerts=${certPath}`).connect(Factory.forProtocol(Ping))) as Ping;
      expect(await p.reply.promise).to.equal('ping');
      expect(p.transport.getExtraInfo('authorized')).to.equal(true);
    });
  });

  it('rejects the connect() promise with the connection error', async () => {
    let error: unknown;
    await clientFromString(reactor, 'tcp:host=127.0.0.1:port=1').connect(Factory.forProtocol(Ping)).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(ConnectionRefusedError);
  });

  it('refuses bad descriptions with EndpointSyntaxError (ERR_BAD_ENDPOINT) saying what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /non-empty/],
      ['tcp', /numeric port/],
      ['tcp:abc', /numeric port, got "abc"/],
      ['bogus:1', /Unknown endpoint type "bogus"/],
      ['tcp:1:bogus=2', /unknown option\(s\) bogus/],
      ['tcp:port=1:1', /both by position and as port=/],
      ['tcp:1:interface=a:interface=b', /sets "interface" twice/],
      ['unix:', /needs a socket path/],
      ['tls:1', /needs privateKey=PATH/],
      [`tls:1:privateKey=${path.join(os.tmpdir(), 'no-such-torsion-key.pem')}`, /cannot read the private key file/],
    ];
    for (const [description, message] of cases) {
      let error: unknown;
      try {
        serverFromString(reactor, description);
      } catch (e) {
        error = e;
      }
      expect(error, description).to.be.instanceOf(EndpointSyntaxError);
      expect((error as EndpointSyntaxError).code).to.equal('ERR_BAD_ENDPOINT');
      expect((error as Error).message, description).to.match(message);
    }
    expect(() => serverFromString(reactor, 'tcp:70000')).to.throw(TorsionRangeError, /between 0 and 65535/);
    for (const description of ['tcp:host=127.0.0.1', 'tcp:port=80', 'tcp:h:1:timeout=-1', 'tls:h:1:verify=maybe', 'unix:', 'udp:1']) {
      expect(() => clientFromString(reactor, description), description).to.throw(EndpointSyntaxError);
    }
  });
});
