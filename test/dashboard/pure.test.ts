import {describe, expect, it} from 'vitest'
import {shouldUseDashboard} from '../../src/dashboard/index.js'
import {compileFilter} from '../../src/dashboard/filter.js'
import {cell, fit, formatBytes, formatMs, sideLabel, statusColor} from '../../src/dashboard/format.js'
import {logColumns, routeColumns, sectionLayout} from '../../src/dashboard/layout.js'
import {endpointState} from '../../src/dashboard/route-rows.js'
import {detailLines, headerPairs} from '../../src/dashboard/details.js'
import {request} from './helpers.js'

describe('shouldUseDashboard', () => {
  const tty = {isTTY: true, noDashboardFlag: false, env: {}}
  it('is on for an interactive terminal', () => expect(shouldUseDashboard(tty)).toBe(true))
  it('is off without a TTY, with --no-dashboard, in CI, on a dumb terminal', () => {
    expect(shouldUseDashboard({...tty, isTTY: false})).toBe(false)
    expect(shouldUseDashboard({...tty, isTTY: undefined})).toBe(false)
    expect(shouldUseDashboard({...tty, noDashboardFlag: true})).toBe(false)
    expect(shouldUseDashboard({...tty, env: {CI: 'true'}})).toBe(false)
    expect(shouldUseDashboard({...tty, env: {CI: '1'}})).toBe(false)
    expect(shouldUseDashboard({...tty, env: {CONTINUOUS_INTEGRATION: 'yes'}})).toBe(false)
    expect(shouldUseDashboard({...tty, env: {TERM: 'dumb'}})).toBe(false)
  })
  it('treats CI=false and CI=0 as not CI, like ink does', () => {
    expect(shouldUseDashboard({...tty, env: {CI: 'false'}})).toBe(true)
    expect(shouldUseDashboard({...tty, env: {CI: '0'}})).toBe(true)
  })
})

describe('format', () => {
  it('cuts and pads to the exact width, never letting control characters through', () => {
    expect(fit('abcdef', 4)).toBe('abc…')
    expect(fit('abc', 4)).toBe('abc')
    expect(cell('a\nb', 4)).toBe('a b ')
    expect(fit('x', 0)).toBe('')
  })
  it('formats durations and sizes compactly', () => {
    expect(formatMs(0.25)).toBe('0.25ms')
    expect(formatMs(5)).toBe('5.0ms')
    expect(formatMs(250)).toBe('250ms')
    expect(formatMs(2500)).toBe('2.50s')
    expect(formatMs(null)).toBe('-')
    expect(formatBytes(512)).toBe('512B')
    expect(formatBytes(2048)).toBe('2.0K')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0M')
  })
  it('colours statuses by class', () => {
    expect([101, 204, 302, 404, 503].map(statusColor)).toEqual(['magenta', 'green', 'cyan', 'yellow', 'red'])
  })
})

describe('filter', () => {
  const e = (path: string, status: number, requestId = 'x') => ({seq: 1, event: request({path, status, requestId})})
  it('matches status codes, classes, host/path substrings and request ids; all words must match', () => {
    expect(compileFilter('')).toBeNull()
    expect(compileFilter('404')!(e('/a', 404))).toBe(true)
    expect(compileFilter('404')!(e('/a', 500))).toBe(false)
    expect(compileFilter('404')!(e('/404.html', 200))).toBe(true)
    expect(compileFilter('5xx')!(e('/a', 502))).toBe(true)
    expect(compileFilter('4')!(e('/a', 418))).toBe(true)
    expect(compileFilter('BLUE.example')!(e('/a', 200))).toBe(true)
    expect(compileFilter('/api 5xx')!(e('/api/x', 503))).toBe(true)
    expect(compileFilter('/api 5xx')!(e('/api/x', 200))).toBe(false)
    expect(compileFilter('abc123')!(e('/', 200, 'ABC123-def'))).toBe(true)
  })
})

describe('layout', () => {
  it('log columns add up to the width at 80 and 160 columns', () => {
    for (const width of [80, 100, 160]) {
      const c = logColumns(width)
      const total = 1 + c.time + 1 + c.method + 1 + c.target + 1 + c.status + 1 + c.duration + 1 + c.bytes + (c.endpoint ? c.endpoint + 1 : 0) + (c.id ? c.id + 1 : 0) + (c.side ? c.side + 1 : 0)
      expect(total).toBe(width)
    }
    expect(logColumns(80).id).toBe(0)
    expect(logColumns(160).id).toBeGreaterThan(0)
    expect(logColumns(60).endpoint).toBe(0)
  })
  it('gives routes at most about half the body; the log keeps the rest', () => {
    const few = sectionLayout(80, 24, 2, 0)
    expect(few.linesPerRoute).toBe(2)
    expect(few.routeLines).toBe(4)
    expect(few.routeLines + few.logLines + 3 + 4).toBe(23)
    const many = sectionLayout(80, 24, 50, 1)
    expect(many.linesPerRoute).toBe(1)
    expect(many.routesShown).toBeLessThan(50)
    expect(many.logLines).toBeGreaterThanOrEqual(8)
  })
  it('route columns never exceed the width', () => {
    const c = routeColumns(80, 70, 40)
    expect(c.label + 3 + c.service + 1 + c.stats).toBeLessThanOrEqual(80)
  })
})

describe('route rows helpers', () => {
  it('derives endpoint states', () => {
    expect(endpointState(true, null, false)).toBe('ready')
    expect(endpointState(true, null, true)).toBe('ejected')
    expect(endpointState(false, 'healthcheck is "starting"', false)).toBe('starting')
    expect(endpointState(false, 'healthcheck is "unhealthy"', false)).toBe('unhealthy')
    expect(endpointState(false, null, false)).toBe('unhealthy')
  })
})

describe('details', () => {
  it('accepts raw header pairs or a headers record', () => {
    expect(headerPairs([['A', '1']])).toEqual([['A', '1']])
    expect(headerPairs({a: '1', b: ['2', '3'], c: undefined, d: 4})).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['b', '3'],
      ['d', '4'],
    ])
  })
  it('names the side that answered: ingress, or the Gateway', () => {
    expect(detailLines({seq: 1, event: request()}, undefined).map((l) => l.text)).toContain('side      ingress')
    expect(detailLines({seq: 1, event: {...request(), side: 'gateway default/shop'}}, undefined).map((l) => l.text)).toContain('side      gateway default/shop')
    expect(sideLabel('gateway default/shop', 18)).toBe('gw default/shop')
    expect(sideLabel('gateway default/shop', 8)).toBe('gw shop')
    expect(sideLabel(undefined, 8)).toBe('ingress')
    expect(sideLabel('gateway default/shop', 2)).toBe('gw')
    expect(sideLabel('ingress', 2)).toBe('')
    expect(logColumns(160).side).toBe(18)
    expect(logColumns(80).side).toBe(2)
    const gw = compileFilter('gateway')!
    expect(gw({seq: 1, event: {...request(), side: 'gateway default/shop'}})).toBe(true)
    expect(gw({seq: 2, event: request()})).toBe(false)
  })
  it('says "not captured" for each absent field', () => {
    const text = detailLines({seq: 1, event: request()}, undefined).map((l) => l.text)
    expect(text.filter((t) => t.includes('not captured'))).toHaveLength(4)
  })
})
