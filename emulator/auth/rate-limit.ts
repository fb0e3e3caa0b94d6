/**
 * Sliding-window throttle with DRF's arithmetic (SimpleRateThrottle): a request is allowed while
 * fewer than `limit` requests fall in the window; when refused, the wait is the time until the
 * oldest request leaves the window spread over the requests still available, rounded up.
 * Memory is bounded: each key keeps at most `perHour` timestamps from the last hour.
 */
export class RateLimiter {
  private readonly history = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly perHour: number,
  ) {}

  /** Records a request for `key` and returns null, or returns the seconds to wait without recording. */
  hit(key: string, now = Date.now()): number | null {
    const hourAgo = now - 3_600_000;
    const all = (this.history.get(key) ?? []).filter((t) => t > hourAgo);
    const windows: [number, number][] = [
      [this.perMinute, 60_000],
      [this.perHour, 3_600_000],
    ];
    let wait = 0;
    for (const [limit, duration] of windows) {
      const inWindow = all.filter((t) => t > now - duration);
      if (inWindow.length >= limit) {
        const oldest = inWindow[0];
        const remaining = (duration - (now - oldest)) / 1000;
        const available = limit - inWindow.length + 1;
        wait = Math.max(wait, Math.ceil(remaining / available));
      }
    }
    if (wait > 0) {
      this.history.set(key, all);
      return wait;
    }
    all.push(now);
    this.history.set(key, all);
    return null;
  }
}
