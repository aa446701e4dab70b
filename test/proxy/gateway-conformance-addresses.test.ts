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

function redirects(served: Addressed, gateway: string, gatewayPort: number, host: string, table: readonly Redirect[], tls = false): void {
  it.each(table)('%s → %i %s', async (path, status, location) => {
    const reply = await get(served.at(`${INFRA}/${gateway}`, gatewayPort), host, path, tls)
    expect(reply.status).toBe(status)
    expect(reply.headers.location).toBe(location)
  })
}

// conformance/tests/httproute-redirect-port-and-scheme.go (HTTPRouteRedirectPortAndScheme): the three
// Gateways' tables (80, 8080, and the HTTPS listener on 443 of base-https-listener.yaml).
//
// Location carries the Gateway's ports, not the local ones: the listener's declared port when the
// redirect sets neither port nor scheme (8080, although kingress serves that listener on a free
// local port here), the scheme's well-known port (left out) when only the scheme changes. kingress
// writes what a cluster's Gateway would (httproute_types.go HTTPRequestRedirectFilter.Port), so a
// redirect means the same under `up` as in the cluster; when --listener-port maps 8080 elsewhere,
// following it locally needs the same mapping.
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
    ])
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
    )
  })
})
