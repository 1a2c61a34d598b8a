// talk.ts
import type { IConnector } from '@torsion/reactor';
import { ClientFactory, LineReceiver } from '@torsion/protocols';

/** Says a few lines, prints what comes back, and says bye. */
export class Talk extends LineReceiver {
  declare factory: TalkFactory;
  override delimiter = '\n';

  override connectionMade(): void {
    for (const line of this.factory.lines) this.sendLine(line);
    this.sendLine('bye');
  }

  override lineReceived(line: Buffer): void {
    this.factory.replies.push(line.toString('utf8'));
  }
}

export class TalkFactory extends ClientFactory {
  override protocol = Talk;
  readonly replies: string[] = [];
  /** Settles when the conversation is over: with the replies, or with why it failed. */
  readonly done: Promise<string[]>;
  #finish!: (error: Error | null) => void;

  constructor(readonly lines: string[]) {
    super();
    this.done = new Promise((resolve, reject) => {
      this.#finish = (error) => (error === null ? resolve(this.replies) : reject(error));
    });
  }

  override clientConnectionFailed(_connector: IConnector, reason: Error): void {
    this.#finish(reason);                    // a ConnectionRefusedError, a TimeoutError...
  }

  override clientConnectionLost(_connector: IConnector, _reason: Error): void {
    this.#finish(null);                      // the server said Bye and closed
  }
}
