import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConnectionRefusedError, EndpointSyntaxError, TorsionRangeError, clientFromString, serverFromString } from '@torsion/reactor';
import type { IProtocol } from '@torsion/reactor';
import { MemoryReactor } from '@torsion/reactor/testing';
import { Factory, Protocol } from '@torsion/protocols';

const factory = (): Factory => Factory.forProtocol(Protocol);

describe('endpoint strings', () => {
  describe('serverFromString', () => {
    it('parses tcp: with a positional or named port, an interface and a backlog', async () => {
      const r = new MemoryReactor();
      await serverFromString(r, 'tcp:8023').listen(factory());
      await serverFromString(r, 'tcp:port=9000:interface=127.0.0.1:backlog=10').listen(factory());
      await serverFromString(r, 'tcp:0:interface=\\:\\:1').listen(factory());
      expect(r.tcpServers.map((s) => [s.port, s.options])).to.deep.equal([
        [8023, {}],
        [9000, { interface: '127.0.0.1', backlog: 10 }],
        [0, { interface: '::1' }],
      ]);
    });

    it('parses unix: with a positional or named path', async () => {
      const r = new MemoryReactor();
      await serverFromString(r, 'unix:/tmp/a.sock').listen(factory());
      await serverFromString(r, 'unix:address=/tmp/b\\:c.sock').listen(factory());
      expect(r.unixServers.map((s) => s.path)).to.deep.equal(['/tmp/a.sock', '/tmp/b:c.sock']);
    });

    it('reads the key and certificate files of tls: (and its alias ssl:)', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'torsion-endpoint-'));
      writeFileSync(path.join(dir, 'key.pem'), 'KEY');
      writeFileSync(path.join(dir, 'cert.pem'), 'CERT');
      const r = new MemoryReactor();
      await serverFromString(r, `tls:8443:privateKey=${dir}/key.pem:certKey=${dir}/cert.pem:interface=127.0.0.1`).listen(factory());
      await serverFromString(r, `ssl:port=8444:privateKey=${dir}/key.pem`).listen(factory());
      const [a, b] = r.sslServers;
      expect(a!.port).to.equal(8443);
      expect(a!.options).to.deep.equal({ interface: '127.0.0.1' });
      expect(String(a!.tlsOptions.key)).to.equal('KEY');
      expect(String(a!.tlsOptions.cert)).to.equal('CERT');
      expect(String(b!.tlsOptions.cert)).to.equal('KEY'); // one file holding both
    });

    it('explains what is wrong with a bad description', () => {
      const r = new MemoryReactor();
      expect(() => serverFromString(r, '')).to.throw(EndpointSyntaxError, /non-empty/);
      expect(() => serverFromString(r, 'sctp:80')).to.throw(EndpointSyntaxError, /Unknown endpoint type "sctp".*tcp:, unix: or tls:/);
      expect(() => serverFromString(r, 'tcp:http')).to.throw(EndpointSyntaxError, /numeric port, got "http"/);
      expect(() => serverFromString(r, 'tcp')).to.throw(EndpointSyntaxError, /numeric port/);
      expect(() => serverFromString(r, 'tcp:70000')).to.throw(TorsionRangeError, /between 0 and 65535/);
      expect(() => serverFromString(r, 'tcp:80:interfce=127.0.0.1')).to.throw(EndpointSyntaxError, /unknown option\(s\) interfce/);
      expect(() => serverFromString(r, 'tcp:80:port=81')).to.throw(EndpointSyntaxError, /both by position and as port=/);
      expect(() => serverFromString(r, 'tcp:80:9000')).to.throw(EndpointSyntaxError, /unexpected field\(s\) "9000"/);
      expect(() => serverFromString(r, 'tcp:80:interface=a:interface=b')).to.throw(EndpointSyntaxError, /sets "interface" twice/);
      expect(() => serverFromString(r, 'unix:')).to.throw(EndpointSyntaxError, /socket path/);
      expect(() => serverFromString(r, 'tls:443')).to.throw(EndpointSyntaxError, /privateKey=PATH/);
      expect(() => serverFromString(r, 'tls:443:privateKey=/nonexistent/key.pem')).to.throw(EndpointSyntaxError, /cannot read the private key file/);
    });
  });

  describe('clientFromString', () => {
    it('parses tcp: by name or position, with timeout and bindAddress', () => {
      const r = new MemoryReactor();
      void clientFromString(r, 'tcp:host=127.0.0.1:port=8023:timeout=2.5:bindAddress=127.0.0.2').connect(factory());
      void clientFromString(r, 'tcp:localhost:80').connect(factory());
      expect(r.tcpClients.map((c) => [c.host, c.port, c.options])).to.deep.equal([
        ['127.0.0.1', 8023, { timeout: 2.5, bindAddress: '127.0.0.2' }],
        ['localhost', 80, {}],
      ]);
    });

    it('resolves with the protocol once connected, after connectionMade', async () => {
      const r = new MemoryReactor();
      const made: string[] = [];
      class P extends Protocol {
        override connectionMade(): void {
          made.push('made');
        }
      }
      const pending = clientFromString(r, 'tcp:host=127.0.0.1:port=8023').connect(Factory.forProtocol(P));
      r.tcpClients[0]!.connector.succeed();
      const protocol: IProtocol = await pending;
      expect(protocol).to.be.instanceOf(P);
      expect(made).to.deep.equal(['made']);
    });

    it('rejects with the reason the attempt failed', async () => {
      const r = new MemoryReactor();
      const pending = clientFromString(r, 'unix:path=/tmp/nothing.sock').connect(factory());
      expect(r.unixClients[0]!.path).to.equal('/tmp/nothing.sock');
      r.unixClients[0]!.connector.fail(new ConnectionRefusedError());
      let error: unknown;
      await pending.catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(ConnectionRefusedError);
    });

    it('passes tls: verification options through', () => {
      const r = new MemoryReactor();
      void clientFromString(r, 'tls:host=example.test:port=443:verify=no').connect(factory());
      const c = r.sslClients[0]!;
      expect(c.tlsOptions).to.deep.equal({ servername: 'example.test', rejectUnauthorized: false });
      expect(() => clientFromString(r, 'tls:host=a:port=1:verify=maybe')).to.throw(EndpointSyntaxError, /yes or no/);
    });

    it('gives no SNI server name for a tls: host that is an IP address', () => {
      // Before the fix servername was the address, and Node warned (DEP0123) on every connect.
      const r = new MemoryReactor();
      void clientFromString(r, 'tls:host=127.0.0.1:port=443').connect(factory());
      void clientFromString(r, 'tls:host=\\:\\:1:port=443').connect(factory());
      expect(r.sslClients.map((c) => c.tlsOptions)).to.deep.equal([{}, {}]);
      expect(r.sslClients[1]!.host).to.equal('::1');
    });

    it('explains what is wrong with a bad description', () => {
      const r = new MemoryReactor();
      expect(() => clientFromString(r, 'tcp:port=80')).to.throw(EndpointSyntaxError, /needs host=HOST/);
      expect(() => clientFromString(r, 'tcp:host=a')).to.throw(EndpointSyntaxError, /numeric port/);
      expect(() => clientFromString(r, 'tcp:host=a:port=1:timeout=-1')).to.throw(EndpointSyntaxError, /positive number of seconds/);
      expect(() => clientFromString(r, 'unix:')).to.throw(EndpointSyntaxError, /path=PATH/);
      expect(() => clientFromString(r, 'udp:host=a:port=1')).to.throw(EndpointSyntaxError, /Unknown endpoint type "udp"/);
      expect(() => clientFromString(r, 'tcp:host=a:port=0')).to.throw(TorsionRangeError, /server's port, 1 to 65535/);
      expect(() => clientFromString(r, 'tls:a:0')).to.throw(TorsionRangeError, /not 0/);
      expect(r.tcpClients).to.have.length(0);
    });
  });
});
