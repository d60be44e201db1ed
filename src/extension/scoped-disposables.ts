/**
 * What is made for one engine's lifetime (the engine, a team session), disposed together, newest
 * first, when settings restart it: in the manner of rust-analyzer's `ctx.ts`, whose client
 * subscriptions are disposed at each server restart while the extension's own live on.
 */

export interface AsyncDisposable {
  dispose(): unknown;
}

export class ScopedDisposables {
  private items: AsyncDisposable[] = [];

  push(item: AsyncDisposable): void {
    this.items.push(item);
  }

  /** Disposes everything pushed so far, waiting for each; one that fails does not stop the rest. */
  async dispose(): Promise<void> {
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        await item.dispose();
      } catch {
        // Closing what is being thrown away: nothing left to tell the user.
      }
    }
  }
}
