// Failed logins per client address and email: after MAX_FAILURES within the window, that pair must
// wait. Only failures count and a success clears them, so someone who logs in from several
// browsers is never locked out, while password guessing is slowed to a few tries a minute. An
// attempt counts as failed from the moment it starts (the password check takes a while), so a
// hundred guesses sent at once get no further than ten sent one after another.
// In memory, per process, like a rate limiter's default store: a restart forgets the counts.

const MAX_FAILURES = 10;
const WINDOW_MS = 5 * 60_000;
/** Beyond this many keys, expired ones are dropped before a new one is added. */
const MAX_KEYS = 10_000;

interface Failures {
  count: number;
  /** When the window that the first failure opened ends (ms since the epoch). */
  resetAt: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly maxFailures = MAX_FAILURES,
    private readonly windowMs = WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Starts an attempt: milliseconds until this key may try again, or 0 when it may now, in which
   * case the attempt is counted as a failure until succeeded() says otherwise.
   */
  begin(key: string): number {
    const entry = this.current(key);
    if (entry && entry.count >= this.maxFailures) return entry.resetAt - this.now();
    this.failed(key);
    return 0;
  }

  private failed(key: string): void {
    const entry = this.current(key);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.failures.size >= MAX_KEYS) this.dropExpired();
    this.failures.set(key, { count: 1, resetAt: this.now() + this.windowMs });
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  private current(key: string): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && entry.resetAt <= this.now()) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [key, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(key);
    // Still full (a flood of distinct keys): forget the oldest rather than grow without bound.
    if (this.failures.size >= MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }
}
