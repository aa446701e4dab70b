import {readFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ask, CONFORMANCE, serve, type Served} from './gateway-support.js'
import {send, startProxy, type ProxyUnderTest} from './helpers.js'

/**
 * Upstream conformance request tables (kubernetes-sigs/gateway-api conformance/tests/<file>.go),
 * row for row, through the real proxy on its port-80 listener against the upstream manifests.
 */

interface Row {
  readonly host?: string
  readonly path: string
  readonly method?: string
  readonly headers?: Record<string, string>
  /** The backend that must answer (its x-upstream), or the status when none must. */
  readonly backend?: string
  readonly status?: number
  /** RedirectRequest: unset parts take upstream's defaults (setRedirectRequestDefaults in conformance/utils/http/http.go). */
  readonly redirect?: {readonly scheme?: string; readonly host?: string; readonly port?: string; readonly path?: string}
  /** ExpectedRequest: what the backend receives. */
  readonly upstream?: {readonly path?: string; readonly host?: string; readonly headers?: Record<string, string>; readonly absent?: readonly string[]}
}

function rows(served: Served, table: readonly Row[]): void {
  it.each(table.map((r) => [`${r.method ?? 'GET'} ${r.host ?? 'example.com'}${r.path}${r.headers ? ' ' + JSON.stringify(r.headers) : ''}`, r] as const))('%s', async (_name, row) => {
    const {reply, echo} = await ask(served, row.path, row.headers ?? {}, row.host ?? 'example.com', row.method ?? 'GET')
    if (row.backend !== undefined) {
      expect(reply.status).toBe(row.status ?? 200)
      expect(reply.headers['x-upstream']).toBe(row.backend)
    } else {
      expect(reply.status).toBe(row.status)
      expect(reply.headers['x-upstream']).toBeUndefined()
    }
    if (row.redirect !== undefined) {
      const location = new URL(String(reply.headers.location))
      const scheme = location.protocol.slice(0, -1)
      expect(scheme).toBe(row.redirect.scheme ?? 'http')
      if (row.redirect.host !== undefined) expect(location.hostname).toBe(row.redirect.host)
      if (row.redirect.port !== undefined) expect(location.port).toBe(row.redirect.port)
      // The cluster's Location leaves the well-known port out. On the laptop a redirect back to the
      // Gateway's own port-80 listener carries the port kingress serves it on (src/proxy/gateway-redirect.ts);
      // these Gateways have no HTTPS listener, so an https Location stays the cluster's.
      else expect(location.port).toBe(scheme === 'http' ? String(served.proxy.port) : '')
      expect(location.pathname).toBe(row.redirect.path ?? row.path.split('?')[0])
    }
    if (row.upstream !== undefined) {
      if (row.upstream.path !== undefined) expect(echo?.url).toBe(row.upstream.path)
      if (row.upstream.host !== undefined) expect(echo?.headers.host).toBe(row.upstream.host)
      for (const [name, value] of Object.entries(row.upstream.headers ?? {})) expect(echo?.headers[name.toLowerCase()], name).toBe(value)
      for (const name of row.upstream.absent ?? []) expect(echo?.headers[name.toLowerCase()], name).toBeUndefined()
    }
  })
}

const V1 = 'infra-backend-v1'
const V2 = 'infra-backend-v2'
const V3 = 'infra-backend-v3'
const ALL = [V1, V2, V3]

// httproute-query-param-matching.go
describe('HTTPRouteQueryParamMatching', () => {
  const served = serve(['httproute-query-param-matching.yaml'], {services: ALL})
  rows(served, [
    {path: '/?animal=whale', backend: V1},
    {path: '/?animal=dolphin', backend: V2},
    {path: '/?animal=dolphin&color=blue', backend: V3},
    {path: '/?ANIMAL=Whale', backend: V3},
    {path: '/?animal=whale&otherparam=irrelevant', backend: V1},
    {path: '/?animal=dolphin&color=yellow', backend: V2},
    {path: '/?color=blue', status: 404},
    {path: '/?animal=dog', status: 404},
    {path: '/?animal=whaledolphin', status: 404},
    {path: '/', status: 404},
    {path: '/path1?animal=whale', backend: V1},
    {path: '/?animal=whale', headers: {version: 'one'}, backend: V2},
    {path: '/path2?animal=whale', headers: {version: 'two'}, backend: V3},
    {path: '/path3?animal=shark', backend: V1},
    {path: '/path4?animal=kraken', headers: {version: 'three'}, backend: V1},
    {path: '/?animal=shark', status: 404},
    {path: '/path4?animal=kraken', status: 404},
    {path: '/path5?animal=hydra', backend: V1},
    {path: '/?animal=hydra', headers: {version: 'four'}, backend: V3},
  ])
})

// httproute-header-matching.go
describe('HTTPRouteHeaderMatching', () => {
  const served = serve(['httproute-header-matching.yaml'])
  rows(served, [
    {path: '/', headers: {Version: 'one'}, backend: V1},
    {path: '/', headers: {Version: 'two'}, backend: V2},
    {path: '/', headers: {Version: 'two', Color: 'orange'}, backend: V1},
    {path: '/', headers: {Version: 'two', Color: 'blue'}, backend: V2},
    {path: '/', headers: {Color: 'orange'}, status: 404},
    {path: '/', headers: {'Some-Other-Header': 'one'}, status: 404},
    {path: '/', headers: {Color: 'blue'}, backend: V1},
    {path: '/', headers: {Color: 'green'}, backend: V1},
    {path: '/', headers: {Color: 'red'}, backend: V2},
    {path: '/', headers: {Color: 'yellow'}, backend: V2},
    {path: '/', headers: {Color: 'purple'}, status: 404},
  ])
})

// httproute-matching.go
describe('HTTPRouteMatching', () => {
  const served = serve(['httproute-matching.yaml'])
  rows(served, [
    {path: '/', backend: V1},
    {path: '/example', backend: V1},
    {path: '/', headers: {Version: 'one'}, backend: V1},
    {path: '/v2', backend: V2},
    {path: '/v2/example', backend: V2},
    {path: '/', headers: {Version: 'two'}, backend: V2},
    {path: '/v2/', backend: V2},
    {path: '/v2example', backend: V1},
    {path: '/foo/v2/example', backend: V1},
  ])
})

// httproute-exact-path-matching.go
describe('HTTPRouteExactPathMatching', () => {
  const served = serve(['httproute-exact-path-matching.yaml'])
  rows(served, [
    {path: '/one', backend: V1},
    {path: '/two', backend: V2},
    {path: '/', status: 404},
    {path: '/one/example', status: 404},
    {path: '/two/', status: 404},
    {path: '/Two', status: 404},
  ])
})

// httproute-path-match-order.go
describe('HTTPRoutePathMatchOrder', () => {
  const served = serve(['httproute-path-match-order.yaml'], {services: ALL})
  rows(served, [
    {path: '/match/exact/one', backend: V3},
    {path: '/match/exact', backend: V2},
    {path: '/match', backend: V1},
    {path: '/match/prefix/one/any', backend: V2},
    {path: '/match/prefix/any', backend: V1},
    {path: '/match/any', backend: V3},
  ])
})

// httproute-redirect-scheme.go
describe('HTTPRouteRedirectScheme', () => {
  const served = serve(['httproute-redirect-scheme.yaml'])
  rows(served, [
    {path: '/scheme', status: 302, redirect: {scheme: 'https'}},
    {path: '/scheme-and-host', status: 302, redirect: {scheme: 'https', host: 'example.org'}},
    {path: '/scheme-and-status', status: 301, redirect: {scheme: 'https'}},
    {path: '/scheme-and-host-and-status', status: 302, redirect: {scheme: 'https', host: 'example.org'}},
  ])
})

// httproute-redirect-host-and-status.go
describe('HTTPRouteRedirectHostAndStatus', () => {
  const served = serve(['httproute-redirect-host-and-status.yaml'])
  rows(served, [
    {path: '/hostname-redirect', status: 302, redirect: {host: 'example.org'}},
    {path: '/host-and-status', status: 301, redirect: {host: 'example.org'}},
  ])
})

// httproute-redirect-port.go
describe('HTTPRouteRedirectPort', () => {
  const served = serve(['httproute-redirect-port.yaml'])
  rows(served, [
    {path: '/port', status: 302, redirect: {port: '8083'}},
    {path: '/port-and-host', status: 302, redirect: {host: 'example.org', port: '8083'}},
    {path: '/port-and-status', status: 301, redirect: {port: '8083'}},
    {path: '/port-and-host-and-status', status: 302, redirect: {port: '8083', host: 'example.org'}},
  ])
})

// httproute-redirect-port-and-scheme.go, the rows for Gateway same-namespace (its port-80 listener).
// The rows for the 8080 and 443 Gateways run in gateway-conformance-addresses.test.ts (Gateway addressing).
describe('HTTPRouteRedirectPortAndScheme', () => {
  const served = serve(['httproute-redirect-port-and-scheme.yaml'])
  rows(served, [
    {path: '/scheme-nil-and-port-nil', status: 302, redirect: {scheme: 'http', host: 'example.org'}},
    {path: '/scheme-nil-and-port-80', status: 302, redirect: {scheme: 'http', host: 'example.org'}},
    {path: '/scheme-nil-and-port-8080', status: 302, redirect: {scheme: 'http', port: '8080', host: 'example.org'}},
    {path: '/scheme-https-and-port-nil', status: 302, redirect: {scheme: 'https', host: 'example.org'}},
    {path: '/scheme-https-and-port-443', status: 302, redirect: {scheme: 'https', host: 'example.org'}},
    {path: '/scheme-https-and-port-8443', status: 302, redirect: {scheme: 'https', port: '8443', host: 'example.org'}},
  ])
})

// httproute-303-redirect.go, httproute-307-redirect.go, httproute-308-redirect.go
describe('HTTPRoute303Redirect', () => {
  const served = serve(['httproute-303-redirect.yaml'])
  rows(served, [{method: 'POST', path: '/see-other', status: 303, redirect: {path: '/see-other'}}])
})
describe('HTTPRoute307Redirect', () => {
  const served = serve(['httproute-307-redirect.yaml'])
  rows(served, [{path: '/temporary', status: 307, redirect: {path: '/temporary'}}])
})
describe('HTTPRoute308Redirect', () => {
  const served = serve(['httproute-308-redirect.yaml'])
  rows(served, [{path: '/permanent', status: 308, redirect: {path: '/permanent'}}])
})

// httproute-rewrite-host.go
describe('HTTPRouteRewriteHost', () => {
  const served = serve(['httproute-rewrite-host.yaml'])
  rows(served, [
    {host: 'rewrite.example', path: '/one', backend: V1, upstream: {path: '/one', host: 'one.example.org'}},
    {host: 'rewrite.example', path: '/two', backend: V2, upstream: {path: '/two', host: 'example.org'}},
    {
      host: 'rewrite.example',
      path: '/rewrite-host-and-modify-headers',
      headers: {'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1'},
      backend: V2,
      upstream: {path: '/rewrite-host-and-modify-headers', host: 'test.example.org', headers: {'X-Header-Add': 'header-val-1', 'X-Header-Add-Append': 'append-val-1,header-val-2', 'X-Header-Set': 'set-overwrites-values'}, absent: ['X-Header-Remove']},
    },
  ])
})

// httproute-listener-hostname-matching.go
describe('HTTPRouteListenerHostnameMatching', () => {
  const served = serve(['httproute-listener-hostname-matching.yaml'], {services: ALL})
  rows(served, [
    {host: 'bar.com', path: '/', backend: V1},
    {host: 'foo.bar.com', path: '/', backend: V2},
    {host: 'baz.bar.com', path: '/', backend: V3},
    {host: 'boo.bar.com', path: '/', backend: V3},
    {host: 'multiple.prefixes.bar.com', path: '/', backend: V3},
    {host: 'multiple.prefixes.foo.com', path: '/', backend: V3},
    {host: 'foo.com', path: '/', status: 404},
    {host: 'no.matching.host', path: '/', status: 404},
  ])
})

// httproute-hostname-intersection.go
describe('HTTPRouteHostnameIntersection', () => {
  const served = serve(['httproute-hostname-intersection.yaml'], {services: ALL})
  rows(served, [
    {host: 'very.specific.com', path: '/s1', backend: V1},
    {host: 'very.specific.com:1234', path: '/s1', backend: V1},
    {host: 'non.matching.com', path: '/s1', status: 404},
    {host: 'foo.nonmatchingwildcard.io', path: '/s1', status: 404},
    {host: 'foo.wildcard.io', path: '/s1', status: 404},
    {host: 'very.specific.com', path: '/non-matching-prefix', status: 404},
    {host: 'foo.wildcard.io', path: '/s2', backend: V2},
    {host: 'bar.wildcard.io', path: '/s2', backend: V2},
    {host: 'foo.bar.wildcard.io', path: '/s2', backend: V2},
    {host: 'non.matching.com', path: '/s2', status: 404},
    {host: 'wildcard.io', path: '/s2', status: 404},
    {host: 'very.specific.com', path: '/s2', status: 404},
    {host: 'foo.wildcard.io', path: '/non-matching-prefix', status: 404},
    {host: 'very.specific.com', path: '/s3', backend: V3},
    {host: 'non.matching.com', path: '/s3', status: 404},
    {host: 'foo.specific.com', path: '/s3', status: 404},
    {host: 'foo.wildcard.io', path: '/s3', status: 404},
    {host: 'foo.anotherwildcard.io', path: '/s4', backend: V1},
    {host: 'bar.anotherwildcard.io', path: '/s4', backend: V1},
    {host: 'foo.bar.anotherwildcard.io', path: '/s4', backend: V1},
    {host: 'anotherwildcard.io', path: '/s4', status: 404},
    {host: 'foo.wildcard.io', path: '/s4', status: 404},
    {host: 'very.specific.com', path: '/s4', status: 404},
    {host: 'foo.anotherwildcard.io', path: '/non-matching-prefix', status: 404},
    {host: 'specific.but.wrong.com', path: '/s5', status: 404},
    {host: 'wildcard.io', path: '/s5', status: 404},
    {host: 'first.com', path: '/', backend: V2},
    {host: 'sub.first.com', path: '/', backend: V2},
    {host: 'second.com', path: '/', backend: V2},
    {host: 'sub.second.com', path: '/', backend: V2},
    {host: 'third.com', path: '/', status: 404},
    {host: 'sub.third.com', path: '/', status: 404},
  ])
})

const WEB = 'gateway-conformance-web-backend/web-backend'
const APP = 'gateway-conformance-app-backend/app-backend-v1'

// httproute-cross-namespace.go
describe('HTTPRouteCrossNamespace', () => {
  const served = serve(['httproute-cross-namespace.yaml'], {services: [WEB]})
  rows(served, [{path: '/', backend: 'web-backend'}])
})

// httproute-reference-grant.go: 200 with the ReferenceGrant; 500 once it is deleted (the manifests without it).
describe('HTTPRouteReferenceGrant', () => {
  const served = serve(['httproute-reference-grant.yaml'], {services: [WEB]})
  rows(served, [{path: '/', backend: 'web-backend'}])
  const withoutGrant = readFileSync(join(CONFORMANCE, 'httproute-reference-grant.yaml'), 'utf8')
    .split(/^---$/m)
    .filter((doc) => !/kind: ReferenceGrant/.test(doc))
  const deleted = serve([], {services: [WEB], yaml: withoutGrant})
  rows(deleted, [{path: '/', status: 500}])
})

// httproute-invalid-*.go: a backendRef that does not resolve gets 500.
describe('HTTPRouteInvalidCrossNamespaceBackendRef', () => {
  const served = serve(['httproute-invalid-cross-namespace-backend-ref.yaml'], {services: [WEB]})
  rows(served, [{path: '/', status: 500}])
})
describe('HTTPRouteInvalidBackendRefUnknownKind', () => {
  const served = serve(['httproute-invalid-backendref-unknown-kind.yaml'])
  rows(served, [{path: '/v2', status: 500}])
})
describe('HTTPRouteInvalidNonExistentBackendRef', () => {
  const served = serve(['httproute-invalid-nonexistent-backendref.yaml'])
  rows(served, [{path: '/', status: 500}])
})
describe('HTTPRouteInvalidReferenceGrant', () => {
  const served = serve(['httproute-invalid-reference-grant.yaml'], {services: [APP, WEB]})
  rows(served, [{path: '/', status: 500}])
})
describe('HTTPRoutePartiallyInvalidViaInvalidReferenceGrant', () => {
  const served = serve(['httproute-partially-invalid-via-invalid-reference-grant.yaml'], {services: [APP, WEB]})
  rows(served, [
    {path: '/v2', status: 500},
    {path: '/', backend: 'app-backend-v1'},
  ])
})

// httproute-omitted-backendrefs.go (ShortName HTTPRouteNoBackendRefs)
describe('HTTPRouteNoBackendRefs', () => {
  const served = serve(['httproute-omitted-backendrefs.yaml'])
  rows(served, [
    {path: '/forward', backend: V1},
    {path: '/omitted-no-forward', status: 500},
    {path: '/empty-no-forward', status: 500},
  ])
})

// httproute-named-rule.go
describe('HTTPRouteNamedRule', () => {
  const served = serve(['httproute-named-rule.yaml'])
  rows(served, [
    {path: '/named', backend: V1},
    {path: '/unnamed', backend: V2},
  ])
})

// gateway-http-listener-isolation.go: the same table for each of its two Gateways (port-80 listeners).
const ISOLATION: Row[] = [
  {host: 'bar.com', path: '/empty-hostname', backend: V1},
  {host: 'bar.com', path: '/wildcard-example-com', status: 404},
  {host: 'bar.com', path: '/wildcard-foo-example-com', status: 404},
  {host: 'bar.com', path: '/abc-foo-example-com', status: 404},
  {host: 'bar.example.com', path: '/empty-hostname', status: 404},
  {host: 'bar.example.com', path: '/wildcard-example-com', backend: V1},
  {host: 'bar.example.com', path: '/wildcard-foo-example-com', status: 404},
  {host: 'bar.example.com', path: '/abc-foo-example-com', status: 404},
  {host: 'bar.foo.example.com', path: '/empty-hostname', status: 404},
  {host: 'bar.foo.example.com', path: '/wildcard-example-com', status: 404},
  {host: 'bar.foo.example.com', path: '/wildcard-foo-example-com', backend: V1},
  {host: 'bar.foo.example.com', path: '/abc-foo-example-com', status: 404},
  {host: 'abc.foo.example.com', path: '/empty-hostname', status: 404},
  {host: 'abc.foo.example.com', path: '/wildcard-example-com', status: 404},
  {host: 'abc.foo.example.com', path: '/wildcard-foo-example-com', status: 404},
  {host: 'abc.foo.example.com', path: '/abc-foo-example-com', backend: V1},
]
describe('GatewayHTTPListenerIsolation', () => {
  describe('http-listener-isolation', () => {
    rows(serve(['gateway-http-listener-isolation.yaml'], {services: [V1]}), ISOLATION)
  })
  describe('http-listener-isolation-with-hostname-intersection', () => {
    rows(serve(['gateway-http-listener-isolation-with-hostname-intersection.yaml'], {services: [V1]}), ISOLATION)
  })
})

/** An echo upstream named `name` on `127.0.0.X:port`, X tried from a random start (bounded: 20 addresses). */
async function echoOn(name: string, port: number): Promise<{address: string; close: () => Promise<void>}> {
  const start = 100 + Math.floor(Math.random() * 100)
  for (let i = 0; i < 20; i++) {
    const address = `127.0.0.${start + i}`
    const server = createServer((req, res) => {
      res.writeHead(200, {'content-type': 'application/json', 'x-upstream': name})
      res.end(JSON.stringify({name, url: req.url, headers: req.headers}))
    })
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(port, address, () => resolve(true))
    })
    if (bound) return {address, close: () => new Promise<void>((resolve) => server.close(() => resolve()))}
  }
  throw new Error(`no 127.0.0.x:${port} free`)
}

// httproute-service-types.go: the manual EndpointSlices get infra-backend-v1's address (setupEndpointSlices
// puts the pod IPs there, port 3000); the headless Service with a selector gets its endpoints as any
// selected Service does in kingress, from --backend.
describe('HTTPRouteServiceTypes', () => {
  const pod = {address: '', close: async () => {}}
  let proxy: ProxyUnderTest | undefined
  beforeAll(async () => {
    Object.assign(pod, await echoOn('infra-backend-v1', 3000))
    const manifests = readFileSync(join(CONFORMANCE, 'httproute-service-types.yaml'), 'utf8')
      .split(/^---$/m)
      .map((doc) => (/kind: EndpointSlice/.test(doc) && /addressType: IPv4/.test(doc) ? `${doc.trimEnd()}\nendpoints:\n- addresses: [${pod.address}]\n` : doc))
    proxy = await startProxy({files: [join(CONFORMANCE, 'base.yaml')], yaml: manifests, backends: [`gateway-conformance-infra/headless=${pod.address}:3000`]})
  })
  afterAll(async () => {
    await proxy?.close()
    await pod.close()
  })
  it.each(['manual-endpointslices', 'headless-manual-endpointslices', 'headless'])('/%s reaches infra-backend-v1', async (path) => {
    const reply = await send(proxy!.port, {path: `/${path}`, headers: {host: 'example.com'}, timeoutMs: 5000})
    expect(reply.status).toBe(200)
    expect(reply.headers['x-upstream']).toBe('infra-backend-v1')
  })
})
