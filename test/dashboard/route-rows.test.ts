import {describe, expect, it} from 'vitest'
import {HealthRegistry} from '../../src/backends/health.js'
import {resolveBackends} from '../../src/backends/resolver.js'
import type {Endpoint, EndpointProvider} from '../../src/backends/types.js'
import {gatewayRouteRows, routeMatch, routeRows} from '../../src/dashboard/route-rows.js'
import {compileGatewayTable} from '../../src/gateway/route-table.js'
import {snapshotOf, ingressYaml, gatewayRouteYaml} from '../support/manifests.js'
import {compile} from '../../src/routing/compile.js'

const endpoint = (id: string, port: number, ready = true, notReadyReason: string | null = null): Endpoint => ({id, host: '127.0.0.1', port, name: id, via: 'static', ready, notReadyReason})

describe('routeRows', () => {
  it('turns the served table and backends into dashboard rows, with ejections from passive health', () => {
    const yaml = ingressYaml('demo', [
      {host: 'blue.example.com', paths: [{path: '/', pathType: 'Prefix', service: 'blue', port: 80}]},
      {host: 'green.example.com', paths: [{path: '/api', pathType: 'Exact', service: 'green', port: 80}]},
    ])
    const {snapshot} = snapshotOf(yaml)
    const {table} = compile(snapshot)
    const provider: EndpointProvider = {
      name: 'test',
      resolve: (ref) =>
        ref.service === 'blue'
          ? {ref, endpoints: [endpoint('b1', 8081), endpoint('b2', 8082)], source: 'test', problem: null}
          : {ref, endpoints: [endpoint('g1', 9091, false, 'healthcheck is "starting"')], source: 'test', problem: null},
      onChange: () => () => {},
      close: async () => {},
    }
    const health = new HealthRegistry()
    const backends = resolveBackends(table, snapshot, [provider], health)
    const now = Date.now()
    health.get('b2').recordFailure(now, 'connect ECONNREFUSED')

    const rows = routeRows(table, (route) => backends.forMatch(routeMatch(route)), now)
    const blue = rows.find((r) => r.host === 'blue.example.com')!
    expect(blue).toMatchObject({path: '/', pathType: 'Prefix', service: 'blue:80', serviceKey: 'default/blue:80', problem: null})
    expect(blue.endpoints).toEqual([
      {name: 'b1', address: '127.0.0.1:8081', state: 'ready', reason: null},
      {name: 'b2', address: '127.0.0.1:8082', state: 'ejected', reason: 'connect ECONNREFUSED'},
    ])
    expect(blue.routeId).toBe(table.routes.find((r) => r.host === 'blue.example.com')!.id)
    const green = rows.find((r) => r.host === 'green.example.com')!
    expect(green.endpoints[0]).toMatchObject({state: 'starting', reason: 'healthcheck is "starting"'})
    expect(green.problem).toContain('no endpoint is ready')
  })
})

describe('gatewayRouteRows', () => {
  it('gives one row per HTTPRoute match in precedence order, with negative ids and the first backend\'s endpoints', () => {
    const yaml = gatewayRouteYaml('shop', 'shop.example.com', `
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: web, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /api}, method: POST, headers: [{name: version, value: "2"}]}]
    backendRefs: [{name: api, port: 80, weight: 3}, {name: web, port: 80, weight: 1}]
  - matches: [{path: {type: Exact, value: /broken}}]
`)
    const {snapshot} = snapshotOf(yaml)
    const {table} = compile(snapshot)
    const gateways = compileGatewayTable(snapshot)
    const provider: EndpointProvider = {
      name: 'test',
      resolve: (ref) => ({ref, endpoints: ref.service === 'api' ? [endpoint('a1', 7001)] : [endpoint('w1', 7002)], source: 'test', problem: null}),
      onChange: () => () => {},
      close: async () => {},
    }
    const backends = resolveBackends(table, snapshot, [provider], new HealthRegistry(), gateways)
    const rows = gatewayRouteRows(gateways, backends)
    expect(rows.map((r) => [r.path, r.pathType, r.service])).toEqual([
      ['/broken', 'Exact', 'none (500)'],
      ['/api', 'PathPrefix, POST, header version=2', 'api:80 (weight 3), web:80 (weight 1)'],
      ['/', 'PathPrefix', 'web:80'],
    ])
    expect(rows.every((r) => r.routeId < 0 && r.host === 'shop.example.com')).toBe(true)
    expect(new Set(rows.map((r) => r.routeId)).size).toBe(3)
    expect(rows[1]!.endpoints).toEqual([{name: 'a1', address: '127.0.0.1:7001', state: 'ready', reason: null}])
    expect(rows[0]).toMatchObject({endpoints: [], problem: 'no backendRefs: the Gateway answers 500'})
  })
})
