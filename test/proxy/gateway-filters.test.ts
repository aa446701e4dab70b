import {describe, expect, it} from 'vitest'

import {ask, INFRA, onLaptop, recordingUpstream, serve, type Recorded} from './gateway-support.js'
import {send} from './helpers.js'

/**
 * The HTTPRoute filters kingress runs through the real proxy: RequestMirror, CORS and the filters of
 * backendRefs. Each describe is an upstream conformance test (kubernetes-sigs/gateway-api
 * conformance/tests/<file>.go) with its manifests copied to fixtures/gateway-conformance.
 */

/** Polls (bounded: 40 × 25 ms) until `ready` holds; mirrors are fire and forget, so they may land after the answer. */
async function eventually(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 40 && !ready(); i++) await new Promise((r) => setTimeout(r, 25))
}

const byUrl = (records: Map<string, Recorded[]>, name: string, url: string): Recorded[] => (records.get(name) ?? []).filter((r) => r.url === url)

// httproute-request-mirror.go: /mirror and /mirror-and-modify-headers reach infra-backend-v1, mirrored to infra-backend-v2.
describe('HTTPRouteRequestMirror', () => {
  const records = new Map<string, Recorded[]>()
  const served = serve(['httproute-request-mirror.yaml'], {upstream: recordingUpstream(records)})
  it('/mirror reaches infra-backend-v1 and a copy reaches infra-backend-v2', async () => {
    const {reply, echo} = await ask(served, '/mirror?id=1')
    expect(reply.status).toBe(200)
    expect(echo?.name).toBe('infra-backend-v1')
    await eventually(() => byUrl(records, 'infra-backend-v2', '/mirror?id=1').length > 0)
    const copies = byUrl(records, 'infra-backend-v2', '/mirror?id=1')
    expect(copies).toHaveLength(1)
    expect(copies[0]!.method).toBe('GET')
    expect(copies[0]!.headers.host).toBe('example.com')
  })
  it('/mirror-and-modify-headers: the header filter before the mirror applies to both', async () => {
    const {echo} = await ask(served, '/mirror-and-modify-headers?id=2', {'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1'})
    expect(echo?.name).toBe('infra-backend-v1')
    expect(echo?.headers).toMatchObject({'x-header-add': 'header-val-1', 'x-header-add-append': 'append-val-1,header-val-2', 'x-header-set': 'set-overwrites-values'})
    expect(echo?.headers['x-header-remove']).toBeUndefined()
    await eventually(() => byUrl(records, 'infra-backend-v2', '/mirror-and-modify-headers?id=2').length > 0)
    const copy = byUrl(records, 'infra-backend-v2', '/mirror-and-modify-headers?id=2')[0]
    expect(copy?.headers).toMatchObject({'x-header-add': 'header-val-1', 'x-header-add-append': 'append-val-1,header-val-2', 'x-header-set': 'set-overwrites-values'})
    expect(copy?.headers['x-header-remove']).toBeUndefined()
  })
  it('a small request body is mirrored whole (kingress: bodies up to 64 KiB)', async () => {
    const reply = await send(served.proxy.port, {method: 'POST', path: '/mirror?id=3', headers: {host: 'example.com', 'content-type': 'text/plain'}, body: 'hello mirror', timeoutMs: 5000})
    expect(reply.status).toBe(200)
    await eventually(() => byUrl(records, 'infra-backend-v2', '/mirror?id=3').length > 0)
    expect(byUrl(records, 'infra-backend-v1', '/mirror?id=3')[0]?.body).toBe('hello mirror')
    expect(byUrl(records, 'infra-backend-v2', '/mirror?id=3')[0]?.body).toBe('hello mirror')
  })
  it('a chunked request body is mirrored with its length', async () => {
    const reply = await send(served.proxy.port, {method: 'POST', path: '/mirror?id=5', headers: {host: 'example.com', 'transfer-encoding': 'chunked'}, body: 'chunked mirror', timeoutMs: 5000})
    expect(reply.status).toBe(200)
    await eventually(() => byUrl(records, 'infra-backend-v2', '/mirror?id=5').length > 0)
    const copy = byUrl(records, 'infra-backend-v2', '/mirror?id=5')[0]
    expect(copy?.body).toBe('chunked mirror')
    expect(copy?.headers['content-length']).toBe('14')
    expect(byUrl(records, 'infra-backend-v1', '/mirror?id=5')[0]?.headers['transfer-encoding']).toBe('chunked')
  })
  it('a body over 64 KiB reaches the backend and is not mirrored (never a truncated copy)', async () => {
    const body = 'x'.repeat(70 * 1024)
    const reply = await send(served.proxy.port, {method: 'POST', path: '/mirror?id=4', headers: {host: 'example.com'}, body, timeoutMs: 5000})
    expect(reply.status).toBe(200)
    expect(byUrl(records, 'infra-backend-v1', '/mirror?id=4')[0]?.body.length).toBe(body.length)
    await new Promise((r) => setTimeout(r, 200))
    expect(byUrl(records, 'infra-backend-v2', '/mirror?id=4')).toHaveLength(0)
  })
})

// httproute-request-multiple-mirrors.go: copies to infra-backend-v2 and infra-backend-v3.
describe('HTTPRouteRequestMultipleMirrors', () => {
  const records = new Map<string, Recorded[]>()
  const served = serve(['httproute-request-multiple-mirrors.yaml'], {services: ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3'], upstream: recordingUpstream(records)})
  it.each(['/multi-mirror', '/multi-mirror-and-modify-request-headers'])('%s reaches infra-backend-v1, copies reach v2 and v3', async (path) => {
    const url = `${path}?id=${path.length}`
    const {echo} = await ask(served, url, {'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1'})
    expect(echo?.name).toBe('infra-backend-v1')
    await eventually(() => byUrl(records, 'infra-backend-v2', url).length > 0 && byUrl(records, 'infra-backend-v3', url).length > 0)
    expect(byUrl(records, 'infra-backend-v2', url)).toHaveLength(1)
    expect(byUrl(records, 'infra-backend-v3', url)).toHaveLength(1)
    if (path.endsWith('headers')) expect(echo?.headers['x-header-set']).toBe('set-overwrites-values')
  })
})

// httproute-request-percentage-mirror.go: percent 20, fraction 25/50, percent 35; 500 requests, within 3 binomial standard deviations.
describe('HTTPRouteRequestPercentageMirror', () => {
  const records = new Map<string, Recorded[]>()
  const served = serve(['httproute-request-percentage-mirror.yaml'], {upstream: recordingUpstream(records)})
  it.each([
    ['/percent-mirror', 0.2],
    ['/percent-mirror-fraction', 0.5],
    ['/percent-mirror-and-modify-headers', 0.35],
  ])('%s: about %d of 500 requests are mirrored to infra-backend-v2 (upstream: up to 5 checks)', async (path, share) => {
    const total = 500
    const sd = Math.sqrt(total * share * (1 - share))
    const counts: number[] = []
    for (let check = 0; check < 3; check++) {
      const url = `${path}?run=${share}-${check}`
      for (let i = 0; i < total / 10; i++) {
        const replies = await Promise.all(Array.from({length: 10}, () => send(served.proxy.port, {path: url, headers: {host: 'example.com'}, timeoutMs: 5000})))
        for (const r of replies) expect(r.headers['x-upstream']).toBe('infra-backend-v1')
      }
      await new Promise((r) => setTimeout(r, 300))
      counts.push(byUrl(records, 'infra-backend-v2', url).length)
      if (Math.abs(counts.at(-1)! - total * share) <= 3 * sd) return
    }
    throw new Error(`mirrored ${counts.join(', ')} of ${total} in 3 checks; expected ${total * share} ± ${Math.round(3 * sd)}`)
  })
})

describe('RequestMirror: the mirror never affects the client', () => {
  const records = new Map<string, Recorded[]>()
  // infra-backend-v2 has no endpoint here (only v1 is served): the mirror has nowhere to go.
  const served = serve(['httproute-request-mirror.yaml'], {services: ['infra-backend-v1'], upstream: recordingUpstream(records)})
  it('a mirror backend without endpoints: the client still gets infra-backend-v1, and the log says why nothing was mirrored', async () => {
    const {reply, echo} = await ask(served, '/mirror?id=gone')
    expect(reply.status).toBe(200)
    expect(echo?.name).toBe('infra-backend-v1')
    await eventually(() => served.proxy.log.some((l) => l.includes('RequestMirror to')))
    expect(served.proxy.log.some((l) => l.includes(`RequestMirror to ${INFRA}/infra-backend-v2`) && l.includes('no ready endpoint'))).toBe(true)
  })
})

// httproute-cors.go (HTTPRouteCORS): each row is one of the upstream test cases, in order.
describe('HTTPRouteCORS', () => {
  const served = serve(['httproute-cors.yaml'], {services: ['infra-backend-v1']})
  type Row = [string, string, string, Record<string, string>, number[], Record<string, string[]>, string[]]
  const preflight = (origin: string, method: string, headers?: string): Record<string, string> => ({Origin: origin, 'access-control-request-method': method, ...(headers === undefined ? {} : {'access-control-request-headers': headers})})
  const both = (a: string, b: string) => [a, b]
  it.each<Row>([
    ['preflight, exact origin', 'OPTIONS', '/cors-1', preflight('https://www.foo.com', 'GET', 'x-header-1, x-header-2'), [200, 204], {'access-control-allow-origin': ['https://www.foo.com'], 'access-control-allow-methods': both('GET,OPTIONS', 'OPTIONS,GET'), 'access-control-allow-headers': both('x-header-1,x-header-2', 'x-header-2,x-header-1'), 'access-control-expose-headers': both('x-header-3,x-header-4', 'x-header-4,x-header-3'), 'access-control-max-age': ['3600'], 'access-control-allow-credentials': ['true']}, []],
    ['preflight, wildcard origin', 'OPTIONS', '/cors-1', preflight('https://www.bar.com', 'GET', 'x-header-1, x-header-2'), [200, 204], {'access-control-allow-origin': ['https://www.bar.com'], 'access-control-max-age': ['3600'], 'access-control-allow-credentials': ['true']}, []],
    ['preflight, wildcard origin over several labels', 'OPTIONS', '/cors-1', preflight('https://xpto.www.bar.com', 'GET', 'x-header-1, x-header-2'), [200, 204], {'access-control-allow-origin': ['https://xpto.www.bar.com'], 'access-control-allow-methods': both('GET,OPTIONS', 'OPTIONS,GET')}, []],
    ['preflight, origin not allowed', 'OPTIONS', '/cors-1', preflight('https://foobar.com', 'GET'), [200, 204, 403], {}, ['access-control-allow-origin']],
    ['simple request, exact origin', 'GET', '/cors-1', preflight('https://www.foo.com', 'GET', 'x-header-1, x-header-2'), [200], {'access-control-allow-origin': ['https://www.foo.com']}, []],
    ['simple request, wildcard origin', 'GET', '/cors-1', preflight('https://www.bar.com', 'GET', 'x-header-1, x-header-2'), [200], {'access-control-allow-origin': ['https://www.bar.com']}, []],
    ['simple request, origin not allowed', 'GET', '/cors-1', preflight('https://foobar.com', 'GET'), [200], {}, ['access-control-allow-origin']],
    ['preflight POST, allowMethods *', 'OPTIONS', '/cors-2', preflight('https://www.foo.com', 'POST'), [200, 204], {'access-control-allow-methods': ['POST', '*'], 'access-control-allow-origin': ['https://www.foo.com']}, ['access-control-allow-credentials']],
    ['preflight, no allowCredentials', 'OPTIONS', '/cors-2', preflight('https://www.foo.com', 'POST'), [200, 204], {}, ['access-control-allow-credentials']],
    ['preflight, origin *', 'OPTIONS', '/cors-wildcard-origin', preflight('https://foobar.com', 'PUT'), [200, 204], {'access-control-allow-origin': ['https://foobar.com', '*'], 'access-control-allow-methods': ['PUT']}, ['access-control-allow-credentials']],
    ['preflight, origin * with a port', 'OPTIONS', '/cors-wildcard-origin', preflight('https://foobar.com:12345', 'PUT'), [200, 204], {'access-control-allow-origin': ['https://foobar.com:12345', '*'], 'access-control-allow-methods': ['PUT']}, ['access-control-allow-credentials']],
    ['request, origin * with a port', 'PUT', '/cors-wildcard-origin', {Origin: 'https://foobar.com:12345'}, [200], {'access-control-allow-origin': ['https://foobar.com:12345', '*']}, []],
    ['simple request, origin *', 'PUT', '/cors-wildcard-origin', {Origin: 'https://foobar.com'}, [200], {'access-control-allow-origin': ['https://foobar.com', '*']}, ['access-control-allow-credentials']],
    ['preflight, wildcards with credentials: echoes', 'OPTIONS', '/cors-wildcard-methods-headers', preflight('https://other.foo.com', 'PUT', 'x-header-1, x-header-2'), [200, 204], {'access-control-allow-origin': ['https://other.foo.com'], 'access-control-allow-methods': ['PUT'], 'access-control-allow-headers': both('x-header-1,x-header-2', 'x-header-2,x-header-1'), 'access-control-allow-credentials': ['true']}, []],
    ['preflight, wildcards without credentials', 'OPTIONS', '/cors-wildcard-methods-headers-unauth', preflight('https://other.foo.com', 'PUT', 'x-header-1, x-header-2'), [200, 204], {'access-control-allow-origin': ['https://other.foo.com', '*'], 'access-control-allow-methods': ['PUT', '*'], 'access-control-allow-headers': ['x-header-1,x-header-2', 'x-header-2,x-header-1', '*']}, ['access-control-allow-credentials']],
    ['request with credentials', 'GET', '/cors-wildcard-methods-headers', {Origin: 'https://other.foo.com'}, [200], {'access-control-allow-origin': ['https://other.foo.com'], 'access-control-allow-credentials': ['true']}, []],
    ['request without credentials', 'GET', '/cors-wildcard-methods-headers-unauth', {Origin: 'https://other.foo.com'}, [200], {'access-control-allow-origin': ['https://other.foo.com', '*']}, ['access-control-allow-credentials']],
  ])('%s: %s %s', async (_name, method, path, headers, statuses, valid, absent) => {
    const {reply, echo} = await ask(served, path, headers, 'example.com', method)
    expect(statuses).toContain(reply.status)
    // A preflight is the Gateway's own answer; an actual request reaches the backend.
    if (method === 'OPTIONS') expect(echo).toBeNull()
    else expect(echo?.name).toBe('infra-backend-v1')
    // Upstream compares with IgnoreWhitespace.
    for (const [name, values] of Object.entries(valid)) expect(values, name).toContain(String(reply.headers[name]).replace(/\s+/g, ''))
    for (const name of absent) expect(reply.headers[name], name).toBeUndefined()
  })
  it('a preflight with no maxAge set gets the spec default, 5 seconds', async () => {
    const {reply} = await ask(served, '/cors-2', preflight('https://www.foo.com', 'POST'), 'example.com', 'OPTIONS')
    expect(reply.headers['access-control-max-age']).toBe('5')
  })
  it('an OPTIONS request without Origin is not a preflight: it reaches the backend', async () => {
    const {echo} = await ask(served, '/cors-1', {}, 'example.com', 'OPTIONS')
    expect(echo?.name).toBe('infra-backend-v1')
    expect(echo?.method).toBe('OPTIONS')
  })
})

// httproute-request-header-modifier-backend-weights.go: 100 requests, each backend sees its own Backend header.
describe('HTTPRouteRequestHeaderModifierBackendWeights', () => {
  const served = serve(['httproute-request-header-modifier-backend-weights.yaml'])
  it('every request carries the Backend header of the backendRef it was sent to', async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 100; i++) {
      const {echo} = await ask(served, '/')
      expect(echo?.headers['backend']).toBe(echo?.name)
      seen.add(echo!.name)
    }
    expect([...seen].sort()).toEqual(['infra-backend-v1', 'infra-backend-v2'])
  })
})

// httproute-backend-url-rewrite.go
describe('HTTPRouteBackendURLRewrite', () => {
  const served = serve(['httproute-backend-url-rewrite.yaml'], {services: ['infra-backend-v1']})
  it.each([
    ['/full/original', '/rewritten-full'],
    ['/prefix/original', '/rewritten-prefix/original'],
  ])('%s reaches infra-backend-v1 as %s', async (path, upstream) => {
    const {echo} = await ask(served, path)
    expect(echo?.name).toBe('infra-backend-v1')
    expect(echo?.url).toBe(upstream)
  })
})

// httproute-backend-request-redirect.go
describe('HTTPRouteBackendRequestRedirect', () => {
  const served = serve(['httproute-backend-request-redirect.yaml'], {services: ['infra-backend-v1']})
  it.each([
    ['/full/original', 'http://example.com/redirected-full'],
    ['/prefix/original', 'http://example.com/redirected-prefix/original'],
  ])('%s → 302 %s', async (path, location) => {
    const {reply, echo} = await ask(served, path)
    expect(echo).toBeNull()
    expect(reply.status).toBe(302)
    expect(reply.headers.location).toBe(onLaptop(location, served.proxy.port))
  })
})

const extensionRoute = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: extension
  namespace: ${INFRA}
spec:
  parentRefs:
  - name: same-namespace
  hostnames: [extension.example.com]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /rule}
    filters:
    - type: ExtensionRef
      extensionRef: {group: example.net, kind: Auth, name: a}
    backendRefs:
    - name: infra-backend-v1
      port: 8080
  - matches:
    - path: {type: PathPrefix, value: /backend}
    backendRefs:
    - name: infra-backend-v1
      port: 8080
      filters:
      - type: ExtensionRef
        extensionRef: {group: example.net, kind: Auth, name: a}
`

// httproute_types.go HTTPRouteFilter.Type: a filter that cannot be run MUST NOT be skipped; the request gets an error response.
describe('a filter kingress cannot run is answered 500, never skipped', () => {
  const served = serve([], {services: ['infra-backend-v1'], yaml: [extensionRoute]})
  it.each(['/rule', '/backend'])('ExtensionRef in %s filters: 500 naming the filter', async (path) => {
    const {reply, echo} = await ask(served, path, {accept: 'text/plain'}, 'extension.example.com')
    expect(echo).toBeNull()
    expect(reply.status).toBe(500)
    expect(reply.body).toContain('ExtensionRef filter Auth a')
  })
})
