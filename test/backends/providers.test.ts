import {describe, expect, it} from 'vitest'

import {EndpointSliceProvider} from '../../src/backends/endpoint-slices.js'
import {HealthRegistry} from '../../src/backends/health.js'
import {resolveBackends} from '../../src/backends/resolver.js'
import {BackendFlagError, parseBackendFlag, StaticProvider} from '../../src/backends/static.js'
import {compileYaml, ingressYaml, snapshotOf} from '../support/manifests.js'

const ref = (service: string, port: {number: number} | {name: string} = {number: 80}) => ({namespace: 'default', service, port})

describe('--backend flags', () => {
  it('parses S=HOST:PORT, S:P=..., S:name=..., [v6]:PORT and a bare PORT', () => {
    expect(parseBackendFlag('web=127.0.0.1:3000')).toMatchObject({service: 'web', port: null, host: '127.0.0.1', targetPort: 3000})
    expect(parseBackendFlag('web:8080=localhost:3000')).toMatchObject({port: {number: 8080}, host: 'localhost'})
    expect(parseBackendFlag('web:http=10.0.0.2:80')).toMatchObject({port: {name: 'http'}})
    expect(parseBackendFlag('web=[::1]:3000')).toMatchObject({host: '::1', targetPort: 3000})
    expect(parseBackendFlag('web=5173')).toMatchObject({host: '127.0.0.1', targetPort: 5173})
  })

  it('rejects malformed flags with a user error that shows the right form', () => {
    for (const bad of ['web', '=1.2.3.4:80', 'Web=1.2.3.4:80', 'web=1.2.3.4', 'web=1.2.3.4:99999', 'web=::1:80', 'web:!=1.2.3.4:80']) {
      expect(() => parseBackendFlag(bad)).toThrow(BackendFlagError)
    }
    expect(() => parseBackendFlag('web=1.2.3.4')).toThrow('Write it as [NAMESPACE/]SERVICE[:PORT]=HOST:PORT')
  })

  it('repeating a flag gives several endpoints; a port-specific flag beats a general one', () => {
    const provider = new StaticProvider(['web=127.0.0.1:3000', 'web=127.0.0.1:3001', 'web=127.0.0.1:3000', 'web:9090=127.0.0.1:4000'].map(parseBackendFlag))
    expect(provider.resolve(ref('web'))!.endpoints.map((e) => e.id)).toEqual(['127.0.0.1:3000', '127.0.0.1:3001'])
    expect(provider.resolve(ref('web', {number: 9090}))!.endpoints.map((e) => e.id)).toEqual(['127.0.0.1:4000'])
    expect(provider.resolve(ref('other'))).toBeUndefined()
  })

  it('a namespace in the flag is exact; without one the flag serves the Service in every namespace', () => {
    expect(parseBackendFlag('shop/web:8080=127.0.0.1:3000')).toMatchObject({namespace: 'shop', service: 'web', port: {number: 8080}})
    expect(parseBackendFlag('web=127.0.0.1:3000')).toMatchObject({namespace: null})
    expect(() => parseBackendFlag('Shop/web=127.0.0.1:3000')).toThrow('is not a namespace name')
    const provider = new StaticProvider(['shop/web=127.0.0.1:3000', 'any=127.0.0.1:3001'].map(parseBackendFlag))
    expect(provider.resolve({namespace: 'shop', service: 'web', port: {number: 80}})!.endpoints.map((e) => e.id)).toEqual(['127.0.0.1:3000'])
    expect(provider.resolve({namespace: 'default', service: 'web', port: {number: 80}})).toBeUndefined()
    expect(provider.resolve({namespace: 'shop', service: 'any', port: {number: 80}})!.endpoints.map((e) => e.id)).toEqual(['127.0.0.1:3001'])
  })
})

const SELECTORLESS = `apiVersion: v1
kind: Service
metadata:
  name: dev
spec:
  ports:
  - name: http
    port: 80
    targetPort: 3000
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: dev-1
  labels:
    kubernetes.io/service-name: dev
addressType: IPv4
ports:
- name: http
  port: 3000
endpoints:
- addresses: ["127.0.0.1"]
- addresses: ["127.0.0.2"]
  conditions:
    ready: false
`

describe('EndpointSlice / Endpoints provider', () => {
  it('maps Service port → targetPort → slice port by name, keeping readiness', () => {
    const {snapshot} = snapshotOf(SELECTORLESS)
    const target = new EndpointSliceProvider().resolve(ref('dev'), snapshot)!
    expect(target.endpoints.map((e) => [e.id, e.ready])).toEqual([
      ['127.0.0.1:3000', true],
      ['127.0.0.2:3000', false],
    ])
    expect(target.problem).toBeNull()
    expect(target.source).toContain('EndpointSlice dev-1')
  })

  it('finds a Service port by name too, and explains a port the Service lacks', () => {
    const {snapshot} = snapshotOf(SELECTORLESS)
    expect(new EndpointSliceProvider().resolve(ref('dev', {name: 'http'}), snapshot)!.endpoints).toHaveLength(2)
    const missing = new EndpointSliceProvider().resolve(ref('dev', {number: 81}), snapshot)!
    expect(missing.endpoints).toEqual([])
    expect(missing.problem).toContain('has no port 81 (its ports: http 80→3000)')
  })

  it('reads Endpoints objects, and leaves Services with a selector (or none) to the next provider', () => {
    const endpoints = `apiVersion: v1
kind: Service
metadata:
  name: legacy
spec:
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Endpoints
metadata:
  name: legacy
subsets:
- addresses:
  - ip: 10.0.0.5
  ports:
  - port: 8080
`
    const {snapshot} = snapshotOf(endpoints)
    expect(new EndpointSliceProvider().resolve(ref('legacy'), snapshot)!.endpoints.map((e) => e.id)).toEqual(['10.0.0.5:8080'])
    const withSelector = snapshotOf('apiVersion: v1\nkind: Service\nmetadata:\n  name: sel\nspec:\n  selector:\n    app: x\n  ports:\n  - port: 80\n').snapshot
    expect(new EndpointSliceProvider().resolve(ref('sel'), withSelector)).toBeUndefined()
    expect(new EndpointSliceProvider().resolve(ref('nothing'), withSelector)).toBeUndefined()
  })

  it('says what to add when a selector-less Service has no slice', () => {
    const {snapshot} = snapshotOf('apiVersion: v1\nkind: Service\nmetadata:\n  name: lonely\nspec:\n  ports:\n  - port: 80\n    targetPort: 5173\n')
    const target = new EndpointSliceProvider().resolve(ref('lonely'), snapshot)!
    expect(target.problem).toContain('kubernetes.io/service-name: lonely')
    expect(target.problem).toContain('--backend lonely=127.0.0.1:5173')
  })
})

describe('resolveBackends: the resolution order', () => {
  it('static flags first, then EndpointSlices; unresolved Services say how to fix them', () => {
    const yaml = ingressYaml('app', [{host: 'a.test', paths: [{path: '/', pathType: 'Prefix', service: 'dev'}, {path: '/x', pathType: 'Prefix', service: 'ghost'}]}]) + '---\n' + SELECTORLESS
    const {table} = compileYaml(yaml)
    const {snapshot} = snapshotOf(yaml)
    const health = new HealthRegistry()
    const slices = new EndpointSliceProvider()
    const fromSlices = resolveBackends(table, snapshot, [new StaticProvider([]), slices], health)
    const dev = fromSlices.all.find((b) => b.label === 'dev:80')!
    expect(dev.provider).toBe('endpoint-slices')
    expect(dev.balancer.members.map((m) => m.address)).toEqual(['127.0.0.1:3000'])
    const ghost = fromSlices.all.find((b) => b.label === 'ghost:80')!
    expect(ghost.problem).toContain('Pass --backend ghost=127.0.0.1:3000')

    const overridden = resolveBackends(table, snapshot, [new StaticProvider([parseBackendFlag('dev=127.0.0.1:9999')]), slices], health)
    expect(overridden.all.find((b) => b.label === 'dev:80')!.balancer.members.map((m) => m.address)).toEqual(['127.0.0.1:9999'])
  })

  it('a Service with a selector and no Docker explains that Docker discovery is off', () => {
    const yaml = ingressYaml('app', [{host: 'a.test', paths: [{path: '/', pathType: 'Prefix', service: 'sel'}]}]) + '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: sel\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n'
    const {table} = compileYaml(yaml)
    const backends = resolveBackends(table, snapshotOf(yaml).snapshot, [new StaticProvider([]), new EndpointSliceProvider()], new HealthRegistry())
    expect(backends.all[0]!.problem).toContain('selects containers by labels, and Docker discovery is not in use')
    expect(backends.all[0]!.problem).toContain('--backend sel=127.0.0.1:3000')
  })
})
