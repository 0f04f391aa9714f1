/**
 * A token bucket per client key, in memory. Good enough for one server
 * process; it forgets on restart and is not shared between processes
 * (a later hardening step moves limits into the database).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Most requests in a burst. */
    private readonly capacity: number,
    /** Tokens added back per second. */
    private readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
    /** Keys kept at most; the oldest are dropped first so memory stays bounded. */
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token for the key; returns the seconds to wait when none is left, or 0. */
  take(key: string): number {
    const now = this.now();
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.refillPerSecond);
      b.at = now;
      this.buckets.delete(key);
    } else {
      b = { tokens: this.capacity, at: now };
    }
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.refillPerSecond);
  }
}
