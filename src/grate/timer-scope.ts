/**
 * The timers one run of a WASI 0.3 component's glue sets, so that they can be cleared when
 * the run ends: after a trap the glue's stream polling (a setInterval waiting for an event
 * that will never come) would otherwise keep Node alive forever. The glue is evaluated with
 * these functions in place of the global ones (component-p3-loader.ts); outside a run they are the globals.
 */
type Timer = ReturnType<typeof setTimeout>;

export class TimerScope {
  private readonly live = new Set<Timer>();

  setTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Timer => {
    const t = setTimeout(() => { this.live.delete(t); fn(...args); }, ms);
    this.live.add(t);
    return t;
  };

  setInterval = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Timer => {
    const t = setInterval(fn, ms, ...args);
    this.live.add(t);
    return t;
  };

  clearTimeout = (t: Timer | undefined): void => {
    if (t === undefined) return;
    this.live.delete(t);
    clearTimeout(t);
  };

  clearInterval = this.clearTimeout;

  /** Clears every timer still pending. */
  clearAll(): void {
    for (const t of this.live) clearTimeout(t);
    this.live.clear();
  }
}

/** Where a component's glue finds its timers: the scope of the run in progress, or none. */
export interface TimerHolder { current: TimerScope | null }

/** Text put before the glue: its timer functions, resolved through `__timers` at each call. */
export const TIMER_PRELUDE = ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval']
  .map((f) => `const ${f} = (...a) => (__timers.current ?? globalThis).${f}(...a);`).join('\n');
