import {request as httpRequest, type IncomingHttpHeaders} from 'node:http'
import {request as httpsRequest} from 'node:https'

import {describe, expect, it} from 'vitest'

import {INFRA, secretCertificate, serveAddressed, type Addressed} from './gateway-support.js'

/**
 * Upstream conformance tables that need an address per Gateway or listener ports other than 80 and
 * 443, through `kingress up`'s Gateway addressing: each Gateway on its own 127.0.0.x, listener ports
 * mapped to free local ports (--listener-port P=0). A request goes to the address and local port
 * kingress serves the Gateway listener on, with the Host header the upstream test sends.
 */

interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
}

function get(target: {address: string; port: number}, host: string, path: string, tls = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = {host: target.address, port: target.port, path, headers: {host}, agent: false}
    const done = (res: {statusCode?: number; headers: IncomingHttpHeaders; resume(): void; on(e: 'end', f: () => void): void}) => {
      res.resume()
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers}))
    }
    // As tls.MakeTLSRequestAndExpectEventuallyConsistentResponse: SNI example.org, the chain checked against the listener's Secret.
    const req = tls ? httpsRequest({...options, servername: 'example.org', ca: secretCertificate()}, done) : httpRequest(options, done)
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('timed out')))
    req.end()
  })
}

const V1 = 'infra-backend-v1'
const V2 = 'infra-backend-v2'
const V3 = 'infra-backend-v3'

// conformance/tests/httproute-listener-port-matching.go (HTTPRouteListenerPortMatching): one Gateway,
// listeners on 80, 8080 and 8090; each request goes to the listener port its Host names.
describe('HTTPRouteListenerPortMatching', () => {
  const served = serveAddressed(['httproute-listener-port-matching.yaml'], {listenerPorts: [8080, 8090]})
  const gateway = `${INFRA}/httproute-listener-port-matching`
  it.each([
    ['foo.com', 80, V1],
    ['foo.com:8080', 8080, V2],
    ['bar.com:8080', 8080, V2],
    ['foo.com:8090', 8090, V3],
    ['bar.com:8090', 8090, null],
  ] as const)('%s on listener port %i → %s', async (host, port, backend) => {
    const reply = await get(served.at(gateway, port), host, '/')
    expect(reply.status).toBe(backend === null ? 404 : 200)
    expect(reply.headers['x-upstream']).toBe(backend ?? undefined)
  })

  it('each listener port has a socket of its own on the Gateway address', () => {
    const ports = [80, 8080, 8090].map((p) => served.at(gateway, p))
    expect(new Set(ports.map((p) => p.address)).size).toBe(1)
    expect(new Set(ports.map((p) => p.port)).size).toBe(3)
  })
})

// conformance/tests/httproute-multiple-gateways.go (HTTPRouteMultipleGateways): the shared route on
// both Gateways, each dedicated route on its own Gateway only, asked for on each Gateway's address.
describe('HTTPRouteMultipleGateways', () => {
  const served = serveAddressed(['httproute-multiple-gateways.yaml'])
  it.each([
    ['same-namespace', '/shared', V1],
    ['same-namespace', '/', V2],
    ['all-namespaces', '/shared', V1],
    ['all-namespaces', '/', V3],
  ])('Gateway %s, %s → %s', async (name, path, backend) => {
    const reply = await get(served.at(`${INFRA}/${name}`, 80), 'example.com', path)
    expect(reply.status).toBe(200)
    expect(reply.headers['x-upstream']).toBe(backend)
  })

  it('the two Gateways are on different addresses, on the same port', () => {
    const a = served.at(`${INFRA}/same-namespace`, 80)
    const b = served.at(`${INFRA}/all-namespaces`, 80)
    expect(a.address).not.toBe(b.address)
    expect(a.port).toBe(b.port)
  })
})

/** [path, status, Location]: upstream's RedirectRequest (a missing port: the scheme's, left out of Location). */
type Redirect = readonly [string, number, string]

/**
 * `onLaptop`: the Gateway's own listeners of port 80 or 443 as `[scheme, declared port]`: a Location
 * without a port back to one of them carries the local port kingress serves it on
 * (src/proxy/gateway-redirect.ts); the cluster's Location otherwise.
 */
function redirects(served: Addressed, gateway: string, gatewayPort: number, host: string, table: readonly Redirect[], tls = false, onLaptop: readonly ['http' | 'https', number][] = []): void {
  it.each(table)('%s → %i %s', async (path, status, location) => {
    const reply = await get(served.at(`${INFRA}/${gateway}`, gatewayPort), host, path, tls)
    expect(reply.status).toBe(status)
    const own = onLaptop.find(([scheme]) => location.startsWith(`${scheme}://`) && !/^https?:\/\/[^/]*:\d+/.test(location))
    expect(reply.headers.location).toBe(own === undefined ? location : location.replace(/^(https?:\/\/[^/]+)/, `$1:${served.at(`${INFRA}/${gateway}`, own[1]).port}`))
  })
}

// conformance/tests/httproute-redirect-port-and-scheme.go (HTTPRouteRedirectPortAndScheme): the three
// Gateways' tables (80, 8080, and the HTTPS listener on 443 of base-https-listener.yaml).
//
// Location carries the Gateway's ports as a cluster's Gateway writes them (httproute_types.go
// HTTPRequestRedirectFilter.Port): the listener's declared port when the redirect sets neither port
// nor scheme (8080, although kingress serves that listener on a free local port here), the scheme's
// well-known port (left out) when only the scheme changes. One laptop exception, as for Ingress
// redirects: a Location without port back to the Gateway's own port-80 or 443 listener carries the
// port kingress serves that listener on, or following it would leave kingress.
describe('HTTPRouteRedirectPortAndScheme', () => {
  const served = serveAddressed(['base-https-listener.yaml', 'httproute-redirect-port-and-scheme.yaml'], {listenerPorts: [8080], https: true})
  describe('http-listener-on-80', () => {
    redirects(served, 'same-namespace', 80, 'example.com', [
      ['/scheme-nil-and-port-nil', 302, 'http://example.org/scheme-nil-and-port-nil'],
      ['/scheme-nil-and-port-80', 302, 'http://example.org/scheme-nil-and-port-80'],
      ['/scheme-nil-and-port-8080', 302, 'http://example.org:8080/scheme-nil-and-port-8080'],
      ['/scheme-https-and-port-nil', 302, 'https://example.org/scheme-https-and-port-nil'],
      ['/scheme-https-and-port-443', 302, 'https://example.org/scheme-https-and-port-443'],
      ['/scheme-https-and-port-8443', 302, 'https://example.org:8443/scheme-https-and-port-8443'],
    ], false, [['http', 80]])
  })
  describe('http-listener-on-8080', () => {
    redirects(served, 'same-namespace-with-http-listener-on-8080', 8080, 'example.com', [
      ['/scheme-nil-and-port-nil', 302, 'http://example.org:8080/scheme-nil-and-port-nil'],
      ['/scheme-nil-and-port-80', 302, 'http://example.org/scheme-nil-and-port-80'],
      ['/scheme-https-and-port-nil', 302, 'https://example.org/scheme-https-and-port-nil'],
    ])
  })
  describe('https-listener-on-443', () => {
    redirects(
      served,
      'same-namespace-with-https-listener',
      443,
      'example.org',
      [
        ['/scheme-nil-and-port-nil', 302, 'https://example.org/scheme-nil-and-port-nil'],
        ['/scheme-nil-and-port-443', 302, 'https://example.org/scheme-nil-and-port-443'],
        ['/scheme-nil-and-port-8443', 302, 'https://example.org:8443/scheme-nil-and-port-8443'],
        ['/scheme-http-and-port-nil', 302, 'http://example.org/scheme-http-and-port-nil'],
        ['/scheme-http-and-port-80', 302, 'http://example.org/scheme-http-and-port-80'],
        ['/scheme-http-and-port-8080', 302, 'http://example.org:8080/scheme-http-and-port-8080'],
      ],
      true,
      [['https', 443]],
    )
  })
})

const staticGateway = (name: string, addresses: readonly string[]) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: ${INFRA}
spec:
  gatewayClassName: kingress
  addresses:
${addresses.map((a) => `  - ${a}\n`).join('')}  listeners:
  - name: http
    port: 8080
    protocol: HTTP
---
`

const routeTo = (gateway: string, backend: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: to-${gateway}
  namespace: ${INFRA}
spec:
  parentRefs:
  - name: ${gateway}
  rules:
  - backendRefs:
    - name: ${backend}
      port: 8080
---
`

// conformance/tests/gateway-static-addresses.go (GatewayStaticAddresses) and
// gateway-optional-address-value.go (GatewayOptionalAddressValue) as `up` serves them: the Gateway
// of the upstream manifest after its first patch (the unsupported type removed; 192.0.2.10 for the
// unusable address, 127.0.0.77 for the usable one), one with a non-loopback address only, one of an
// unsupported type, one with an IPAddress without a value, and one on ::1. Each has a route so that it answers.
describe('GatewayStaticAddresses', () => {
  const yaml =
    staticGateway('gateway-static-addresses', ['value: 192.0.2.10', 'value: 127.0.0.77']) +
    staticGateway('remote-only', ['type: IPAddress\n    value: 192.0.2.11']) +
    staticGateway('unsupported-type', ['type: test/fake-invalid-type\n    value: fake']) +
    staticGateway('gateway-without-address-value', ['type: IPAddress']) +
    staticGateway('ipv6-loopback', ['value: "::1"']) +
    routeTo('ipv6-loopback', V2) +
    routeTo('gateway-static-addresses', V1) +
    routeTo('remote-only', V2) +
    routeTo('unsupported-type', V3) +
    routeTo('gateway-without-address-value', V3)
  const served = serveAddressed([], {listenerPorts: [8080], yaml})
  const key = (name: string) => `${INFRA}/${name}`

  it('a loopback address in spec.addresses is where the Gateway is served', async () => {
    const target = served.at(key('gateway-static-addresses'), 8080)
    expect(target.address).toBe('127.0.0.77')
    const reply = await get(target, 'example.com', '/')
    expect(reply.status).toBe(200)
    expect(reply.headers['x-upstream']).toBe(V1)
    expect(served.session.readyLine()).toContain(`gateway ${key('gateway-static-addresses')} http://127.0.0.77:${target.port}`)
  })

  it('::1 is loopback too', async () => {
    const target = served.at(key('ipv6-loopback'), 8080)
    expect(target.address).toBe('::1')
    expect((await get(target, 'example.com', '/')).headers['x-upstream']).toBe(V2)
    expect(served.session.readyLine()).toContain(`gateway ${key('ipv6-loopback')} http://[::1]:${target.port}`)
  })

  it('an address kingress cannot use: a warning, and the Gateway is served on an address kingress picks', async () => {
    const target = served.at(key('remote-only'), 8080)
    expect(target.address).toMatch(/^127\.0\.0\.\d+$/)
    expect((await get(target, 'example.com', '/')).headers['x-upstream']).toBe(V2)
    expect(served.session.notices).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^Gateway ${key('remote-only')}: spec\\.addresses\\[0\\] 192\\.0\\.2\\.11 is not used: it is not a loopback address.*Served on ${target.address.replaceAll('.', '\\.')} instead`)),
        expect.stringContaining(`Gateway ${key('gateway-static-addresses')}: spec.addresses[0] 192.0.2.10 is not used`),
      ]),
    )
  })

  it('an IPAddress without a value: kingress picks the address', async () => {
    const target = served.at(key('gateway-without-address-value'), 8080)
    expect(target.address).toMatch(/^127\.0\.0\.\d+$/)
    expect(target.address).not.toBe('127.0.0.77')
    expect((await get(target, 'example.com', '/')).headers['x-upstream']).toBe(V3)
  })

  it('an address of a type kingress does not support: the Gateway is not accepted, so not served', () => {
    expect(served.session.gateways!.current.addresses.has(key('unsupported-type'))).toBe(false)
    expect(served.session.readyLine()).not.toContain('unsupported-type')
    expect(served.session.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({severity: 'warning', field: 'spec.addresses[0]', message: expect.stringContaining(`does not serve Gateway ${key('unsupported-type')}`)})]))
  })
})

describe('GatewayStaticAddresses: --gateway-address wins over spec.addresses', () => {
  const gateway = `${INFRA}/gateway-static-addresses`
  const served = serveAddressed([], {listenerPorts: [8080], addresses: new Map([[gateway, '127.0.0.78']]), yaml: staticGateway('gateway-static-addresses', ['value: 127.0.0.77']) + routeTo('gateway-static-addresses', V1)})

  it('serves the flag address, not the spec one, and says so', async () => {
    const target = served.at(gateway, 8080)
    expect(target.address).toBe('127.0.0.78')
    expect((await get(target, 'example.com', '/')).headers['x-upstream']).toBe(V1)
    await expect(get({address: '127.0.0.77', port: target.port}, 'example.com', '/')).rejects.toThrow(/ECONNREFUSED/)
    expect(served.session.notices).toContain(`Gateway ${gateway}: --gateway-address ${gateway}=127.0.0.78 is used, not spec.addresses 127.0.0.77.`)
  })
})
