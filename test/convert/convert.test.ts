import {mkdtemp, readdir, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'
import {parseAllDocuments} from 'yaml'

import {convertIngresses} from '../../src/convert/convert.js'
import {conversionYaml} from '../../src/convert/render.js'
import {computeStatus} from '../../src/gateway/status.js'
import type {HTTPRouteObject, RouteRule} from '../../src/convert/objects.js'
import {compile} from '../../src/routing/compile.js'
import {runCli} from '../support/cli.js'
import {ingressYaml, snapshotOf} from '../support/manifests.js'
import {snapshotFrom, summary} from '../gateway/support.js'

const N = 'nginx.ingress.kubernetes.io/'

function convert(yaml: string, literal = false) {
  const {snapshot} = snapshotOf(yaml)
  return convertIngresses(compile(snapshot), snapshot, {literal})
}

function routeFor(yaml: string, host: string, literal = false): HTTPRouteObject {
  const route = convert(yaml, literal).objects.map((o) => o.object).find((o): o is HTTPRouteObject => o.kind === 'HTTPRoute' && (o.spec.hostnames ?? []).includes(host) && !o.metadata.name.endsWith('-redirect'))
  if (!route) throw new Error(`no HTTPRoute for ${host}`)
  return route
}

/** `Exact /x`, `PathPrefix /x`, `RegularExpression …`, with ` → redirect 301 /x/` or ` → rewrite /y` when a filter acts. */
function describeRules(route: HTTPRouteObject): string[] {
  return route.spec.rules.map((rule: RouteRule) => {
    const path = rule.matches[0]?.path
    const head = `${path?.type} ${path?.value}`
    const filter = rule.filters?.[0]
    if (filter?.type === 'RequestRedirect') return `${head} → redirect ${filter.requestRedirect.statusCode} ${filter.requestRedirect.path && 'replaceFullPath' in filter.requestRedirect.path ? filter.requestRedirect.path.replaceFullPath : (filter.requestRedirect.scheme ?? filter.requestRedirect.hostname)}`
    if (filter?.type === 'URLRewrite' && filter.urlRewrite.path) return `${head} → rewrite ${'replaceFullPath' in filter.urlRewrite.path ? filter.urlRewrite.path.replaceFullPath : `prefix ${filter.urlRewrite.path.replacePrefixMatch}`}`
    return `${head} → ${rule.backendRefs?.map((b) => `${b.name}:${b.port}`).join(',')}`
  })
}

const blog = (name: string, host: string, path: string, pathType: string, annotations: Record<string, string> = {}) =>
  ingressYaml(name, [{host, paths: [{path, pathType, service: 'httpbin', port: 8000}]}], {annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [N + k, v]))})

// The five examples of the Kubernetes blog post "Before You Migrate: Five Surprising Ingress-NGINX
// Behaviors" (2026-02-27): the default conversion writes what nginx did; --literal what it said.
describe("converting the blog post's five examples", () => {
  it('1. use-regex: a case-insensitive prefix regex, not the pattern as written', () => {
    const yaml = blog('regex-match-ingress', 'regex-match.example.com', '/[A-Z]{3}', 'ImplementationSpecific', {'use-regex': 'true'})
    expect(describeRules(routeFor(yaml, 'regex-match.example.com'))).toEqual(['RegularExpression (?i)^/[A-Z]{3}.* → httpbin:8000'])
    expect(describeRules(routeFor(yaml, 'regex-match.example.com', true))).toEqual(['RegularExpression /[A-Z]{3} → httpbin:8000'])
  })

  it("2. use-regex reaches another Ingress's Exact path on the host", () => {
    const yaml = [blog('regex-match-ingress', 'regex-match.example.com', '/api/v[0-9]+', 'ImplementationSpecific', {'use-regex': 'true'}), blog('regex-match-ingress-other', 'regex-match.example.com', '/Header', 'Exact')].join('---\n')
    expect(describeRules(routeFor(yaml, 'regex-match.example.com'))).toEqual(['RegularExpression (?i)^/api/v[0-9]+.* → httpbin:8000', 'RegularExpression (?i)^/Header.* → httpbin:8000'])
    expect(describeRules(routeFor(yaml, 'regex-match.example.com', true))).toEqual(['RegularExpression /api/v[0-9]+ → httpbin:8000', 'Exact /Header → httpbin:8000'])
  })

  it('3. rewrite-target puts the host in regex mode and rewrites the whole path', () => {
    const yaml = [blog('rewrite-target-ingress', 'rewrite-target.example.com', '/IP', 'Exact', {'rewrite-target': '/uuid'}), blog('rewrite-target-ingress-other', 'rewrite-target.example.com', '/Header', 'Exact')].join('---\n')
    expect(describeRules(routeFor(yaml, 'rewrite-target.example.com'))).toEqual(['RegularExpression (?i)^/Header.* → httpbin:8000', 'RegularExpression (?i)^/IP.* → rewrite /uuid'])
    expect(describeRules(routeFor(yaml, 'rewrite-target.example.com', true))).toEqual(['Exact /Header → httpbin:8000', 'Exact /IP → rewrite /uuid'])
  })

  it('4. the trailing-slash 301 becomes an explicit RequestRedirect', () => {
    const yaml = blog('trailing-slash-ingress', 'trailing-slash.example.com', '/my-path/', 'Exact')
    expect(describeRules(routeFor(yaml, 'trailing-slash.example.com'))).toEqual(['Exact /my-path → redirect 301 /my-path/', 'Exact /my-path/ → httpbin:8000'])
    expect(describeRules(routeFor(yaml, 'trailing-slash.example.com', true))).toEqual(['Exact /my-path/ → httpbin:8000'])
  })

  it('5. path normalisation needs nothing: Gateway API implementations normalise too', () => {
    const yaml = blog('path-normalization-ingress', 'path-normalization.example.com', '/uuid', 'Exact')
    expect(describeRules(routeFor(yaml, 'path-normalization.example.com'))).toEqual(['Exact /uuid → httpbin:8000'])
  })
})

describe('what else keeps ingress-nginx behaviour', () => {
  it('Prefix /p is PathPrefix /p (its location /p/ and = /p); Prefix /p/ gets the 301 for /p', () => {
    const yaml = ingressYaml('p', [{host: 'a.test', paths: [{path: '/blue', pathType: 'ImplementationSpecific', service: 'blue'}, {path: '/docs/', pathType: 'Prefix', service: 'docs'}]}])
    expect(describeRules(routeFor(yaml, 'a.test'))).toEqual(['Exact /docs → redirect 301 /docs/', 'PathPrefix /docs/ → docs:80', 'PathPrefix /blue → blue:80'])
  })

  it('the documented /something(/|$)(.*) → /$2 rewrite is a prefix replacement', () => {
    const yaml = ingressYaml('rw', [{host: 'rewrite.bar.com', paths: [{path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'http-svc'}]}], {annotations: {[`${N}use-regex`]: 'true', [`${N}rewrite-target`]: '/$2'}})
    const route = routeFor(yaml, 'rewrite.bar.com')
    expect(describeRules(route)).toEqual(['PathPrefix /something → rewrite prefix /'])
    const comments = convert(yaml).objects.find((o) => o.object.metadata.name === route.metadata.name)!.ruleComments[0]!.join('\n')
    expect(comments).toContain("not nginx's case-insensitive regex")
  })

  it('a spec.tls host: an HTTPS listener with its Secret, the rules on it, and HTTP redirected with 308', () => {
    const yaml = ingressYaml('s', [{host: 'secure.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}], {tls: ['secure.test']}).replace('  - hosts:\n', '  - secretName: secure-tls\n    hosts:\n')
    const objects = convert(yaml).objects.map((o) => o.object)
    const gateway = objects.find((o) => o.kind === 'Gateway')!
    expect(gateway.kind === 'Gateway' && gateway.spec.listeners.map((l) => `${l.name} ${l.protocol} ${l.port} ${l.hostname ?? ''} ${l.tls?.certificateRefs.map((r) => r.name).join() ?? ''}`.trim())).toEqual(['http HTTP 80', 'https-secure-test HTTPS 443 secure.test secure-tls'])
    const main = routeFor(yaml, 'secure.test')
    expect(main.spec.parentRefs.map((p) => p.sectionName)).toEqual(['https-secure-test'])
    const redirect = objects.find((o) => o.metadata.name === 'secure-test-https-redirect') as HTTPRouteObject
    expect(describeRules(redirect)).toEqual(['PathPrefix / → redirect 308 https'])
  })

  it('canary weight and header: weights on the backendRefs, and a header-match rule', () => {
    const yaml = [
      ingressYaml('main', [{host: 'c.test', paths: [{path: '/', pathType: 'Prefix', service: 'stable'}]}]),
      ingressYaml('canary', [{host: 'c.test', paths: [{path: '/', pathType: 'Prefix', service: 'canary'}]}], {annotations: {[`${N}canary`]: 'true', [`${N}canary-weight`]: '20', [`${N}canary-by-header`]: 'X-Canary'}}),
    ].join('---\n')
    const route = routeFor(yaml, 'c.test')
    expect(route.spec.rules.map((r) => ({headers: r.matches[0]?.headers?.map((h) => `${h.name}=${h.value}`), backends: r.backendRefs?.map((b) => `${b.name}/${b.weight ?? '-'}`)}))).toEqual([
      {headers: ['X-Canary=always'], backends: ['canary/-']},
      {headers: undefined, backends: ['stable/80', 'canary/20']},
    ])
  })

  it('reports, per Ingress, every annotation with no full Gateway API form', () => {
    const yaml = ingressYaml('locked', [{host: 'l.test', paths: [{path: '/', pathType: 'Prefix'}]}], {annotations: {[`${N}whitelist-source-range`]: '10.0.0.0/8', [`${N}proxy-read-timeout`]: '120', [`${N}app-root`]: '/app'}})
    const report = convert(yaml).report[0]!
    expect(report.annotations.map((a) => `${a.coverage} ${a.key.slice(N.length)}`)).toEqual(['lost whitelist-source-range', 'partly proxy-read-timeout', 'converts app-root'])
  })

  it('an annotation that makes ingress-nginx deny the locations is reported lost: the converted routes would serve them', () => {
    // ipallowlist/main.go Parse: a bad CIDR is a LocationDenied error; nginx.tmpl answers `return 503`.
    const yaml = ingressYaml('office', [{host: 'o.test', paths: [{path: '/', pathType: 'Prefix'}]}], {annotations: {[`${N}rewrite-target`]: '/', [`${N}whitelist-source-range`]: '10.0.0.0/33'}})
    const outcome = convert(yaml).report[0]!.annotations.find((a) => a.key === `${N}whitelist-source-range`)!
    expect(outcome.coverage).toBe('lost')
    expect(outcome.note).toContain('ingress-nginx denies every path of this Ingress over this value (503)')
  })
})

describe('kingress convert (real CLI)', () => {
  it('writes YAML documents to standard output and the annotation report to stderr', async () => {
    const result = await runCli(['convert', 'fixtures/ingress-nginx/'])
    expect(result.code).toBe(0)
    const docs = parseAllDocuments(result.stdout).map((d) => d.toJS() as {kind?: string} | null).filter((d) => d !== null)
    expect(docs.map((d) => d!.kind)).toEqual(['Gateway', 'HTTPRoute', 'HTTPRoute', 'HTTPRoute', 'HTTPRoute'])
    expect(result.stdout).toContain('# Regex mode: Ingress default/regex-match-ingress sets use-regex')
  })

  it('-o DIR writes one file per object', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-convert-'))
    const result = await runCli(['convert', 'fixtures/', '-o', dir])
    expect(result.code).toBe(0)
    const files = (await readdir(dir)).sort()
    expect(files).toEqual(['gateway-default-ingress-nginx.yaml', 'httproute-default-blue-example-com.yaml', 'httproute-default-example-com.yaml', 'httproute-default-green-example-com.yaml'])
    expect(await readFile(join(dir, 'httproute-default-example-com.yaml'), 'utf8')).toContain('value: /blue')
    expect(result.stderr).toContain(`wrote 4 files`)
  })

  it('no Ingress is a user error', async () => {
    const result = await runCli(['convert', 'fixtures/services.yaml'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('no Ingress to convert')
  })
})

describe('the conversion is valid Gateway API, and a controller accepts it', () => {
  it.each([
    ['the blog fixtures', ['fixtures/ingress-nginx/five-surprises.yaml']],
    ['the blue/green fixtures with their Services', ['fixtures/virtual-host-ingress.yaml', 'fixtures/fan-out-ingress.yaml', 'fixtures/services.yaml']],
  ])('%s: no validation error, every HTTPRoute Accepted', async (_name, files) => {
    const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')))
    const {snapshot} = snapshotOf(texts.join('\n---\n'))
    const yaml = conversionYaml(convertIngresses(compile(snapshot), snapshot))
    const {snapshot: converted, diagnostics} = snapshotFrom({'converted.yaml': yaml + '\n---\n' + texts.filter((t) => t.includes('kind: Service')).join('\n---\n')})
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    const status = computeStatus(converted)
    const routes = status.items.filter((i) => i.kind === 'HTTPRoute')
    expect(routes.length).toBeGreaterThan(0)
    for (const item of routes) {
      if (item.kind !== 'HTTPRoute') continue
      for (const parent of item.status.parents) expect(summary(parent.conditions).Accepted, `${item.object.meta.name} → ${parent.parentRef.sectionName}`).toBe('True/Accepted')
    }
  })
})
