// Manifests the bench generates at run time (in a temporary folder): a 10,000-route Ingress table
// and two Gateway API tables of the same shape, one matching on paths alone, one on paths, a header
// and a query parameter.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

export const GATEWAY_PATH_HOST = 'gw-path.test'
export const GATEWAY_MATCH_HOST = 'gw-match.test'
/** The request both Gateway tables serve with their last rule. */
export const GATEWAY_REQUEST = {path: '/bench/item?variant=v7', headers: ['X-Variant: v7']}
const GATEWAY_RULES = 8

function ingress(name, host, paths) {
  const lines = [
    'apiVersion: networking.k8s.io/v1',
    'kind: Ingress',
    'metadata:',
    `  name: ${name}`,
    '  namespace: default',
    'spec:',
    '  rules:',
    `  - host: ${host}`,
    '    http:',
    '      paths:',
  ]
  for (const path of paths) lines.push(`      - path: ${path}`, '        pathType: Prefix', '        backend:', '          service:', '            name: bench-svc', '            port:', '              number: 80')
  return lines.join('\n')
}

/**
 * 100 hosts × 100 Prefix paths = 10,000 routes. bench.test is one of the hosts, so the request the
 * bench sends (`bench.test/`) is looked up among 100 paths of its own host and 9,900 of others.
 */
export function manyRoutes(dir, count = 10_000) {
  const perHost = 100
  const hosts = Math.ceil(count / perHost)
  const docs = []
  for (let h = 0; h < hosts; h++) {
    const host = h === hosts - 1 ? 'bench.test' : `h${h}.bench.test`
    const paths = Array.from({length: perHost - 1}, (_, p) => `/p${p}`)
    paths.push('/')
    docs.push(ingress(`many-${h}`, host, paths))
  }
  const file = join(dir, 'many-routes.yaml')
  writeFileSync(file, docs.join('\n---\n') + '\n')
  return file
}

function httpRoute(name, host, rules) {
  const lines = [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: HTTPRoute',
    'metadata:',
    `  name: ${name}`,
    '  namespace: default',
    'spec:',
    '  parentRefs:',
    '  - name: bench',
    '    sectionName: http',
    '  hostnames:',
    `  - ${host}`,
    '  rules:',
  ]
  for (const rule of rules) {
    lines.push('  - matches:', '    - path:', '        type: PathPrefix', `        value: ${rule.path}`)
    if (rule.header) lines.push('      headers:', `      - name: ${rule.header.name}`, `        value: ${rule.header.value}`)
    if (rule.query) lines.push('      queryParams:', `      - name: ${rule.query.name}`, `        value: ${rule.query.value}`)
    lines.push('    backendRefs:', '    - name: bench-svc', '      port: 80')
  }
  return lines.join('\n')
}

/**
 * One Gateway (an HTTP listener on port 80, which `kingress up` serves on --http-port) and two
 * HTTPRoutes of GATEWAY_RULES rules each: gw-path.test's rules match distinct path prefixes;
 * gw-match.test's rules share the /bench prefix and differ by an X-Variant header and a `variant`
 * query parameter, so every rule's header and query match is evaluated before the last one answers.
 */
export function gatewayTables(dir) {
  const gateway = [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: GatewayClass',
    'metadata:',
    '  name: kingress',
    'spec:',
    '  controllerName: kingress.dev/gateway-controller',
    '---',
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: Gateway',
    'metadata:',
    '  name: bench',
    '  namespace: default',
    'spec:',
    '  gatewayClassName: kingress',
    '  listeners:',
    '  - name: http',
    '    port: 80',
    '    protocol: HTTP',
  ].join('\n')
  const pathRules = Array.from({length: GATEWAY_RULES}, (_, i) => ({path: i === GATEWAY_RULES - 1 ? '/bench' : `/other${i}`}))
  const matchRules = Array.from({length: GATEWAY_RULES}, (_, i) => ({path: '/bench', header: {name: 'X-Variant', value: `v${i}`}, query: {name: 'variant', value: `v${i}`}}))
  const file = join(dir, 'gateway.yaml')
  writeFileSync(file, [gateway, httpRoute('path-only', GATEWAY_PATH_HOST, pathRules), httpRoute('header-query', GATEWAY_MATCH_HOST, matchRules)].join('\n---\n') + '\n')
  return file
}
