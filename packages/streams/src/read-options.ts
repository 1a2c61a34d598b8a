// Types only: importing them loads nothing at run time.

/** Options for `new StreamReader()`. */
export interface StreamReaderOptions {
  /**
   * The longest line or `readUntil()` chunk accepted, in bytes, and the unit of flow control:
   * the transport is paused above twice this many buffered bytes. Default 64 KiB.
   */
  limit?: number;
}

/** Options every read method takes. */
export interface ReadOptions {
  /** Abort the read while it waits for data; it rejects with {@link AbortError}, nothing is consumed. */
  signal?: AbortSignal;
}
