import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clientFromString, serverFromString, type Reactor, type TCPAddress } from '@torsion/reactor';
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

// The tls: endpoint over real sockets (tcp: and unix: are in endpoints-tcp.test.ts).
describe('endpoint strings over TLS', () => {
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

});
