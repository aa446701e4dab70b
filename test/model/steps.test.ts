import {describe, expect, it} from 'vitest'

import {forwardSteps} from '../../src/annotations/forward-steps.js'
import {annotationSteps} from '../../src/annotations/gate.js'
import type {GateContext} from '../../src/annotations/gate.js'
import {DEFAULT_POLICY, type IngressPolicy} from '../../src/annotations/policy.js'
import {RateLimiter} from '../../src/annotations/rate-limit.js'
import type {RequestView} from '../../src/annotations/request-view.js'
import {compileGatewayTable} from '../../src/gateway/route-table.js'
import {initialState, runSteps, type RouteStep} from '../../src/model/steps.js'
import {compile} from '../../src/routing/compile.js'
import {gatewayRouteYaml, ingressYaml, snapshotOf} from '../support/manifests.js'

const view: RequestView = {method: 'GET', scheme: 'http', host: 'a.example.com', path: '/x', query: '', headers: {}, remoteAddress: '10.0.0.1'}

function gateContext(limiter: RateLimiter): GateContext {
  const secrets: Record<string, Record<string, string>> = {'default/htpasswd': {auth: 'foo:{PLAIN}bar\n'}}
  return {tls: false, httpsPort: 443, httpPort: 80, limiter, secrets: (namespace, name) => secrets[`${namespace}/${name}`], ingressKey: 'default/a', defaultBodySizeLimit: null, locationPath: '/'}
}

/** The steps an HTTPRoute rule's filters compile into, from the Gateway table (src/gateway/route-table.ts). */
function filterStepsOf(rules: string): readonly RouteStep[] {
  const {snapshot} = snapshotOf(gatewayRouteYaml('r', 'a.example.com', rules))
  return compileGatewayTable(snapshot).listeners[0]!.candidates[0]!.steps
}

describe('route steps: one kind for annotations and filters, one executor (src/model/steps.ts)', () => {
  it('filters run in the order written, each on what the one before made', () => {
    const steps = filterStepsOf(`
  - filters:
    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Step, value: one}]}}
    - {type: URLRewrite, urlRewrite: {hostname: b.example.com, path: {type: ReplaceFullPath, replaceFullPath: /y}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: copy, port: 80}}}
    backendRefs: [{name: s, port: 80}]
`)
    expect(steps.map((s) => s.source)).toEqual(['RequestHeaderModifier', 'URLRewrite', 'RequestMirror'])
    const state = initialState('/x')
    expect(runSteps(steps, state, view, null)).toBeNull()
    expect([state.path, state.host, state.requestHeaders.length]).toEqual(['/y', 'b.example.com', 1])
    // The mirror copies the request as the filters before it left it.
    expect(state.mirrors[0]).toMatchObject({name: 'copy', target: '/y', host: 'b.example.com', requestHeaders: [{set: [['X-Step', 'one']]}]})
  })

  it('a RequestRedirect stops the request with its answer', () => {
    const steps = filterStepsOf(`
  - filters:
    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Step, value: one}]}}
    - {type: RequestRedirect, requestRedirect: {statusCode: 301, path: {type: ReplaceFullPath, replaceFullPath: /y}}}
`)
    const stop = runSteps(steps, initialState('/x'), view, null)
    expect(stop).toMatchObject({kind: 'answer', early: {status: 301, headers: {location: 'http://a.example.com/y'}}})
  })

  it("an Ingress's annotations compile into steps in nginx's phase order", () => {
    const policy: IngressPolicy = {...DEFAULT_POLICY, limitConnections: 1, limitRps: 10, basicAuth: {secretNamespace: 'default', secretName: 'htpasswd', realm: 'r', secretType: 'auth-file'}}
    // auth/main.go Parse reads the Secret: an unusable one denies the location before anything else of it runs.
    expect(annotationSteps(policy).map((s) => s.source.replace('nginx.ingress.kubernetes.io/', ''))).toEqual(['auth-secret', 'proxy-body-size', 'permanent-redirect, temporal-redirect, ssl-redirect', 'limit-rps', 'limit-connections', 'auth-type'])
    expect(annotationSteps(policy)).toBe(annotationSteps(policy))
  })

  it('a step that stops the request frees what an earlier step held (limit-connections before basic auth)', () => {
    const limiter = new RateLimiter()
    const policy: IngressPolicy = {...DEFAULT_POLICY, limitConnections: 1, basicAuth: {secretNamespace: 'default', secretName: 'htpasswd', realm: 'r', secretType: 'auth-file'}}
    for (let i = 0; i < 3; i++) {
      const state = initialState(view.path)
      const stop = runSteps(annotationSteps(policy), state, view, gateContext(limiter))
      // Refused by basic auth each time (no credentials), never by limit-connections: the slot came back.
      expect(stop?.kind === 'answer' && stop.early.status).toBe(401)
      expect(state.release).toBeNull()
    }
    expect(limiter.takeConnection('default/a|10.0.0.1', 1)).toBe(true)
  })

  it('a passing run holds the slot until the exchange ends', () => {
    const limiter = new RateLimiter()
    const policy: IngressPolicy = {...DEFAULT_POLICY, limitConnections: 1}
    const state = initialState(view.path)
    expect(runSteps(annotationSteps(policy), state, view, gateContext(limiter))).toBeNull()
    expect(limiter.takeConnection('default/a|10.0.0.1', 1)).toBe(false)
    state.release!()
    expect(limiter.takeConnection('default/a|10.0.0.1', 1)).toBe(true)
  })

  it('an ExtensionRef filter refuses the request: never skipped', () => {
    const steps = filterStepsOf(`
  - filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Thing, name: t}}]
    backendRefs: [{name: s, port: 80}]
`)
    expect(runSteps(steps, initialState('/'), view, null)).toMatchObject({kind: 'refuse'})
  })

  it("the annotations that shape what is forwarded are steps too, in adjustments' order: vhost, prefix, auth headers, te", () => {
    const policy: IngressPolicy = {...DEFAULT_POLICY, upstreamVhost: 'internal.svc', xForwardedPrefix: '/api', backendProtocol: 'GRPC', cors: {allowOrigin: ['*'], allowMethods: 'GET', allowHeaders: 'X-A', exposeHeaders: null, allowCredentials: false, maxAge: 5}, externalAuth: {url: 'http://auth/', method: null, responseHeaders: ['x-user'], signin: null}}
    const steps = forwardSteps(policy)
    expect(steps.map((s) => s.source.replace('nginx.ingress.kubernetes.io/', ''))).toEqual(['upstream-vhost', 'x-forwarded-prefix', 'auth-response-headers', 'backend-protocol', 'enable-cors'])
    const state = initialState('/x')
    const match = compile(snapshotOf(ingressYaml('a', [{host: 'a.example.com', paths: [{path: '/', pathType: 'Prefix', service: 's', port: 80}]}])).snapshot).table.match('a.example.com', '/x')
    expect(runSteps(steps, state, view, {match, authHeaders: {'x-user': 'ann'}})).toBeNull()
    expect(state.requestHeaders.map((e) => e.set[0])).toEqual([['host', 'internal.svc'], ['x-forwarded-prefix', '/api'], ['x-user', 'ann'], ['te', 'trailers']])
    expect(state.responseHeaders[0]!.set).toContainEqual(['access-control-allow-origin', '*'])
    expect(state.target).toBeNull()
  })

  it('rewrite-target replaces the whole request target, as the location\'s nginx rewrite does', () => {
    const {snapshot} = snapshotOf(ingressYaml('a', [{host: 'a.example.com', paths: [{path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific', service: 's', port: 80}]}], {annotations: {'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2'}}))
    const match = compile(snapshot).table.match('a.example.com', '/api/x')
    const policy = match.route!.policy
    const state = initialState('/api/x')
    runSteps(forwardSteps(policy), state, {...view, path: '/api/x', query: '?q=1'}, {match, authHeaders: null})
    expect(state.target).toBe('/x?q=1')
  })
})
