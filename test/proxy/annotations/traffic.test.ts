import {describe, expect, it} from 'vitest'

import {jsonOf, send, startUpstream} from '../helpers.js'
import {useProxy, type IngressSpec} from './support.js'

/** affinity, canary, source ranges, limit-rps, limit-connections, load-balance ewma, upstream-hash-by. */

const rule = (host: string, service: string, path = '/') => [{host, paths: [{path, pathType: 'Prefix', service}]}]
const nameOf = async (port: number, host: string, headers: Record<string, string> = {}) => jsonOf(await send(port, {path: '/', headers: {host, ...headers}})).name as string

describe('affinity: cookie', () => {
  const f = useProxy({
    endpoints: ['pool#a', 'pool#b'],
    ingresses: [
      {name: 'sticky', annotations: {affinity: 'cookie', 'session-cookie-name': 'route', 'session-cookie-max-age': '3600', 'session-cookie-path': '/app'}, rules: rule('sticky.test', 'pool')},
      {name: 'default-name', annotations: {affinity: 'cookie'}, rules: rule('plain-sticky.test', 'pool', '/shop')},
      {name: 'roundrobin', rules: rule('rr.test', 'pool')},
    ],
  })

  it('a new session gets the cookie (name, Max-Age, Path), and later requests stay on its endpoint', async () => {
    const first = await send(f.proxy.port, {path: '/', headers: {host: 'sticky.test'}})
    const cookie = String(first.headers['set-cookie']?.[0])
    expect(cookie).toMatch(/^route=[0-9a-f]{16}; Path=\/app; HttpOnly; Max-Age=3600; Expires=/)
    const endpoint = jsonOf(first).name
    for (let i = 0; i < 6; i++) {
      const next = await send(f.proxy.port, {path: '/', headers: {host: 'sticky.test', cookie: cookie.split(';')[0]!}})
      expect(jsonOf(next).name).toBe(endpoint)
      expect(next.headers['set-cookie']).toBeUndefined()
    }
  })

  it('defaults: INGRESSCOOKIE, the rule path, a session cookie', async () => {
    const first = await send(f.proxy.port, {path: '/shop', headers: {host: 'plain-sticky.test'}})
    expect(String(first.headers['set-cookie']?.[0])).toMatch(/^INGRESSCOOKIE=[0-9a-f]{16}; Path=\/shop; HttpOnly$/)
  })

  it('without affinity the endpoints alternate', async () => {
    const names = new Set<string>()
    for (let i = 0; i < 4; i++) names.add(await nameOf(f.proxy.port, 'rr.test'))
    expect(names).toEqual(new Set(['pool#a', 'pool#b']))
  })
})

describe('canary Ingresses', () => {
  // Each host has its own stable and canary Service: ingress-nginx attaches a canary to the main
  // *upstream* (controller.go mergeAlternativeBackend) and keeps the traffic policy on the canary's
  // upstream, so hosts sharing Services would share canaries (see the next block).
  const canary = (name: string, host: string, annotations: Record<string, string>): IngressSpec => ({name, annotations: {canary: 'true', ...annotations}, rules: rule(host, `canary-${host.split('.')[0]}`)})
  const hosts = ['w0.test', 'w100.test', 'hdr.test', 'hdrval.test', 'cookie.test']
  const short = hosts.map((host) => host.split('.')[0]!)
  const f = useProxy({
    services: [...short.map((h) => `stable-${h}`), ...short.map((h) => `canary-${h}`)],
    ingresses: [
      ...hosts.map((host) => ({name: `main-${host.split('.')[0]}`, rules: rule(host, `stable-${host.split('.')[0]}`)})),
      canary('c-w0', 'w0.test', {'canary-weight': '0'}),
      canary('c-w100', 'w100.test', {'canary-weight': '100'}),
      canary('c-hdr', 'hdr.test', {'canary-by-header': 'X-Canary'}),
      canary('c-hdrval', 'hdrval.test', {'canary-by-header': 'X-Region', 'canary-by-header-value': 'eu'}),
      canary('c-cookie', 'cookie.test', {'canary-by-cookie': 'beta', 'canary-weight': '100'}),
    ],
  })

  it.each([
    ['w0.test', {}, 'stable'],
    ['w100.test', {}, 'canary'],
    ['hdr.test', {}, 'stable'],
    ['hdr.test', {'x-canary': 'always'}, 'canary'],
    ['hdr.test', {'x-canary': 'never'}, 'stable'],
    ['hdr.test', {'x-canary': 'other'}, 'stable'],
    ['hdrval.test', {'x-region': 'eu'}, 'canary'],
    ['hdrval.test', {'x-region': 'us'}, 'stable'],
    ['cookie.test', {cookie: 'beta=never'}, 'stable'],
    ['cookie.test', {cookie: 'beta=always'}, 'canary'],
    ['cookie.test', {}, 'canary'],
  ])('%s with %j is served by %s', async (host, headers, expected) => {
    for (let i = 0; i < 3; i++) expect(await nameOf(f.proxy.port, host, headers as Record<string, string>)).toBe(`${expected}-${host.split('.')[0]}`)
  })
})

describe('a canary belongs to the main Service, not to one host (controller.go mergeAlternativeBackends)', () => {
  const f = useProxy({
    services: ['shared', 'canary'],
    ingresses: [
      {name: 'main-a', rules: rule('a.test', 'shared')},
      {name: 'main-b', rules: rule('b.test', 'shared')},
      {name: 'c-a', annotations: {canary: 'true', 'canary-weight': '100'}, rules: rule('a.test', 'canary')},
    ],
  })

  it('b.test, which has no canary Ingress, sends its traffic to the canary of the Service it shares with a.test', async () => {
    expect(await nameOf(f.proxy.port, 'a.test')).toBe('canary')
    expect(await nameOf(f.proxy.port, 'b.test')).toBe('canary')
  })
})

describe('whitelist-source-range, denylist-source-range', () => {
  const f = useProxy({
    services: ['web'],
    ingresses: [
      {name: 'office', annotations: {'whitelist-source-range': '10.0.0.0/8, 192.168.0.0/16'}, rules: rule('office.test', 'web')},
      {name: 'local', annotations: {'whitelist-source-range': '127.0.0.1/32'}, rules: rule('local.test', 'web')},
      {name: 'deny', annotations: {'denylist-source-range': '127.0.0.0/8'}, rules: rule('deny.test', 'web')},
    ],
  })

  it.each([
    ['office.test', 403],
    ['local.test', 200],
    ['deny.test', 403],
  ])('%s from 127.0.0.1 → %i', async (host, status) => {
    expect((await send(f.proxy.port, {path: '/', headers: {host}})).status).toBe(status)
  })
})

describe('limit-rps, limit-connections, limit-req-status-code', () => {
  const f = useProxy({
    services: ['web'],
    upstreams: {
      slow: () =>
        startUpstream((_req, res) => {
          const t = setTimeout(() => res.end('slow'), 400)
          res.on('close', () => clearTimeout(t))
        }),
    },
    ingresses: [
      {name: 'rps', annotations: {'limit-rps': '1'}, rules: rule('rps.test', 'web')},
      {name: 'rps429', annotations: {'limit-rps': '1', 'limit-req-status-code': '429'}, rules: rule('rps429.test', 'web')},
      {name: 'conn', annotations: {'limit-connections': '1'}, rules: rule('conn.test', 'slow')},
    ],
  })

  it.each([
    ['rps.test', 503],
    ['rps429.test', 429],
  ])('%s: the burst (5 × limit-rps) passes, then %i', async (host, status) => {
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await send(f.proxy.port, {path: '/', headers: {host}})).status)
    expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200])
    expect(statuses.slice(6)).toEqual([status, status])
  })

  it('limit-connections: a second concurrent request is refused with 503; the slot frees when the first ends', async () => {
    const first = send(f.proxy.port, {path: '/', headers: {host: 'conn.test'}})
    await new Promise((r) => setTimeout(r, 100))
    expect((await send(f.proxy.port, {path: '/', headers: {host: 'conn.test'}})).status).toBe(503)
    expect((await first).status).toBe(200)
    expect((await send(f.proxy.port, {path: '/', headers: {host: 'conn.test'}})).status).toBe(200)
  })
})

describe('load-balance: ewma, upstream-hash-by', () => {
  const f = useProxy({
    endpoints: ['hash#a', 'hash#b', 'hash#c'],
    upstreams: {
      'lat#fast': () => startUpstream((_req, res) => res.end(JSON.stringify({name: 'fast'}))),
      'lat#slow': () =>
        startUpstream((_req, res) => {
          setTimeout(() => res.end(JSON.stringify({name: 'slow'})), 150)
        }),
    },
    ingresses: [
      {name: 'ewma', annotations: {'load-balance': 'ewma'}, rules: rule('ewma.test', 'lat')},
      {name: 'hash', annotations: {'upstream-hash-by': '$http_x_user'}, rules: rule('hash.test', 'hash')},
    ],
  })

  it('ewma sends most requests to the endpoint that answers faster', async () => {
    const names: string[] = []
    for (let i = 0; i < 12; i++) names.push(await nameOf(f.proxy.port, 'ewma.test'))
    expect(names.slice(4).filter((n) => n === 'fast').length).toBeGreaterThanOrEqual(7)
  })

  it('upstream-hash-by: the same key always reaches the same endpoint', async () => {
    const chosen = new Set<string>()
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
      const first = await nameOf(f.proxy.port, 'hash.test', {'x-user': user})
      for (let i = 0; i < 3; i++) expect(await nameOf(f.proxy.port, 'hash.test', {'x-user': user})).toBe(first)
      chosen.add(first)
    }
    expect(chosen.size).toBeGreaterThan(1)
  })
})
