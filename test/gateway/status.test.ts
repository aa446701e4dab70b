import {describe, expect, it} from 'vitest'

import {gatewayStatus, listener, parentFor, statusOf, summary} from './support.js'

/**
 * Status rules beyond the conformance tests' cases, each from the API docs
 * (kubernetes-sigs/gateway-api apis/v1/gateway_types.go, shared_types.go, httproute_types.go).
 */

const NS = 'default'

const gw = (listeners: string, name = 'gw', className = 'local'): string => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${name}
spec:
  gatewayClassName: ${className}
  listeners:
${listeners}
---
`

const http = (name = 'http', extra = '', port = 80): string => `  - name: ${name}\n    port: ${port}\n    protocol: HTTP\n${extra}`

const service = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
---
`

function route(spec: string, name = 'r', namespace = NS): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec}
---
`
}

const toWeb = '  rules:\n  - backendRefs:\n    - name: web\n      port: 80'

describe('Gateway status', () => {
  it('listeners on one port with HTTP and HTTPS conflict: Conflicted ProtocolConflict, not Accepted, not Programmed', () => {
    const result = statusOf(gw(`${http('a')}  - name: b\n    port: 80\n    protocol: HTTPS\n    tls:\n      certificateRefs:\n      - name: missing\n`))
    for (const name of ['a', 'b']) {
      const c = summary(listener(gatewayStatus(result, 'gw', NS), name).conditions)
      expect(c, name).toMatchObject({Accepted: 'False/ProtocolConflict', Conflicted: 'True/ProtocolConflict', Programmed: 'False/Invalid'})
    }
    expect(summary(gatewayStatus(result, 'gw', NS).conditions)).toEqual({Accepted: 'False/ListenersNotValid', Programmed: 'False/Invalid'})
  })

  it('a Gateway whose class is not among the loaded GatewayClasses stays Pending, and its routes get no parent status', () => {
    const result = statusOf(
      'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: eg\nspec:\n  controllerName: example.net/gateway\n---\n' + gw(http()) + service + route(`  parentRefs:\n  - name: gw\n${toWeb}`),
    )
    expect(summary(gatewayStatus(result, 'gw', NS).conditions)).toEqual({Accepted: 'Unknown/Pending', Programmed: 'Unknown/Pending'})
    expect(gatewayStatus(result, 'gw', NS).listeners).toEqual([])
    const item = result.items.find((i) => i.kind === 'HTTPRoute')!
    expect(item.kind === 'HTTPRoute' && item.status.parents).toEqual([])
    expect(result.diagnostics.map((d) => d.field)).toContain('spec.gatewayClassName')
  })
})

describe('HTTPRoute attachment', () => {
  it('a Selector with matchExpressions reads the Namespace labels (and kubernetes.io/metadata.name)', () => {
    const selector = '    allowedRoutes:\n      namespaces:\n        from: Selector\n        selector:\n          matchExpressions:\n          - key: team\n            operator: In\n            values: [a, b]\n'
    const ns = (name: string, team: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n    team: ${team}\n---\n`
    const result = statusOf(gw(http('http', selector)) + ns('team-a', 'a') + ns('team-c', 'c') + route('  parentRefs:\n  - name: gw\n    namespace: default', 'ra', 'team-a') + route('  parentRefs:\n  - name: gw\n    namespace: default', 'rc', 'team-c'))
    expect(summary(parentFor(result, 'ra', 'gw', 'team-a').conditions).Accepted).toBe('True/Accepted')
    expect(summary(parentFor(result, 'rc', 'gw', 'team-c').conditions).Accepted).toBe('False/NotAllowedByListeners')
    expect(listener(gatewayStatus(result, 'gw', NS), 'http').attachedRoutes).toBe(1)
  })

  it('a wildcard listener never takes the bare suffix: NoMatchingListenerHostname', () => {
    const result = statusOf(gw(http('http', '    hostname: "*.example.com"\n')) + route('  parentRefs:\n  - name: gw\n  hostnames:\n  - example.com'))
    const accepted = parentFor(result, 'r', 'gw', NS).conditions.find((c) => c.type === 'Accepted')!
    expect(`${accepted.status}/${accepted.reason}`).toBe('False/NoMatchingListenerHostname')
    expect(accepted.message).toContain('*.example.com')
  })

  it('a parentRef to a Gateway that is not loaded: NoMatchingParent, with a located warning', () => {
    const result = statusOf(route('  parentRefs:\n  - name: nowhere'))
    expect(summary(parentFor(result, 'r', 'nowhere', NS).conditions).Accepted).toBe('False/NoMatchingParent')
    expect(result.diagnostics).toEqual([expect.objectContaining({severity: 'warning', field: 'spec.parentRefs[0]', at: {file: 'test.yaml', line: 8, col: 5}})])
  })

  // httproute_types.go HTTPRouteRule.Filters: unsupported filters setting Accepted False may use the IncompatibleFilters reason.
  it('an ExtensionRef filter kingress cannot run: Accepted False, IncompatibleFilters', () => {
    const result = statusOf(gw(http()) + route('  parentRefs:\n  - name: gw\n  rules:\n  - filters:\n    - type: ExtensionRef\n      extensionRef:\n        group: example.net\n        kind: Auth\n        name: a'))
    expect(summary(parentFor(result, 'r', 'gw', NS).conditions).Accepted).toBe('False/IncompatibleFilters')
    // validate prints these diagnostics: at the filter, saying what `up` does with it.
    expect(result.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({severity: 'warning', field: 'spec.rules[0].filters[0]', message: expect.stringContaining('answers the requests of this rule 500')})]))
    expect(listener(gatewayStatus(result, 'gw', NS), 'http').attachedRoutes).toBe(0)
  })
})

describe('HTTPRoute ResolvedRefs', () => {
  it('a Service without the referenced port is BackendNotFound, and says which ports it has', () => {
    const result = statusOf(gw(http()) + service + route('  parentRefs:\n  - name: gw\n  rules:\n  - backendRefs:\n    - name: web\n      port: 8080'))
    const refs = parentFor(result, 'r', 'gw', NS).conditions.find((c) => c.type === 'ResolvedRefs')!
    expect(`${refs.status}/${refs.reason}`).toBe('False/BackendNotFound')
    expect(refs.message).toContain('has no port 8080 (it has 80)')
  })

  it("a RequestMirror filter's backendRef is checked like the others", () => {
    const result = statusOf(gw(http()) + service + route('  parentRefs:\n  - name: gw\n  rules:\n  - filters:\n    - type: RequestMirror\n      requestMirror:\n        backendRef:\n          name: shadow\n          port: 80\n    backendRefs:\n    - name: web\n      port: 80'))
    const refs = parentFor(result, 'r', 'gw', NS).conditions.find((c) => c.type === 'ResolvedRefs')!
    expect(`${refs.status}/${refs.reason}`).toBe('False/BackendNotFound')
    expect(refs.message).toContain('spec.rules[0].filters[0].requestMirror.backendRef: Service default/shadow')
  })

  it('the first unresolved ref gives the reason; the message names them all', () => {
    const result = statusOf(gw(http()) + service + route('  parentRefs:\n  - name: gw\n  rules:\n  - backendRefs:\n    - name: gone\n      port: 80\n    - kind: Bucket\n      group: storage.example.net\n      name: b'))
    const refs = parentFor(result, 'r', 'gw', NS).conditions.find((c) => c.type === 'ResolvedRefs')!
    expect(refs.reason).toBe('BackendNotFound')
    expect(refs.message).toContain('spec.rules[0].backendRefs[1]: backendRef kind Bucket.storage.example.net is not supported')
  })
})

// The *ObservedGenerationBump conformance tests (gateway-, httproute-, gatewayclass-observed-generation-bump.go)
// need an API server that bumps metadata.generation; what carries over: every condition echoes it.
describe('observedGeneration', () => {
  it('every condition of a Gateway, its listeners and an HTTPRoute echoes metadata.generation', () => {
    const withGeneration = (yaml: string, generation: number): string => yaml.replace('metadata:\n', `metadata:\n  generation: ${generation}\n`)
    const result = statusOf(withGeneration(gw(http()), 3) + service + withGeneration(route(`  parentRefs:\n  - name: gw\n${toWeb}`), 7))
    const g = gatewayStatus(result, 'gw', NS)
    expect([...g.conditions, ...g.listeners.flatMap((l) => l.conditions)].map((c) => c.observedGeneration)).toEqual(Array(6).fill(3))
    expect(parentFor(result, 'r', 'gw', NS).conditions.map((c) => c.observedGeneration)).toEqual([7, 7])
  })
})
