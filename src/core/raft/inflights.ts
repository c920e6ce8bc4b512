/** The appends sent to one follower and not yet acknowledged, by their last index; at most `capacity`. */
export class Inflights {
  private readonly lastIndexes: number[] = [];

  constructor(readonly capacity: number) {}

  add(lastIndex: number): void {
    if (this.full()) throw new Error('raft inflights: add when full');
    this.lastIndexes.push(lastIndex);
  }

  /** Forgets every append whose last index is at most `index` (they were acknowledged). */
  freeUpTo(index: number): void {
    let n = 0;
    while (n < this.lastIndexes.length && (this.lastIndexes[n] ?? Infinity) <= index) n++;
    this.lastIndexes.splice(0, n);
  }

  /** Forgets the oldest append (it was probably lost), making room for one more. */
  freeFirst(): void {
    this.lastIndexes.shift();
  }

  full(): boolean {
    return this.lastIndexes.length >= this.capacity;
  }

  count(): number {
    return this.lastIndexes.length;
  }

  reset(): void {
    this.lastIndexes.length = 0;
  }
}
