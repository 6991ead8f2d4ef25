/**
 * A thread's signal state (processes.md §10): the cage's dispositions and process-wide
 * pending set (shared by all its threads), the thread's own blocked mask and pending set,
 * for the standard signals 1–31. Real-time signals (32–64) may be given dispositions and
 * masked (glibc blocks some), but nothing ever sends one.
 * Masks are kept as two 32-bit halves so that glibc's 64-bit sigset_t round-trips; signal s
 * is bit s−1 of the low half.
 */

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGABRT = 6, SIGKILL = 9, SIGSEGV = 11,
  SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20,
  SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGWINCH = 28;
export const NSIG = 64;
export const SIG_DFL = 0, SIG_IGN = 1;
export const SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000;

/** What a signal does when its disposition is SIG_DFL. */
export type DefaultAction = 'terminate' | 'ignore' | 'continue' | 'stop';

export function defaultAction(sig: number): DefaultAction {
  if (sig === SIGCHLD || sig === SIGURG || sig === SIGWINCH) return 'ignore';
  if (sig === SIGCONT) return 'continue';
  if (sig >= SIGSTOP && sig <= SIGTTOU) return 'stop';
  return 'terminate';
}

export const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU',
  23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO',
  30: 'SIGPWR', 31: 'SIGSYS',
};

export const bit = (sig: number): number => (sig >= 1 && sig <= 32 ? (1 << (sig - 1)) >>> 0 : 0);
/** Signals that can never be blocked or caught. */
const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

export interface SigAction {
  /** Function-table index of the handler; SIG_DFL 0, SIG_IGN 1. */
  handler: number;
  maskLo: number;
  maskHi: number;
  flags: number;
}

/** What all threads of a cage share: dispositions, and signals sent to the process that no thread has taken yet. */
export class SignalGroup {
  /** Dispositions by signal number (index 0 unused). */
  readonly actions: SigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, maskLo: 0, maskHi: 0, flags: 0 }));
  /** Pending process-directed standard signals (bit s−1). */
  pending = 0;
}

export class SignalState {
  maskLo = 0;
  maskHi = 0;
  /** Pending signals sent to this thread only (bit s−1). */
  pending = 0;
  /** Masks replaced while handlers run, innermost last, each with the interrupted call's result. */
  readonly savedMasks: [lo: number, hi: number, result: number][] = [];

  constructor(readonly group = new SignalGroup()) {}

  get actions(): SigAction[] {
    return this.group.actions;
  }

  /** Whether anything is pending for this thread at all (the cheap test made on every call). */
  anyPending(): boolean {
    return (this.pending | this.group.pending) !== 0;
  }

  /** Pending signals this thread does not block. */
  due(): number {
    return ((this.pending | this.group.pending) & ~this.maskLo) >>> 0;
  }

  /** Takes pending signal `sig` (from this thread's set first, else the process's). */
  take(sig: number): void {
    const b = bit(sig);
    if (this.pending & b) this.pending &= ~b;
    else this.group.pending &= ~b;
  }

  /** Whether this thread blocks `sig`. */
  blocks(sig: number): boolean {
    return (this.maskLo & bit(sig)) !== 0;
  }

  /** A new thread of the same cage: the same dispositions, the creator's mask, nothing pending. */
  thread(): SignalState {
    const s = new SignalState(this.group);
    s.maskLo = this.maskLo;
    s.maskHi = this.maskHi;
    return s;
  }

  setMask(lo: number, hi: number): void {
    this.maskLo = (lo & ~UNBLOCKABLE) >>> 0;
    this.maskHi = hi >>> 0;
  }

  /** fork: dispositions and this thread's mask copied; nothing pending. `clearHandlers`: CLONE_CLEAR_SIGHAND. */
  forked(clearHandlers: boolean): SignalState {
    const s = new SignalState();
    this.actions.forEach((a, i) => { s.actions[i] = clearHandlers && a.handler > SIG_IGN ? { handler: SIG_DFL, maskLo: 0, maskHi: 0, flags: 0 } : { ...a }; });
    s.maskLo = this.maskLo;
    s.maskHi = this.maskHi;
    return s;
  }

  /** execve: caught signals go back to SIG_DFL; ignored ones stay ignored; mask and pending kept. */
  execed(): void {
    for (const a of this.actions) if (a.handler > SIG_IGN) Object.assign(a, { handler: SIG_DFL, maskLo: 0, maskHi: 0, flags: 0 });
    this.savedMasks.length = 0;
  }

  /** Whether sending `sig` now would be discarded at once (ignored, explicitly or by default). */
  discards(sig: number): boolean {
    if (sig === SIGKILL) return false;
    const h = this.actions[sig].handler;
    return h === SIG_IGN || (h === SIG_DFL && defaultAction(sig) !== 'terminate');
  }
}
