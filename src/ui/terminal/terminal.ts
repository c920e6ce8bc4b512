/** The terminal a command runs in, beyond writing to stdout: its size, its resizes, and keys as they are typed. */

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

export interface Terminal {
  size(): TerminalSize;
  /** Calls `listener` after every resize; returns the unsubscribe. */
  onResize(listener: () => void): () => void;
  /**
   * Puts the keyboard in raw mode (each key arrives at once, unechoed; Ctrl-C
   * arrives as "\x03", not as SIGINT) and calls `listener` with what is typed.
   * The returned function stops reading and restores the mode. Does nothing
   * when stdin is not a terminal.
   */
  readKeys(listener: (keys: string) => void): () => void;
}
