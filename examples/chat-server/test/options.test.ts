import { expect } from 'chai';
import { parseCommandLine, UsageError } from '../src/options.js';
import { stripTelnet } from '../src/telnet.js';

describe('chat server command line', () => {
  it('defaults to 127.0.0.1:8023', () => {
    expect(parseCommandLine([]).endpoint).to.equal('tcp:8023:interface=127.0.0.1');
  });

  it('takes a host, a port or an endpoint string, and limits', () => {
    expect(parseCommandLine(['--host', '0.0.0.0', '--port', '9000']).endpoint).to.equal('tcp:9000:interface=0.0.0.0');
    expect(parseCommandLine(['--port', 'tcp:8023:interface=0.0.0.0']).endpoint).to.equal('tcp:8023:interface=0.0.0.0');
    expect(parseCommandLine(['--host', '::1']).endpoint).to.equal('tcp:8023:interface=\\:\\:1');
    const o = parseCommandLine(['--max-clients', '10', '--idle-timeout', '2.5']).options;
    expect(o.maxClients).to.equal(10);
    expect(o.idleTimeout).to.equal(2.5);
  });

  it('explains bad input', () => {
    expect(() => parseCommandLine(['--port', 'abc'])).to.throw(UsageError, /port number or an endpoint string/);
    expect(() => parseCommandLine(['--max-clients', '0'])).to.throw(UsageError, /--max-clients must be an integer >= 1/);
    expect(() => parseCommandLine(['--bogus'])).to.throw(UsageError, /Unknown option/);
    // Number('') is 0: an empty value must not silently disable the idle timeout.
    expect(() => parseCommandLine(['--idle-timeout='])).to.throw(UsageError, /--idle-timeout must be a number >= 0, got ""/);
    expect(() => parseCommandLine(['--flood-rate', ' '])).to.throw(UsageError, /--flood-rate must be a number >= 0/);
    // Past 2^53 a number is no longer an exact byte count: LineReceiver refused it on every line.
    expect(() => parseCommandLine(['--max-line', '1e20'])).to.throw(UsageError, /--max-line must be an integer from 16 to 9007199254740991, got "1e20"/);
    expect(() => parseCommandLine(['--host', 'x', '--port', 'tcp:1'])).to.throw(UsageError, /cannot be combined/);
    // tcp:8023:interface= listens on every interface, not on 127.0.0.1.
    expect(() => parseCommandLine(['--host='])).to.throw(UsageError, /--host must be an interface address/);
  });
});

describe('stripTelnet', () => {
  it('returns the same buffer when there is nothing to strip', () => {
    const b = Buffer.from('plain');
    expect(stripTelnet(b)).to.equal(b);
  });

  it('removes commands, option negotiation and sub-negotiation', () => {
    const b = Buffer.from([0x61, 0xff, 0xfb, 0x01, 0x62, 0xff, 0xf1, 0x63, 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0, 0x64]);
    expect(stripTelnet(b).toString()).to.equal('abcd');
  });

  it('drops a truncated command at the end', () => {
    expect(stripTelnet(Buffer.from([0x61, 0xff])).toString()).to.equal('a');
    expect(stripTelnet(Buffer.from([0x61, 0xff, 0xfa, 0x18])).toString()).to.equal('a');
  });
});
