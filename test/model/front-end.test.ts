import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {sideOf} from '../../src/diff/answer.js'
import {compareSides} from '../../src/diff/compare.js'
import {readRequests} from '../../src/diff/requests.js'
import {frontEndFor} from '../../src/model/front-end.js'
import {routeModelOf} from '../../src/model/route-model.js'
import {compile} from '../../src/routing/compile.js'
import {send, startProxy, type ProxyUnderTest} from '../proxy/helpers.js'
import {runCli} from '../support/cli.js'
import {gatewayRouteYaml, ingressYaml, snapshotOf} from '../support/manifests.js'

/** The same request for each case: `http://HOST/` on port 80. */
function frontEnd(yaml: string, host: string, options: {ingressServed?: boolean; port?: number} = {}) {
  const {snapshot} = snapshotOf(yaml)
  const model = routeModelOf(snapshot, compile(snapshot).table)
  return frontEndFor(model.gateways, options.ingressServed === false ? null : model.table, snapshot, {scheme: 'http', port: options.port ?? 80, host, method: 'GET', path: '/', query: '', headers: {}})
}

const gateway = gatewayRouteYaml('shop', 'shop.example.com', `
  - backendRefs: [{name: shop, port: 80}]
`)
const ingress = ingressYaml('blog', [{host: 'blog.example.com', paths: [{path: '/', pathType: 'Prefix', service: 'blog', port: 80}]}])

describe('which front end answers (src/model/front-end.ts frontEndFor)', () => {
  it('a host an HTTPRoute on the port claims: the Gateway, even beside Ingresses', () => {
    const front = frontEnd(`${gateway}\n---\n${ingress}`, 'shop.example.com')
    expect(front.kind).toBe('gateway')
    expect(front.kind === 'gateway' && front.answer.route).toBe('default/shop')
  })

  it('a host no HTTPRoute claims, with Ingress rules loaded: the Ingresses', () => {
    expect(frontEnd(`${gateway}\n---\n${ingress}`, 'blog.example.com').kind).toBe('ingress')
  })

  it('a host no HTTPRoute claims and no Ingress rule at all: the Gateway, with its 404', () => {
    const front = frontEnd(gateway, 'other.example.com')
    expect(front.kind === 'gateway' && [front.answer.status, front.answer.claimed]).toEqual([404, false])
  })

  // An Ingress can serve a host without any path rule: its spec.defaultBackend answers the root
  // location of a rule that lists only a host (routing/compile.ts defaultRouteOf). That host stays the Ingresses'.
  it('a host an Ingress serves through spec.defaultBackend alone, no path anywhere: the Ingresses', () => {
    const defaultOnly = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: blog, namespace: default}
spec:
  defaultBackend: {service: {name: blog, port: {number: 80}}}
  rules: [{host: blog.example.com}]
`
    expect(frontEnd(`${gateway}\n---\n${defaultOnly}`, 'blog.example.com').kind).toBe('ingress')
  })

  it("on a Gateway's own address (no Ingress served there) an unclaimed host is the Gateway's 404", () => {
    const front = frontEnd(`${gateway}\n---\n${ingress}`, 'blog.example.com', {ingressServed: false})
    expect(front.kind === 'gateway' && front.answer.status).toBe(404)
  })

  it('a port no listener has: the Ingresses where they are served, else nothing', () => {
    expect(frontEnd(`${gateway}\n---\n${ingress}`, 'shop.example.com', {port: 8000}).kind).toBe('ingress')
    expect(frontEnd(gateway, 'shop.example.com', {port: 8000, ingressServed: false}).kind).toBe('none')
  })
})

// Before frontEndFor, the proxy and `explain` sent such a request to the (empty) Ingress table while
// `diff` sent it to the Gateway: three answers to one question. Now all three say the Gateway's 404.
describe('the proxy, explain and diff make the same decision', () => {
  const yaml = gateway
  let proxy: ProxyUnderTest
  beforeAll(async () => {
    proxy = await startProxy({yaml: [yaml], backends: ['shop=127.0.0.1:9']})
  })
  afterAll(async () => {
    await proxy?.close()
  })

  it("a host no HTTPRoute claims, no Ingress loaded: the Gateway listener's 404 everywhere", async () => {
    const reply = await send(proxy.port, {path: '/', headers: {host: 'other.example.com', accept: 'text/plain'}})
    expect(reply.status).toBe(404)
    expect(reply.body).toContain('Gateway listener default/gw/http')

    const {snapshot} = snapshotOf(yaml)
    const answer = sideOf('new', snapshot, routeModelOf(snapshot, compile(snapshot).table)).answer({method: 'GET', url: 'http://other.example.com/', headers: {}, why: 'test'})
    expect([answer.status, answer.by]).toEqual([404, 'Gateway listener default/gw/http'])

    const dir = await mkdtemp(join(tmpdir(), 'kingress-front-end-'))
    await writeFile(join(dir, 'gateway.yaml'), yaml)
    const explained = await runCli(['explain', 'http://other.example.com/', dir, '--no-docker', '--json'])
    expect(JSON.parse(explained.stdout)).toMatchObject({kind: 'HTTPRoute', status: 404, listener: 'default/gw/http'})
  })
})

// The proxy serves the Ingresses on the sockets of ports 80 and 443 only; a Gateway listener of
// another port has a socket of its own (src/gateway/addresses.ts). diff and explain ask the same way.
describe('a port only a Gateway listener has', () => {
  const yaml = `${gatewayRouteYaml('shop', 'shop.example.com', `
  - backendRefs: [{name: shop, port: 80}]
`, '{name: alt, port: 8000, protocol: HTTP}')}---
${ingress}`

  it("diff: a host only an Ingress names gets the Gateway listener's 404 there, not the Ingress's answer", () => {
    const {snapshot} = snapshotOf(yaml)
    const side = sideOf('new', snapshot, routeModelOf(snapshot, compile(snapshot).table))
    expect(side.answer({method: 'GET', url: 'http://blog.example.com:8000/', headers: {}, why: 'test'})).toMatchObject({status: 404, by: 'Gateway listener default/gw/alt'})
    expect(side.answer({method: 'GET', url: 'http://blog.example.com/', headers: {}, why: 'test'}).status).toBe(200)
    // Nothing listens on 9000: no answer at all.
    expect(side.answer({method: 'GET', url: 'http://blog.example.com:9000/', headers: {}, why: 'test'}).status).toBe(0)
  })

  it('diff: a port only one side serves is its own cause, and the fix is a listener, not a rule', () => {
    const old = snapshotOf(ingress).snapshot
    const neu = snapshotOf(yaml).snapshot
    const result = compareSides(sideOf('old', old, routeModelOf(old, compile(old).table)), sideOf('new', neu, routeModelOf(neu, compile(neu).table)), [{method: 'GET', url: 'http://shop.example.com:8000/', headers: {}, why: 'test'}])
    expect(result.differences[0]).toMatchObject({cause: 'port 8000 served by one side only', fix: expect.stringContaining('the old side has nothing listening on port 8000')})
  })

  it('diff --requests: an access-log line of an older kingress (no port) is routed as 80/443, its Host port dropped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-front-end-'))
    const log = join(dir, 'access.log')
    await writeFile(log, [JSON.stringify({type: 'request', method: 'GET', scheme: 'http', host: 'blog.example.com:8080', path: '/a'}), JSON.stringify({type: 'request', method: 'GET', scheme: 'http', host: '[::1]:8080', path: '/b', port: 8000})].join('\n') + '\n')
    expect((await readRequests(log)).map((p) => p.url)).toEqual(['http://blog.example.com/a', 'http://[::1]:8000/b'])
  })

  // A URL copied from the browser after --http-port fell back to 8080: the same Ingress answer as
  // without any Gateway loaded (src/routing/explain.ts takes such a port for kingress's own), and a note.
  it('explain: a port no Gateway listener has is answered as the Ingresses answer it, with a note', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-front-end-'))
    await writeFile(join(dir, 'mixed.yaml'), yaml)
    const result = await runCli(['explain', 'http://blog.example.com:9000/', dir, '--no-docker', '--backend', 'blog=127.0.0.1:9', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({status: 200})
    expect(result.stderr).toContain('note: no Gateway listener has port 9000; explained as the Ingresses answer it')
    expect(result.stderr).toContain('http://blog.example.com/')
  })
})

