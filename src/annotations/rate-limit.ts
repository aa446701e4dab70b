/**
 * limit-rps and limit-connections, per client address and Ingress, as ingress-nginx configures
 * nginx: `limit_req ... burst=<5×rps> nodelay` (a token bucket refilled at rps) and `limit_conn`.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, {tokens: number; updated: number}>()
  private readonly connections = new Map<string, number>()
  private lastSweep = 0

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** True when a request may pass the rps limit; consumes one token. */
  takeRequest(key: string, rps: number): boolean {
    const now = this.now()
    const capacity = rps * 5 + 1
    let bucket = this.buckets.get(key)
    if (!bucket) {
      bucket = {tokens: capacity, updated: now}
      this.buckets.set(key, bucket)
    } else {
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updated) / 1000) * rps)
      bucket.updated = now
    }
    this.sweep(now)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Reserves a connection slot; the caller must call `releaseConnection(key)` when the exchange ends. */
  takeConnection(key: string, limit: number): boolean {
    const open = this.connections.get(key) ?? 0
    if (open >= limit) return false
    this.connections.set(key, open + 1)
    return true
  }

  releaseConnection(key: string): void {
    const open = (this.connections.get(key) ?? 1) - 1
    if (open <= 0) this.connections.delete(key)
    else this.connections.set(key, open)
  }

  /** Forget idle clients now and then so memory stays bounded. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return
    this.lastSweep = now
    for (const [key, bucket] of this.buckets) if (now - bucket.updated > 60_000) this.buckets.delete(key)
  }
}
