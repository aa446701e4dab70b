import type {EndpointHealth} from './health.js'

export interface Balanced {
  readonly health: EndpointHealth
}

/**
 * Round robin across the ready endpoints of one backend, skipping ejected ones while a healthy one
 * is left. When every endpoint is ejected it still tries the one whose back-off ends first, so a
 * restarted dev server is used again on the next request rather than after the back-off.
 */
export class RoundRobin<T extends Balanced> {
  private next = 0

  constructor(readonly members: readonly T[]) {}

  /** `tried` holds the endpoints this request already failed on (null on the first attempt). */
  pick(tried: readonly T[] | null, now: () => number = Date.now): T | null {
    const members = this.members
    const n = members.length
    if (n === 0) return null
    if (n === 1) {
      const only = members[0]!
      return tried !== null && tried.includes(only) ? null : only
    }
    const start = this.next
    this.next = start + 1 === n ? 0 : start + 1
    let time = 0
    let fallback: T | null = null
    for (let i = 0; i < n; i++) {
      const index = start + i < n ? start + i : start + i - n
      const member = members[index]!
      if (tried !== null && tried.includes(member)) continue
      const health = member.health
      if (health.failures === 0) return member
      if (time === 0) time = now()
      if (health.tryAcquire(time)) return member
      if (fallback === null || health.ejectedUntil < fallback.health.ejectedUntil) fallback = member
    }
    return fallback
  }
}
