import { expect } from 'chai';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StringTransport } from '@torsion/reactor/testing';
import { ProducerAlreadyRegistered } from '@torsion/reactor';
import { FileReadError, FileSender, TransferInProgressError, TransferStoppedError } from '@torsion/protocols';

/** A StringTransport that counts writes and lets a test await the next one. */
class PullTransport extends StringTransport {
  writes: Buffer[] = [];
  #waiters: Array<() => void> = [];
  override write(data: Uint8Array | string): void {
    super.write(data);
    this.writes.push(Buffer.from(data));
    for (const w of this.#waiters.splice(0)) w();
  }
  nextWrite(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** Ask for chunks one at a time, as a real transport does when its buffer empties. */
async function pull(t: PullTransport, sender: FileSender, done: Promise<Buffer>): Promise<Buffer> {
  let finished = false;
  const result = done.finally(() => { finished = true; });
  while (!finished) {
    const written = t.nextWrite();
    sender.resumeProducing();
    await Promise.race([written, result.catch(() => undefined)]);
  }
  return result;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

describe('FileSender', () => {
  let dir: string;
  let file: string;
  const content = Buffer.alloc(3500);
  for (let i = 0; i < content.length; i++) content[i] = (i * 7) & 0xff;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'torsion-file-sender-'));
    file = path.join(dir, 'data.bin');
    await writeFile(file, content);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('registers as a pull producer and writes one chunk per resumeProducing()', async () => {
    const t = new PullTransport();
    const sender = new FileSender();
    sender.CHUNK_SIZE = 1024;
    const done = sender.beginFileTransfer(file, t);
    expect(t.producer).to.equal(sender);
    expect(t.streaming).to.equal(false);
    expect(t.writes).to.have.length(0);
    const last = await pull(t, sender, done);
    expect(t.writes.map((w) => w.length)).to.deep.equal([1024, 1024, 1024, 428]);
    expect(t.value().equals(content)).to.equal(true);
    expect(last.equals(content.subarray(-1))).to.equal(true);
    expect(t.producer).to.equal(undefined);
  });

  it('writes nothing until asked', async () => {
    const t = new PullTransport();
    const sender = new FileSender();
    const done = sender.beginFileTransfer(file, t);
    // Give the open a chance to finish: still nothing must be written without a request.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.writes).to.have.length(0);
    await pull(t, sender, done);
    expect(t.value().equals(content)).to.equal(true);
  });

  it('resolves with an empty Buffer for an empty file', async () => {
    const empty = path.join(dir, 'empty');
    await writeFile(empty, '');
    const t = new PullTransport();
    const sender = new FileSender();
    const last = await pull(t, sender, sender.beginFileTransfer(empty, t));
    expect(last.length).to.equal(0);
    expect(t.writes).to.have.length(0);
  });

  it('applies the transform to each chunk and reads on past empty results', async () => {
    const t = new PullTransport();
    const sender = new FileSender();
    sender.CHUNK_SIZE = 1000;
    let calls = 0;
    const done = sender.beginFileTransfer(file, t, (chunk) => {
      calls += 1;
      return calls === 2 ? '' : `[${chunk.length}]`;
    });
    const last = await pull(t, sender, done);
    expect(t.value().toString()).to.equal('[1000][1000][500]');
    expect(last.toString()).to.equal(']');
  });

  it('reads a FileHandle from its position and leaves it open', async () => {
    const handle = await open(file, 'r');
    try {
      await handle.read(Buffer.alloc(500), 0, 500, null);
      const t = new PullTransport();
      const sender = new FileSender();
      await pull(t, sender, sender.beginFileTransfer(handle, t));
      expect(t.value().equals(content.subarray(500))).to.equal(true);
      expect((await handle.stat()).size).to.equal(content.length);
    } finally {
      await handle.close();
    }
  });

  it('rejects with FileReadError when the file cannot be opened', async () => {
    const t = new PullTransport();
    const sender = new FileSender();
    const done = sender.beginFileTransfer(path.join(dir, 'missing'), t);
    sender.resumeProducing();
    const err = await rejection(done);
    expect(err).to.be.instanceOf(FileReadError);
    expect((err as FileReadError).code).to.equal('ERR_FILE_READ');
    expect(((err as FileReadError).cause as NodeJS.ErrnoException).code).to.equal('ENOENT');
    expect(t.producer).to.equal(undefined);
  });

  it('rejects with FileReadError when a read fails', async () => {
    const t = new PullTransport();
    const sender = new FileSender();
    const handle = await open(dir, 'r');
    try {
      const done = sender.beginFileTransfer(handle, t);
      sender.resumeProducing();
      const err = await rejection(done);
      expect(err).to.be.instanceOf(FileReadError);
      expect(((err as FileReadError).cause as NodeJS.ErrnoException).code).to.equal('EISDIR');
    } finally {
      await handle.close();
    }
  });

  it('rejects with TransferStoppedError when the consumer stops it', async () => {
    const t = new PullTransport();
    const sender = new FileSender();
    sender.CHUNK_SIZE = 1000;
    const done = sender.beginFileTransfer(file, t);
    const written = t.nextWrite();
    sender.resumeProducing();
    await written;
    sender.stopProducing();
    const err = await rejection(done);
    expect(err).to.be.instanceOf(TransferStoppedError);
    expect((err as TransferStoppedError).code).to.equal('ERR_TRANSFER_STOPPED');
    sender.resumeProducing();
    expect(t.writes).to.have.length(1);
  });

  it('refuses a second transfer while one is under way, and allows one after', async () => {
    const t = new PullTransport();
    const sender = new FileSender();
    const first = sender.beginFileTransfer(file, t);
    expect(await rejection(sender.beginFileTransfer(file, t))).to.be.instanceOf(TransferInProgressError);
    await pull(t, sender, first);
    t.clear();
    await pull(t, sender, sender.beginFileTransfer(file, t));
    expect(t.value().equals(content)).to.equal(true);
  });

  it('rejects when the consumer already has a producer', async () => {
    const t = new PullTransport();
    t.registerProducer({ resumeProducing() {}, stopProducing() {} }, false);
    const err = await rejection(new FileSender().beginFileTransfer(file, t));
    expect(err).to.be.instanceOf(ProducerAlreadyRegistered);
  });

  it('rejects a bad CHUNK_SIZE with a RangeError', async () => {
    const sender = new FileSender();
    sender.CHUNK_SIZE = 0;
    expect(await rejection(sender.beginFileTransfer(file, new PullTransport()))).to.be.instanceOf(RangeError);
  });
});
