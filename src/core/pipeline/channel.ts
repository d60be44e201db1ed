/**
 * A bounded async queue between two pipeline stages. `push` waits while the queue is full
 * (back-pressure), `pop` waits while it is empty; `close` lets the consumer drain and finish.
 * Several producers and consumers may share one channel. With a weight (bytes, say), the queue also
 * holds no more than `maxWeight` in all, but always takes one item, however heavy.
 */
export class Channel<T> {
  private readonly items: T[] = [];
  private readonly waitingConsumers: ((item: IteratorResult<T>) => void)[] = [];
  private readonly waitingProducers: (() => void)[] = [];
  private closed = false;
  private weight = 0;

  constructor(
    readonly capacity: number,
    private readonly weightOf?: (item: T) => number,
    private readonly maxWeight = Infinity,
  ) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  get size(): number {
    return this.items.length;
  }

  async push(item: T): Promise<void> {
    const weight = this.weightOf?.(item) ?? 0;
    while ((this.items.length >= this.capacity || (this.items.length > 0 && this.weight + weight > this.maxWeight)) && !this.closed) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    if (this.closed) throw new Error('push to a closed channel');
    const consumer = this.waitingConsumers.shift();
    if (consumer) consumer({ value: item, done: false });
    else {
      this.items.push(item);
      this.weight += weight;
    }
  }

  async pop(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const value = this.items.shift()!;
      if (this.weightOf) this.weight = this.items.length > 0 ? this.weight - this.weightOf(value) : 0;
      this.waitingProducers.shift()?.();
      return { value, done: false };
    }
    if (this.closed) return { value: undefined, done: true };
    return new Promise((resolve) => this.waitingConsumers.push(resolve));
  }

  /** No more items will come; consumers get `done` once the queue is drained. */
  close(): void {
    this.closed = true;
    for (const consumer of this.waitingConsumers.splice(0)) consumer({ value: undefined, done: true });
    for (const producer of this.waitingProducers.splice(0)) producer();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const next = await this.pop();
      if (next.done) return;
      yield next.value;
    }
  }
}
