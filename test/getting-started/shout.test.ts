// shout.test.ts
import { expect } from 'chai';
import { Clock, StringTransport } from '@torsion/reactor/testing';
import { Shout } from './shout.js';

describe('Shout', () => {
  it('answers in capitals, whatever the chunks', () => {
    const transport = new StringTransport();
    const shout = new Shout();
    shout.clock = new Clock();               // no real timers in a test
    transport.connect(shout);                // calls connectionMade: the greeting
    transport.clear();

    shout.dataReceived(Buffer.from('hello\nwor'));
    shout.dataReceived(Buffer.from('ld\n'));
    expect(transport.value().toString()).to.equal('HELLO\nWORLD\n');
  });

  it('says goodbye after 60 silent seconds', () => {
    const clock = new Clock();
    const transport = new StringTransport();
    const shout = new Shout();
    shout.clock = clock;
    transport.connect(shout);

    clock.advance(59);
    shout.dataReceived(Buffer.from('still here\n'));   // the 60 s start again
    clock.advance(59);
    expect(transport.disconnecting).to.equal(false);
    clock.advance(1);
    expect(transport.value().toString()).to.match(/Too quiet: goodbye\.\n$/);
    expect(transport.disconnecting).to.equal(true);
  });
});
