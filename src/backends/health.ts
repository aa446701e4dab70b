/**
 * Passive health of one endpoint, shared by every table that lists it (keyed by Endpoint.id, so a
 * reload keeps what was learnt). An endpoint that refuses connections is ejected for a back-off
 * that doubles from `initialMs` to `maxMs`; once it has elapsed one request is let through (the
 * probe) and the back-off is re-armed; a success brings the endpoint back at once.
 */
export interface BackoffPolicy {
  readonly initialMs: number
  readonly maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = {initialMs: 1000, maxMs: 30_000}

export class EndpointHealth {
  /** Consecutive connection failures; 0 means healthy (the fast path checks only this). */
  failures = 0
  ejectedUntil = 0
  backoffMs = 0
  lastError: string | null = null

  constructor(
    readonly id: string,
    private readonly policy: BackoffPolicy,
  ) {}

  /** May this endpoint get a request now? A true answer for an ejected endpoint claims the probe slot. */
  tryAcquire(now: number): boolean {
    if (this.failures === 0) return true
    if (now < this.ejectedUntil) return false
    this.ejectedUntil = now + this.backoffMs
    return true
  }

  /** Returns true when this failure ejected a healthy endpoint. */
  recordFailure(now: number, reason: string): boolean {
    const wasHealthy = this.failures === 0
    this.failures++
    this.backoffMs = wasHealthy ? this.policy.initialMs : Math.min(this.backoffMs * 2, this.policy.maxMs)
    this.ejectedUntil = now + this.backoffMs
    this.lastError = reason
    return wasHealthy
  }

  /** Returns true when the endpoint was ejected and is now back. */
  recordSuccess(): boolean {
    if (this.failures === 0) return false
    this.failures = 0
    this.backoffMs = 0
    this.ejectedUntil = 0
    this.lastError = null
    return true
  }
}

export class HealthRegistry {
  private readonly byId = new Map<string, EndpointHealth>()

  constructor(readonly policy: BackoffPolicy = DEFAULT_BACKOFF) {}

  get(id: string): EndpointHealth {
    let health = this.byId.get(id)
    if (!health) {
      health = new EndpointHealth(id, this.policy)
      this.byId.set(id, health)
    }
    return health
  }

  /** Forget endpoints no table lists any more. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.byId.keys()) if (!ids.has(id)) this.byId.delete(id)
  }
}
