import { expect } from 'chai';
import { Reactor } from '@torsion/reactor';
import { Protocol, Factory } from '@torsion/protocols';

describe('workspace wiring', () => {
  it('resolves every package from the top-level tests', () => {
    expect(Reactor).to.be.a('function');
    expect(new (Factory.forProtocol(Protocol).protocol!)()).to.be.instanceOf(Protocol);
  });
});
