import type {EndpointHealth} from '../../backends/health.js'

/** ingress-nginx's balancer/ewma.lua: latency decays with a 10 s time constant. */
const DECAY_MS = 10_000

interface Stat {
  ewmaMs: number
  updated: number
  pending: number
}

/** Keyed by the endpoint's health record: shared by every table that lists the endpoint, forgotten with it. */
const stats = new WeakMap<EndpointHealth, Stat>()

function statOf(health: EndpointHealth): Stat {
  let stat = stats.get(health)
  if (!stat) {
    stat = {ewmaMs: 0, updated: 0, pending: 0}
    stats.set(health, stat)
  }
  return stat
}

/** Lower is better: decayed latency, weighted by requests still waiting on the endpoint. */
export function ewmaScore(health: EndpointHealth, now: number): number {
  const stat = stats.get(health)
  if (!stat) return 0
  const decayed = stat.ewmaMs * Math.exp(-(now - stat.updated) / DECAY_MS)
  return decayed * (stat.pending + 1)
}

export function ewmaStart(health: EndpointHealth): void {
  statOf(health).pending++
}

/** The response head arrived after `latencyMs` (or the exchange failed: pass the time it took). */
export function ewmaEnd(health: EndpointHealth, latencyMs: number, now: number): void {
  const stat = statOf(health)
  if (stat.pending > 0) stat.pending--
  const weight = stat.updated === 0 ? 0 : Math.exp(-(now - stat.updated) / DECAY_MS)
  stat.ewmaMs = stat.ewmaMs * weight + latencyMs * (1 - weight)
  stat.updated = now
}
