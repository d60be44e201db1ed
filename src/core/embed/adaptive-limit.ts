/**
 * How many requests to keep in flight to a server whose capacity is unknown: start low, add one
 * while throughput grows, halve when the server says it is saturated (429/503). Throughput is
 * measured over rounds of `limit` completed requests, so each step is judged on its own traffic.
 */
export class AdaptiveLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private roundItems = 0;
  private roundStart = performance.now();
  private roundRequests = 0;
  private lastRate = 0;

  constructor(
    private current: number,
    private readonly max: number,
  ) {}

  get limit(): number {
    return this.current;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    while (this.active >= this.current) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const abort = () => resolve();
        this.waiting.push(() => {
          signal?.removeEventListener('abort', abort);
          resolve();
        });
        signal?.addEventListener('abort', abort, { once: true });
      });
    }
    signal?.throwIfAborted();
    this.active++;
  }

  /** A request ended; `done` when it succeeded (items embedded, time taken). */
  release(done?: { items: number; ms: number }): void {
    this.active--;
    if (done) {
      this.roundItems += done.items;
      if (++this.roundRequests >= this.current) this.endRound();
    }
    this.wake();
  }

  /** The server is saturated: half as many in flight, and measure afresh. */
  shrink(): void {
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.lastRate = 0;
    this.resetRound();
  }

  private endRound(): void {
    const seconds = (performance.now() - this.roundStart) / 1000;
    const rate = seconds > 0 ? this.roundItems / seconds : 0;
    // Grow while a step up still pays (5% better than the round before); otherwise hold.
    if (rate > this.lastRate * 1.05 && this.current < this.max) this.current++;
    this.lastRate = Math.max(rate, this.lastRate * 0.9);
    this.resetRound();
  }

  private resetRound(): void {
    this.roundItems = 0;
    this.roundRequests = 0;
    this.roundStart = performance.now();
  }

  /** Every waiter checks again (few wait: the indexer keeps a handful of batches in flight). */
  private wake(): void {
    for (const next of this.waiting.splice(0)) next();
  }
}
