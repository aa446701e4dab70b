import {describe, expect, it} from 'vitest'

import {RoundRobin} from '../../src/backends/balancer.js'
import {EndpointHealth, HealthRegistry} from '../../src/backends/health.js'

const policy = {initialMs: 1000, maxMs: 30_000}
const member = (id: string) => ({id, health: new EndpointHealth(id, policy)})

describe('RoundRobin', () => {
  it('cycles through the members in order', () => {
    const members = [member('a'), member('b'), member('c')]
    const rr = new RoundRobin(members)
    expect(Array.from({length: 6}, () => rr.pick(null)!.id)).toEqual(['a', 'b', 'c', 'a', 'b', 'c'])
  })

  it('answers null without members, and the only member otherwise', () => {
    expect(new RoundRobin([]).pick(null)).toBeNull()
    const only = member('only')
    const rr = new RoundRobin([only])
    expect(rr.pick(null)).toBe(only)
    expect(rr.pick([only])).toBeNull()
  })

  it('skips endpoints already tried by this request', () => {
    const [a, b, c] = [member('a'), member('b'), member('c')]
    const rr = new RoundRobin([a, b, c])
    expect(rr.pick([a])!.id).toBe('b')
    expect(rr.pick([a, b, c])).toBeNull()
  })

  it('skips an ejected endpoint while a healthy one is left', () => {
    const [a, b] = [member('a'), member('b')]
    a.health.recordFailure(1000, 'ECONNREFUSED')
    const rr = new RoundRobin([a, b])
    const now = () => 1500
    expect([rr.pick(null, now)!.id, rr.pick(null, now)!.id, rr.pick(null, now)!.id]).toEqual(['b', 'b', 'b'])
  })

  it('lets one probe through once the back-off has passed, then waits another back-off', () => {
    const [a, b] = [member('a'), member('b')]
    a.health.recordFailure(0, 'ECONNREFUSED')
    const rr = new RoundRobin([a, b])
    const picks = [rr.pick(null, () => 1000)!.id, rr.pick(null, () => 1000)!.id, rr.pick(null, () => 1500)!.id]
    expect(picks).toEqual(['a', 'b', 'b'])
  })

  it('when every endpoint is ejected, tries the one whose back-off ends first', () => {
    const [a, b] = [member('a'), member('b')]
    a.health.recordFailure(500, 'x')
    b.health.recordFailure(0, 'x')
    const rr = new RoundRobin([a, b])
    expect(rr.pick(null, () => 600)!.id).toBe('b')
  })
})

describe('EndpointHealth', () => {
  it('doubles the back-off from 1 s to 30 s and resets on success', () => {
    const h = new EndpointHealth('x', policy)
    expect(h.recordFailure(0, 'refused')).toBe(true)
    expect(h.backoffMs).toBe(1000)
    expect(h.recordFailure(1000, 'refused')).toBe(false)
    expect(h.backoffMs).toBe(2000)
    for (let i = 0; i < 10; i++) h.recordFailure(0, 'refused')
    expect(h.backoffMs).toBe(30_000)
    expect(h.tryAcquire(1)).toBe(false)
    expect(h.recordSuccess()).toBe(true)
    expect(h.failures).toBe(0)
    expect(h.tryAcquire(1)).toBe(true)
    expect(h.recordSuccess()).toBe(false)
  })

  it('is shared by id in a registry, which forgets ids no table lists', () => {
    const registry = new HealthRegistry(policy)
    expect(registry.get('a')).toBe(registry.get('a'))
    const a = registry.get('a')
    registry.retain(new Set(['b']))
    expect(registry.get('a')).not.toBe(a)
  })
})
