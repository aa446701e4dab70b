import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseGatewayAddress, parseListenerPort, planGatewaySockets, socketSignature, type GatewayAddressing} from '../../src/gateway/addresses.js'
import {compileGatewayTable} from '../../src/gateway/route-table.js'
import {CONFORMANCE, snapshotFrom} from './support.js'

/** The pure plan of `up`'s Gateway sockets: which address each Gateway gets, which socket each listener port. */

const gateway = (name: string, listeners: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: default}
spec:
  gatewayClassName: kingress
  listeners:
${listeners}---
`

function tableOf(yaml: string) {
  return compileGatewayTable(snapshotFrom({'test.yaml': yaml}).snapshot)
}

const addressing = (more: Partial<GatewayAddressing> = {}): GatewayAddressing => ({addresses: new Map(), listenerPorts: new Map(), platform: 'linux', ...more})

describe('planGatewaySockets', () => {
  const three = tableOf(readFileSync(join(CONFORMANCE, 'base.yaml'), 'utf8'))

  it('Linux: the first Gateway by namespace/name on --bind, the next on 127.0.0.2, 127.0.0.3', () => {
    const plan = planGatewaySockets(three, '127.0.0.1', addressing())
    expect([...plan.addresses]).toEqual([
      ['gateway-conformance-infra/all-namespaces', '127.0.0.1'],
      ['gateway-conformance-infra/backend-namespaces', '127.0.0.2'],
      ['gateway-conformance-infra/same-namespace', '127.0.0.3'],
    ])
    const http = plan.sockets.find((s) => s.ingress && s.scheme === 'http')!
    expect(http.gateways).toEqual(['gateway-conformance-infra/all-namespaces'])
    expect(plan.sockets.filter((s) => !s.ingress).map((s) => `${s.address} ${s.port}`)).toEqual(['127.0.0.2 http', '127.0.0.3 http'])
    expect(plan.warnings).toEqual([])
  })

  it('--gateway-address takes its address out of the automatic ones', () => {
    const plan = planGatewaySockets(three, '127.0.0.1', addressing({addresses: new Map([['gateway-conformance-infra/same-namespace', '127.0.0.2']])}))
    expect(plan.addresses.get('gateway-conformance-infra/same-namespace')).toBe('127.0.0.2')
    expect(plan.addresses.get('gateway-conformance-infra/backend-namespaces')).toBe('127.0.0.3')
  })

  it('a --gateway-address for a Gateway that is not loaded is a warning', () => {
    const plan = planGatewaySockets(three, '127.0.0.1', addressing({addresses: new Map([['default/nope', '127.0.0.9']])}))
    expect(plan.warnings).toEqual(['--gateway-address default/nope=127.0.0.9: no Gateway default/nope with an accepted HTTP or HTTPS listener is loaded.'])
  })

  it('macOS and a wildcard --bind: every Gateway shares --bind', () => {
    for (const [bind, platform] of [['127.0.0.1', 'darwin'], ['0.0.0.0', 'linux']] as const) {
      const plan = planGatewaySockets(three, bind, addressing({platform}))
      expect(new Set(plan.addresses.values())).toEqual(new Set([bind]))
      expect(plan.sockets.filter((s) => !s.ingress)).toEqual([])
    }
    expect(planGatewaySockets(three, '127.0.0.1', addressing({platform: 'darwin'})).warnings.join('\n')).toContain('sudo ifconfig lo0 alias 127.0.0.2 up')
  })

  it('ports: 80 and 443 follow --http-port/--https-port, others their own number or --listener-port', () => {
    const table = tableOf(
      gateway('a', '  - {name: web, port: 80, protocol: HTTP}\n  - {name: alt, port: 8000, protocol: HTTP}\n  - {name: other, port: 9000, protocol: HTTP}\n  - name: tls\n    port: 443\n    protocol: HTTPS\n    tls: {certificateRefs: [{name: c}]}\n'),
    )
    const plan = planGatewaySockets(table, '127.0.0.1', addressing({listenerPorts: new Map([[8000, 18000]])}))
    expect(plan.sockets.map((s) => [s.port, s.scheme, s.gatewayPort, s.ingress, s.gateways.length])).toEqual([
      ['http', 'http', 80, true, 1],
      ['https', 'https', 443, true, 1],
      [18000, 'http', 8000, false, 1],
      [9000, 'http', 9000, false, 1],
    ])
  })

  it('two listener ports mapped onto one socket: the second is not served, and said so', () => {
    const table = tableOf(gateway('a', '  - {name: alt, port: 8000, protocol: HTTP}\n  - {name: other, port: 9000, protocol: HTTP}\n'))
    const plan = planGatewaySockets(table, '127.0.0.1', addressing({listenerPorts: new Map([[8000, 9000]])}))
    expect(plan.sockets.filter((s) => !s.ingress)).toHaveLength(1)
    expect(plan.warnings).toEqual([expect.stringContaining('Gateway listener default/a/other (HTTP port 9000) is not served: port 9000 on 127.0.0.1 already serves HTTP port 8000 (default/a/alt)')])
  })

  it('listener ports mapped to 0 (any free port): a socket each, not one shared', () => {
    const table = tableOf(gateway('a', '  - {name: alt, port: 8000, protocol: HTTP}\n  - {name: other, port: 9000, protocol: HTTP}\n'))
    const plan = planGatewaySockets(table, '127.0.0.1', addressing({listenerPorts: new Map([[8000, 0], [9000, 0]])}))
    expect(plan.sockets.filter((s) => !s.ingress).map((s) => [s.port, s.gatewayPort])).toEqual([
      [0, 8000],
      [0, 9000],
    ])
    expect(plan.warnings).toEqual([])
  })

  it('Gateways sharing an address: a warning for listeners of the same port and hostname', () => {
    const table = tableOf(gateway('a', '  - {name: web, port: 80, protocol: HTTP, hostname: shop.example.com}\n') + gateway('b', '  - {name: web, port: 80, protocol: HTTP, hostname: shop.example.com}\n  - {name: other, port: 80, protocol: HTTP, hostname: b.example.com}\n'))
    const shared = planGatewaySockets(table, '127.0.0.1', addressing({addresses: new Map([['default/a', '127.0.0.5'], ['default/b', '127.0.0.5']])}))
    expect(shared.warnings).toEqual([expect.stringContaining('Gateway listeners default/a/web and default/b/web share 127.0.0.5 port 80 and hostname shop.example.com')])
    // --bind given to one Gateway: the automatic ones start at 127.0.0.2, nobody shares.
    expect(planGatewaySockets(table, '127.0.0.1', addressing({addresses: new Map([['default/b', '127.0.0.1']])})).addresses.get('default/a')).toBe('127.0.0.2')
    expect(planGatewaySockets(table, '127.0.0.1', addressing()).warnings).toEqual([])
  })

  it('the signature changes when a Gateway is added, not when only routes change', () => {
    const one = gateway('a', '  - {name: web, port: 80, protocol: HTTP}\n')
    const route = 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: default}\nspec:\n  parentRefs: [{name: a}]\n  rules: [{backendRefs: [{name: s, port: 80}]}]\n'
    const sig = (yaml: string) => socketSignature(planGatewaySockets(tableOf(yaml), '127.0.0.1', addressing()))
    expect(sig(one + route)).toBe(sig(one))
    expect(sig(one + gateway('b', '  - {name: web, port: 80, protocol: HTTP}\n'))).not.toBe(sig(one))
  })
})

describe('the flags', () => {
  it.each([
    ['default/shop=127.0.0.2', ['default/shop', '127.0.0.2']],
    ['shop=127.0.0.2', 'expected NAMESPACE/NAME=IP'],
    ['default/shop=localhost', 'localhost is not an IP address'],
  ] as const)('--gateway-address %s', (text, expected) => {
    const parsed = parseGatewayAddress(text)
    if (typeof expected === 'string') expect(parsed).toContain(expected)
    else expect(parsed).toEqual(expected)
  })

  it.each([
    ['8000=18000', [8000, 18000]],
    ['8000=0', [8000, 0]],
    ['80=8081', 'served on --http-port'],
    ['443=8444', 'served on --https-port'],
    ['8000', 'expected LISTENER_PORT=LOCAL_PORT'],
    ['70000=1', 'expected LISTENER_PORT=LOCAL_PORT'],
  ] as const)('--listener-port %s', (text, expected) => {
    const parsed = parseListenerPort(text)
    if (typeof expected === 'string') expect(parsed).toContain(expected)
    else expect(parsed).toEqual(expected)
  })
})
