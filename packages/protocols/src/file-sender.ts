import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Data, IConsumer, IPullProducer } from '@torsion/reactor';
import { log, TorsionRangeError, TorsionTypeError } from '@torsion/reactor';
import { FileReadError, TransferInProgressError, TransferStoppedError } from './string-errors.js';

const EMPTY = Buffer.alloc(0);

/** Rewrites each chunk before it is written (to escape it, compress it, count it...). */
export type ChunkTransform = (chunk: Buffer) => Data;

interface Transfer {
  consumer: IConsumer;
  transform: ChunkTransform | undefined;
  handle: FileHandle | undefined;
  opening: Promise<FileHandle> | undefined;
  /** True when we opened the file (from a path), so we close it. */
  owned: boolean;
  reading: boolean;
  /** The consumer asked for a chunk while a read was under way. */
  wanted: boolean;
  last: Buffer;
  resolve: (last: Buffer) => void;
  reject: (err: Error) => void;
}

/**
 * A pull producer that streams a file to a consumer (a transport), one chunk of
 * {@link CHUNK_SIZE} bytes each time the consumer asks for more (`resumeProducing()`), so a large
 * file never sits in memory. It registers itself with `registerProducer(this, false)` and
 * unregisters at the end of the file.
 *
 * {@link beginFileTransfer} resolves with the last byte written (an empty Buffer for an empty
 * file) and rejects with `FileReadError` if the file cannot be opened or read, or with
 * `TransferStoppedError` if the consumer (or you) calls {@link stopProducing} first. A file given
 * as a path is opened and closed by the sender; a `FileHandle` you pass stays yours to close, and
 * is read from its current position.
 *
 * @example
 * ```ts
 * import { FileSender, Protocol } from '@torsion/protocols';
 *
 * class Download extends Protocol {
 *   override async connectionMade(): Promise<void> {
 *     await new FileSender().beginFileTransfer('/var/data/report.csv', this.transport);
 *     this.transport.loseConnection();
 *   }
 * }
 * ```
 */
export class FileSender implements IPullProducer {
  /** Bytes read and written per `resumeProducing()`. Read at each read. */
  CHUNK_SIZE = 64 * 1024;

  #transfer: Transfer | undefined = undefined;

  /**
   * Stream `file` (a path or an open `FileHandle`) to `consumer`, passing each chunk through
   * `transform` if given. Resolves with the last byte written.
   *
   * The promise is marked as handled, so a transfer stopped by a lost connection does not crash a
   * program that chose not to await it.
   */
  beginFileTransfer(file: string | FileHandle, consumer: IConsumer, transform?: ChunkTransform): Promise<Buffer> {
    if (this.#transfer !== undefined) return Promise.reject(new TransferInProgressError());
    const size = this.CHUNK_SIZE;
    if (!Number.isSafeInteger(size) || size <= 0) {
      return Promise.reject(new TorsionRangeError(`FileSender.CHUNK_SIZE must be a positive integer number of bytes, got ${String(size)}.`));
    }
    if (transform !== undefined && typeof transform !== 'function') {
      return Promise.reject(new TorsionTypeError(`The transform of beginFileTransfer must be a function, got ${typeof transform}.`));
    }
    let resolve!: (last: Buffer) => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<Buffer>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch((err: unknown) => log.debug(`FileSender: transfer ended early: ${String(err)}`));
    const owned = typeof file === 'string';
    const transfer: Transfer = {
      consumer,
      transform,
      handle: owned ? undefined : file,
      opening: undefined,
      owned,
      reading: false,
      wanted: false,
      last: EMPTY,
      resolve,
      reject,
    };
    if (owned) {
      transfer.opening = open(file, 'r');
      transfer.opening.then(
        (handle) => {
          transfer.opening = undefined;
          transfer.handle = handle;
          if (this.#transfer !== transfer) {
            void handle.close().catch(() => undefined);
          } else if (transfer.wanted) {
            transfer.wanted = false;
            void this.#read(transfer);
          }
        },
        (err: unknown) => {
          transfer.opening = undefined;
          if (this.#transfer === transfer) this.#finish(transfer, new FileReadError(`Cannot open ${file} for sending: ${describe(err)}`, { cause: err }));
        },
      );
    }
    this.#transfer = transfer;
    try {
      consumer.registerProducer(this, false);
    } catch (err) {
      this.#finish(transfer, err instanceof Error ? err : new Error(String(err)), false);
    }
    return promise;
  }

  /** The consumer wants another chunk. Called by the consumer. */
  resumeProducing(): void {
    const transfer = this.#transfer;
    if (transfer === undefined) return;
    if (transfer.reading || transfer.handle === undefined) {
      transfer.wanted = true;
      return;
    }
    void this.#read(transfer);
  }

  /** Abandon the transfer: its promise rejects with `TransferStoppedError`. */
  stopProducing(): void {
    const transfer = this.#transfer;
    if (transfer === undefined) return;
    this.#finish(transfer, new TransferStoppedError());
  }

  async #read(transfer: Transfer): Promise<void> {
    transfer.reading = true;
    const handle = transfer.handle!;
    try {
      // An empty transformed chunk writes nothing, so the consumer would never ask again: read on.
      for (;;) {
        const size = this.CHUNK_SIZE;
        if (!Number.isSafeInteger(size) || size <= 0) {
          throw new TorsionRangeError(`FileSender.CHUNK_SIZE must be a positive integer number of bytes, got ${String(size)}.`);
        }
        let bytesRead: number;
        let buffer: Buffer;
        try {
          buffer = Buffer.allocUnsafe(size);
          ({ bytesRead } = await handle.read(buffer, 0, size, null));
        } catch (err) {
          throw new FileReadError(`Reading the file being sent failed: ${describe(err)}`, { cause: err });
        }
        if (this.#transfer !== transfer) return;
        if (bytesRead === 0) {
          this.#finish(transfer, undefined);
          return;
        }
        const read = bytesRead === size ? buffer : buffer.subarray(0, bytesRead);
        const chunk: Data = transfer.transform === undefined ? read : transfer.transform(read);
        const out = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        if (out.byteLength === 0) continue;
        transfer.last = Buffer.from(out.subarray(out.byteLength - 1));
        transfer.wanted = false;
        transfer.consumer.write(out);
        // Each resumeProducing() asks for one chunk; one that came during this read is served now.
        if (this.#transfer !== transfer || !transfer.wanted) return;
        transfer.wanted = false;
      }
    } catch (err) {
      if (this.#transfer === transfer) this.#finish(transfer, err instanceof Error ? err : new Error(String(err)));
    } finally {
      transfer.reading = false;
    }
  }

  #finish(transfer: Transfer, error: Error | undefined, unregister = true): void {
    this.#transfer = undefined;
    if (unregister) {
      try {
        transfer.consumer.unregisterProducer();
      } catch {
        // The consumer may already have dropped us (it called stopProducing as it closed).
      }
    }
    if (transfer.owned && transfer.handle !== undefined) {
      void transfer.handle.close().catch(() => undefined);
    }
    if (error === undefined) transfer.resolve(transfer.last);
    else transfer.reject(error);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
