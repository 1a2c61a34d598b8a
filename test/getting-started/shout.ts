// shout.ts
import { LineReceiver, TimeoutMixin } from '@torsion/protocols';

/** Answers every line in capitals; "bye" ends the conversation, and so do 60 silent seconds. */
export class Shout extends TimeoutMixin(LineReceiver) {
  override delimiter = '\n';                 // nc sends '\n'; the default is '\r\n'

  override connectionMade(): void {
    this.setTimeout(60);                     // seconds, as every time in Torsion
    this.sendLine('Hello! Say something ("bye" to leave).');
  }

  override lineReceived(line: Buffer): void {
    this.resetTimeout();                     // a line counts as life
    const text = line.toString('utf8').trim();
    if (text === 'bye') {
      this.sendLine('Bye!');
      this.transport.loseConnection();       // flush what was written, then close
      return;
    }
    this.sendLine(text.toUpperCase());
  }

  override timeoutConnection(): void {
    this.sendLine('Too quiet: goodbye.');
    this.transport.loseConnection();
  }
}
