import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {buildProviders} from '../../src/runtime/providers.js'
import {gatewayAddressing} from '../../src/cli/gateway-addressing.js'
import {startSession} from '../../src/runtime/session.js'
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

// status.addresses are where `up` serves each Gateway, so `status` takes `up`'s --bind and
// --gateway-address and plans with the same planGatewaySockets.
describe('kingress status --bind / --gateway-address', () => {
  const threeGateways = (extra = '') =>
    ['a', 'b', 'c']
      .map((name) => `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  gatewayClassName: local\n  listeners:\n  - name: http\n    port: 80\n    protocol: HTTP\n---\n`)
      .join('') + extra

  it('reports the addresses `up` serves on with the same flags', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-status-'))
    const file = join(dir, 'gw.yaml')
    await writeFile(file, threeGateways())
    const flags = ['--bind', '127.0.0.5', '--gateway-address', 'default/b=127.0.0.9']
    const list = await statusJson([dir, ...flags])
    const reported = Object.fromEntries(list.items.filter((i) => i.kind === 'Gateway').map((i) => [`default/${i.metadata.name}`, i.status.addresses]))
    expect(reported).toEqual({
      'default/a': [{type: 'IPAddress', value: '127.0.0.5'}],
      'default/b': [{type: 'IPAddress', value: '127.0.0.9'}],
      'default/c': [{type: 'IPAddress', value: '127.0.0.2'}],
    })
    // `up` with the same flags, on real sockets (Linux loopback is all of 127.0.0.0/8).
    const session = await startSession({
      inputs: [file],
      providers: await buildProviders({backends: [], docker: false}),
      bind: '127.0.0.5',
      http: {port: 0, explicit: true, fallbackPort: 0},
      watch: false,
      log: null,
      drainMs: 0,
      gateways: gatewayAddressing({'gateway-address': ['default/b=127.0.0.9']}, 'linux'),
    })
    try {
      for (const [key, addresses] of Object.entries(reported)) expect(session.gatewayAddress(key)).toBe(addresses![0]!.value)
    } finally {
      await session.close()
    }
  })

  it('a --gateway-address naming no loaded Gateway is said on stderr; wrong values are errors naming the flag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-status-'))
    await writeFile(join(dir, 'gw.yaml'), threeGateways())
    const unknown = await runCli(['status', '--json', dir, '--gateway-address', 'default/nope=127.0.0.7'])
    expect(unknown.code).toBe(0)
    expect(unknown.stderr).toBe('kingress: --gateway-address default/nope=127.0.0.7: no Gateway default/nope with an accepted HTTP or HTTPS listener is loaded.\n')
    const malformed = await runCli(['status', dir, '--gateway-address', 'nope'])
    expect(malformed.code).toBe(1)
    expect(malformed.stderr).toContain('--gateway-address nope: expected NAMESPACE/NAME=IP, e.g. default/shop=127.0.0.2.')
    const twice = await runCli(['status', dir, '--gateway-address', 'default/a=127.0.0.3', '--gateway-address', 'default/a=127.0.0.4'])
    expect(twice.code).toBe(1)
    expect(twice.stderr).toContain('--gateway-address default/a is given twice (127.0.0.3 and 127.0.0.4).')
    const bind = await runCli(['status', dir, '--bind', 'localhost'])
    expect(bind.code).toBe(1)
    expect(bind.stderr).toContain('--bind localhost: status.addresses holds IP addresses')
    for (const r of [malformed, twice, bind]) expect(r.stdout + r.stderr).not.toMatch(STACK_FRAME)
  })
})
