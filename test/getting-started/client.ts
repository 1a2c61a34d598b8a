// client.ts
import { reactor } from '@torsion/reactor';
import { TalkFactory } from './talk.js';

const factory = new TalkFactory(['hello', 'torsion']);
reactor.connectTCP('127.0.0.1', Number(process.argv[2] ?? 8023), factory, { timeout: 5 });
try {
  for (const reply of await factory.done) console.log(reply);
} catch (err) {
  console.error(`could not talk: ${(err as Error).message}`);
  process.exitCode = 1;
}
