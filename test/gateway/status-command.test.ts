import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'

const STACK_FRAME = /\n\s+at .+:\d+:\d+/

interface ListItem {
  apiVersion: string
  kind: string
  metadata: {name: string; namespace?: string}
  status: {
    addresses?: {type: string; value: string}[]
    conditions?: {type: string; status: string; reason: string; message: string; observedGeneration?: number}[]
    listeners?: {name: string; attachedRoutes: number; supportedKinds: {group: string; kind: string}[]; conditions: {type: string; status: string; reason: string}[]}[]
    parents?: {parentRef: Record<string, unknown>; controllerName: string; conditions: {type: string; status: string; reason: string}[]}[]
  }
}

async function statusJson(args: string[]): Promise<{apiVersion: string; kind: string; items: ListItem[]}> {
  const result = await runCli(['status', '--json', ...args])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout) as {apiVersion: string; kind: string; items: ListItem[]}
}

describe('kingress status', () => {
  it('the blue/green example: every route Accepted with ResolvedRefs (Services from fixtures/services.yaml)', async () => {
    const list = await statusJson(['fixtures/gateway/', 'fixtures/services.yaml'])
    expect(list.apiVersion).toBe('v1')
    expect(list.kind).toBe('List')
    expect(list.items.map((i) => `${i.kind} ${i.metadata.namespace ?? ''}/${i.metadata.name}`)).toEqual([
      'GatewayClass /kingress',
      'Gateway default/blue-green',
      'HTTPRoute default/blue-virtual-host',
      'HTTPRoute default/fan-out',
      'HTTPRoute default/green-virtual-host',
    ])
    const routes = list.items.filter((i) => i.kind === 'HTTPRoute')
    for (const route of routes) {
      expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1')
      expect(route.status.parents).toHaveLength(1)
      const parent = route.status.parents![0]!
      expect(parent.parentRef).toEqual({group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default', name: 'blue-green', sectionName: 'http'})
      expect(parent.controllerName).toBe('kingress.dev/gateway-controller')
      expect(parent.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
        ['Accepted', 'True', 'Accepted'],
        ['ResolvedRefs', 'True', 'ResolvedRefs'],
      ])
    }
    const gateway = list.items.find((i) => i.kind === 'Gateway')!
    expect(gateway.status.conditions!.map((c) => [c.type, c.status])).toEqual([
      ['Accepted', 'True'],
      ['Programmed', 'True'],
    ])
    expect(gateway.status.listeners).toEqual([
      expect.objectContaining({name: 'http', attachedRoutes: 3, supportedKinds: [{group: 'gateway.networking.k8s.io', kind: 'HTTPRoute'}]}),
    ])
    // No metadata.generation in the manifests: no observedGeneration is claimed.
    expect(JSON.stringify(list)).not.toContain('observedGeneration')
  })

  it('without the Services, the routes are still Accepted but ResolvedRefs is BackendNotFound', async () => {
    const list = await statusJson(['fixtures/gateway/'])
    for (const route of list.items.filter((i) => i.kind === 'HTTPRoute')) {
      expect(route.status.parents![0]!.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(['Accepted=True/Accepted', 'ResolvedRefs=False/BackendNotFound'])
    }
  })

  it('prints text per object, with where it is written', async () => {
    const result = await runCli(['status', 'fixtures/gateway/', 'fixtures/services.yaml'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Gateway default/blue-green  (fixtures/gateway/blue-green.yaml:12:1)')
    expect(result.stdout).toContain('listener http: 3 routes attached, supported kinds: HTTPRoute')
    expect(result.stdout).toMatch(/HTTPRoute default\/fan-out .*\n {2}parent Gateway default\/blue-green \(sectionName http\), controller kingress.dev\/gateway-controller\n {4}Accepted {6}True {3}Accepted/)
  })

  it('echoes metadata.generation as observedGeneration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-status-'))
    await writeFile(join(dir, 'gw.yaml'), 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n  generation: 4\nspec:\n  gatewayClassName: local\n  listeners:\n  - name: http\n    port: 80\n    protocol: HTTP\n')
    const list = await statusJson([dir])
    expect(list.items[0]!.status.conditions!.every((c) => c.observedGeneration === 4)).toBe(true)
  })

  it('--class keeps the Gateways of that gatewayClassName only', async () => {
    const mine = await statusJson(['fixtures/gateway/', 'fixtures/services.yaml', '--class', 'kingress'])
    expect(mine.items.filter((i) => i.kind === 'Gateway')).toHaveLength(1)
    const other = await statusJson(['fixtures/gateway/', 'fixtures/services.yaml', '--class', 'other'])
    expect(other.items.filter((i) => i.kind === 'Gateway' || i.kind === 'GatewayClass')).toEqual([])
    // A controller writes no parent status for a Gateway of another class.
    for (const route of other.items.filter((i) => i.kind === 'HTTPRoute')) expect(route.status.parents).toEqual([])
  })

  // spec.addresses as conformance/tests/gateway-static-addresses.go and gateway-optional-address-value.go check them.
  it('status.addresses: a loopback spec address, the address `up` picks otherwise; AddressNotUsable and UnsupportedAddress for the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-status-'))
    const gw = (name: string, addresses: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: ${name}\nspec:\n  gatewayClassName: local\n${addresses === '' ? '' : `  addresses:\n${addresses}`}  listeners:\n  - name: http\n    port: 8080\n    protocol: HTTP\n---\n`
    await writeFile(
      join(dir, 'gw.yaml'),
      gw('a-static', '  - type: IPAddress\n    value: 127.0.0.9\n') + gw('b-any', '  - type: IPAddress\n') + gw('c-remote', '  - value: 192.0.2.10\n') + gw('d-hostname', '  - type: Hostname\n    value: gateway.example.com\n'),
    )
    const list = await statusJson([dir])
    const of = (name: string) => list.items.find((i) => i.metadata.name === name)!.status
    const conditions = (name: string) => of(name).conditions!.map((c) => `${c.type}=${c.status}/${c.reason}`)
    expect(of('a-static').addresses).toEqual([{type: 'IPAddress', value: '127.0.0.9'}])
    expect(conditions('a-static')).toEqual(['Accepted=True/Accepted', 'Programmed=True/Programmed'])
    expect(of('b-any').addresses).toEqual([{type: 'IPAddress', value: expect.stringMatching(/^127\./)}])
    expect(conditions('b-any')).toEqual(['Accepted=True/Accepted', 'Programmed=True/Programmed'])
    expect(conditions('c-remote')).toEqual(['Accepted=True/Accepted', 'Programmed=False/AddressNotUsable'])
    expect(of('c-remote').addresses).toEqual([{type: 'IPAddress', value: expect.stringMatching(/^127\./)}])
    expect(of('c-remote').conditions![1]!.message).toContain('192.0.2.10 (it is not a loopback address')
    expect(conditions('d-hostname')).toEqual(['Accepted=False/UnsupportedAddress', 'Programmed=False/Invalid'])
    expect(of('d-hostname').addresses).toBeUndefined()

    const text = await runCli(['status', dir])
    expect(text.stdout).toMatch(/Gateway default\/a-static .*\n {2}address 127\.0\.0\.9\n/)
    const validate = await runCli(['validate', dir])
    expect(validate.stdout).toContain('gw.yaml:35:5: warning: spec.addresses[0]: 192.0.2.10 is not used: it is not a loopback address')
    expect(validate.stdout).toContain('gw.yaml:48:5: warning: spec.addresses[0]: address type Hostname is not one kingress serves on')
  })

  it('manifest errors: exit 1 with file:line, no stack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-status-'))
    await writeFile(join(dir, 'route.yaml'), 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\nspec:\n  rules:\n  - matches:\n    - path:\n        type: PathPrefix\n        value: api\n')
    const result = await runCli(['status', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("route.yaml:10:9: spec.rules[0].matches[0].path: Invalid value: \"object\": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']")
    expect(result.stderr).toContain('Fix the errors above')
    expect(result.stdout + result.stderr).not.toMatch(STACK_FRAME)
  })

  it('says so when there is nothing to write status for', async () => {
    const result = await runCli(['status', 'fixtures/services.yaml'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('No GatewayClass, Gateway or HTTPRoute in the file')
  })
})

describe('commands that serve routes', () => {
  it('routes says which Gateway API objects are served and which are not, instead of ignoring them', async () => {
    const result = await runCli(['routes', '--no-docker', 'fixtures/gateway/', 'fixtures/services.yaml'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('fixtures/gateway/blue-green.yaml:12:1: warning: 1 Gateway and 3 HTTPRoutes loaded: `kingress up` serves the HTTPRoutes attached to Gateway HTTP and HTTPS listeners, with the Gateway API\'s semantics, each Gateway on an address of its own (--gateway-address;')
    expect(result.stderr).toContain('Not served: ExtensionRef filters (answered 500')
  })
})

describe('kingress validate with Gateway API objects', () => {
  it('counts Gateways and HTTPRoutes in the summary', async () => {
    const result = await runCli(['validate', 'fixtures/gateway/', 'fixtures/services.yaml'])
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe('✓ 2 files valid: 0 Ingresses (0 routes, 0 hosts), 2 Services, 1 Gateway, 3 HTTPRoutes')
  })

  it('warns, with file:line and the field, about a cross-namespace backendRef without a ReferenceGrant, and says what to add', async () => {
    const result = await runCli(['validate', 'fixtures/gateway-conformance/base.yaml', 'fixtures/gateway-conformance/httproute-invalid-cross-namespace-backend-ref.yaml'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      'fixtures/gateway-conformance/httproute-invalid-cross-namespace-backend-ref.yaml:12:7: warning: spec.rules[0].backendRefs[0]: Service gateway-conformance-web-backend/web-backend is in another namespace and no ReferenceGrant there permits it; add a ReferenceGrant in namespace gateway-conformance-web-backend with from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: gateway-conformance-infra}] and to: [{group: "", kind: Service, name: web-backend}] (ResolvedRefs: RefNotPermitted',
    )
    expect(result.stdout).toContain(', 1 warning')
  })

  it('warns at the parentRef when no listener takes the route', async () => {
    const result = await runCli(['validate', 'fixtures/gateway-conformance/base.yaml', 'fixtures/gateway-conformance/httproute-invalid-parentref-not-matching-section-name.yaml'])
    expect(result.stdout).toContain(
      'fixtures/gateway-conformance/httproute-invalid-parentref-not-matching-section-name.yaml:9:5: warning: spec.parentRefs[0]: not accepted by Gateway gateway-conformance-infra/same-namespace (Accepted: NoMatchingParent): Gateway gateway-conformance-infra/same-namespace has no listener named http1 on port 80; its listeners: http (port 80)',
    )
  })

  it('reports Gateway API schema errors as file:line:col: field: message and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-validate-gw-'))
    await writeFile(
      join(dir, 'gw.yaml'),
      'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  gatewayClassName: local\n  listeners:\n  - name: web\n    port: 80\n    protocol: HTTP\n  - name: web\n    port: 70000\n    protocol: HTTP\n',
    )
    const result = await runCli(['validate', dir])
    expect(result.code).toBe(1)
    const lines = result.stdout.trim().split('\n')
    expect(lines.some((l) => l.endsWith('gw.yaml:11:5: spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway'))).toBe(true)
    expect(lines.some((l) => l.endsWith('gw.yaml:12:5: spec.listeners[1].port: Invalid value: 70000: spec.listeners[1].port in body should be less than or equal to 65535'))).toBe(true)
    expect(lines.at(-1)).toBe('✗ 2 errors, 0 warnings in 1 file')
  })
})
