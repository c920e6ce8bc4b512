/** An in-memory Terminal: a size set by hand, keys typed by hand, and whether raw mode is on. */
import type { Terminal, TerminalSize } from '../../src/ui/terminal/terminal.js';

export class FakeTerminal implements Terminal {
  private current: TerminalSize;
  private readonly resizeListeners = new Set<() => void>();
  private keyListener: ((keys: string) => void) | undefined;

  constructor(columns = 100, rows = 30) {
    this.current = { columns, rows };
  }

  /** True while a reader holds the keyboard in raw mode. */
  get raw(): boolean {
    return this.keyListener !== undefined;
  }

  /** Resize listeners still subscribed. */
  get resizeWatchers(): number {
    return this.resizeListeners.size;
  }

  size(): TerminalSize {
    return this.current;
  }

  onResize(listener: () => void): () => void {
    this.resizeListeners.add(listener);
    return () => this.resizeListeners.delete(listener);
  }

  readKeys(listener: (keys: string) => void): () => void {
    this.keyListener = listener;
    return () => (this.keyListener = undefined);
  }

  type(keys: string): void {
    this.keyListener?.(keys);
  }

  resize(columns: number, rows: number): void {
    this.current = { columns, rows };
    for (const l of [...this.resizeListeners]) l();
  }
}
