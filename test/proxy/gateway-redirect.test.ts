import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {sideOf} from '../../src/diff/answer.js'
import {compileGatewayTable} from '../../src/gateway/route-table.js'
import {onLaptop} from '../../src/proxy/gateway-redirect.js'
import {routeModelOf} from '../../src/model/route-model.js'
import {compile} from '../../src/routing/compile.js'
import {buildProviders} from '../../src/runtime/providers.js'
import {startSession, type Session} from '../../src/runtime/session.js'
import {snapshotOf} from '../support/manifests.js'
import {send} from './helpers.js'
import {tlsSandbox, type TlsSandbox} from './https-support.js'

/**
 * The HTTP-to-HTTPS redirect a converted ssl-redirect becomes: a cluster's Gateway writes
 * https://shop.example.com/… (no port: 443, httproute_types.go HTTPRequestRedirectFilter.Port). On
 * the laptop the Gateway's 443 listener is served on another port; the Location must carry it, as
 * kingress's ingress-nginx redirects do, or the browser leaves kingress (src/proxy/gateway-redirect.ts).
 */
const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shop, namespace: default}
spec:
  gatewayClassName: kingress
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: shop.example.com}
  - {name: https, port: 443, protocol: HTTPS, hostname: shop.example.com, tls: {certificateRefs: [{name: shop-tls}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: to-https, namespace: default}
spec:
  parentRefs: [{name: shop, sectionName: http}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /elsewhere}}]
    filters: [{type: RequestRedirect, requestRedirect: {scheme: https, hostname: other.example.com, statusCode: 301}}]
  - matches: [{path: {type: PathPrefix, value: /explicit}}]
    filters: [{type: RequestRedirect, requestRedirect: {scheme: https, port: 8443, statusCode: 301}}]
  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]
`

describe('a RequestRedirect back to the Gateway, on the laptop', () => {
  let sandbox: TlsSandbox
  let session: Session
  beforeAll(async () => {
    sandbox = tlsSandbox()
    const file = join(await mkdtemp(join(tmpdir(), 'kingress-redirect-')), 'shop.yaml')
    await writeFile(file, yaml)
    const providers = await buildProviders({backends: [], docker: false})
    session = await startSession({inputs: [file], providers, bind: '127.0.0.1', http: {port: 0, explicit: true, fallbackPort: 0}, https: {port: 0, explicit: true, fallbackPort: 0}, watch: false, log: null, drainMs: 2000, env: {...process.env, ...sandbox.env}})
  })
  afterAll(async () => {
    await session?.close()
    sandbox?.cleanup()
  })

  it("to https without a port: the port kingress serves the Gateway's 443 listener on", async () => {
    const https = session.results[1]!.port
    const reply = await send(session.results[0]!.port, {path: '/cart?id=1', headers: {host: 'shop.example.com'}})
    expect(reply.status).toBe(301)
    expect(reply.headers.location).toBe(`https://shop.example.com:${https}/cart?id=1`)
  })

  it('to a host no listener of the Gateway takes, or to a port the filter names: as the cluster writes it', async () => {
    const http = session.results[0]!.port
    expect((await send(http, {path: '/elsewhere', headers: {host: 'shop.example.com'}})).headers.location).toBe('https://other.example.com/elsewhere')
    expect((await send(http, {path: '/explicit', headers: {host: 'shop.example.com'}})).headers.location).toBe('https://shop.example.com:8443/explicit')
  })

  it('diff and explain compare the cluster’s Location, without the laptop’s port', () => {
    const {snapshot} = snapshotOf(yaml)
    const answer = sideOf('new', snapshot, routeModelOf(snapshot, compile(snapshot).table)).answer({method: 'GET', url: 'http://shop.example.com/cart', headers: {}, why: 'test'})
    expect(answer.location).toBe('https://shop.example.com/cart')
  })
})

describe('onLaptop, the Location itself', () => {
  const anyHost = yaml.replace(/, hostname: shop\.example\.com/g, '')
  const table = compileGatewayTable(snapshotOf(anyHost).snapshot)
  const ports = {localPortOf: (_gateway: string, scheme: 'http' | 'https') => (scheme === 'https' ? 8443 : 8080)}
  const at = (location: string) => onLaptop({status: 301, headers: {location}, body: '', reason: 'RequestRedirect'}, 'default/shop/http', table, ports).headers['location']

  it('writes the local port after a name or an IPv6 address, with or without a path', () => {
    expect(at('https://shop.example.com/x?q=1')).toBe('https://shop.example.com:8443/x?q=1')
    expect(at('https://[::1]/x')).toBe('https://[::1]:8443/x')
    expect(at('http://shop.example.com')).toBe('http://shop.example.com:8080')
  })

  it('leaves a Location with a port, userinfo, another scheme or no authority as written', () => {
    expect(at('https://shop.example.com:443/x')).toBe('https://shop.example.com:443/x')
    expect(at('https://user:pw@shop.example.com/x')).toBe('https://user:pw@shop.example.com/x')
    expect(at('ftp://shop.example.com/x')).toBe('ftp://shop.example.com/x')
    expect(at('/relative')).toBe('/relative')
  })

  it("another Gateway's listener is not this one's", () => {
    const other = onLaptop({status: 301, headers: {location: 'https://shop.example.com/'}, body: '', reason: 'RequestRedirect'}, 'default/elsewhere/http', table, ports)
    expect(other.headers['location']).toBe('https://shop.example.com/')
  })
})

