/**
 * The time the folder keeper and its scheduler read and wait on. Injected so tests move time
 * themselves (a debounce, a reconciling pass two minutes later, a lock retry) instead of sleeping.
 */

export interface KeeperTimer {
  /** Lets the process exit while this timer waits (a retry or a reconciling pass must not keep it alive). */
  unref(): void;
}

export interface KeeperClock {
  now(): number;
  setTimeout(run: () => void, ms: number): KeeperTimer;
  clearTimeout(timer: KeeperTimer): void;
}

class SystemTimer implements KeeperTimer {
  constructor(readonly handle: ReturnType<typeof setTimeout>) {}

  unref(): void {
    // `mock.timers`' handles may lack it.
    if (typeof this.handle.unref === 'function') this.handle.unref();
  }
}

/** The real clock. Reads the globals at each call, so `node:test`'s `mock.timers` moves it too. */
export const systemClock: KeeperClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => new SystemTimer(setTimeout(run, ms)),
  clearTimeout: (timer) => {
    if (timer instanceof SystemTimer) clearTimeout(timer.handle);
  },
};
