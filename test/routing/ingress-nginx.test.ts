import {describe, expect, it} from 'vitest'

import {explain} from '../../src/routing/explain.js'
import type {RouteTable} from '../../src/routing/table.js'
import {compileYaml, ingressYaml, type RuleSpec} from '../support/manifests.js'

/**
 * ingress-nginx's location model, one table per behaviour. Each expectation names the source it
 * comes from: kubernetes/ingress-nginx (final commit, March 2026) or nginx/nginx.
 */

const N = 'nginx.ingress.kubernetes.io/'

interface Spec {
  name: string
  rules: RuleSpec[]
  annotations?: Record<string, string>
  timestamp?: string
  defaultBackend?: string
  tls?: string[]
}

function tableOf(...ingresses: Spec[]): RouteTable {
  const yaml = ingresses.map((i) => ingressYaml(i.name, i.rules, {annotations: i.annotations && Object.fromEntries(Object.entries(i.annotations).map(([k, v]) => [N + k, v])), timestamp: i.timestamp, defaultBackend: i.defaultBackend, tls: i.tls})).join('---\n')
  return compileYaml(yaml).table
}

/** `svc`, `301 <location>`, `302 <location>`, `404`, `400`: what `explain` says the proxy answers. */
function answer(table: RouteTable, url: string): string {
  const e = explain(table, url)
  if (e.status === 200) {
    const b = e.result.backend
    return b?.kind === 'service' ? b.service : 'resource'
  }
  return e.location ? `${e.status} ${e.location}` : String(e.status)
}

describe('trailing-slash 301 (nginx auto_redirect)', () => {
  // ngx_http_core_module.c ngx_http_core_find_static_location: a URI one `/` short of a location
  // with auto_redirect (set by proxy_pass on names ending in `/`) is NGX_DONE → 301 to the location's
  // name, `?args` kept (ngx_http_core_find_config_phase). An exact `= /p` location wins first.
  const table = tableOf(
    {name: 'exact-slash', rules: [{host: 'a.test', paths: [{path: '/my-path/', pathType: 'Exact', service: 'exact'}]}]},
    {name: 'prefix-slash', rules: [{host: 'b.test', paths: [{path: '/docs/', pathType: 'Prefix', service: 'docs'}, {path: '/', pathType: 'Prefix', service: 'root'}]}]},
    {name: 'prefix', rules: [{host: 'c.test', paths: [{path: '/docs', pathType: 'Prefix', service: 'docs'}]}]},
    {name: 'regex', annotations: {'use-regex': 'true'}, rules: [{host: 'd.test', paths: [{path: '/docs/', pathType: 'Prefix', service: 'docs'}]}]},
    {name: 'both', rules: [{host: 'e.test', paths: [{path: '/docs/', pathType: 'Prefix', service: 'slash'}, {path: '/docs', pathType: 'Exact', service: 'exact'}]}]},
  )
  it.each([
    // The blog post's example 4: Exact /my-path/ → 301 for /my-path.
    ['http://a.test/my-path', '301 http://a.test/my-path/'],
    ['http://a.test/my-path/', 'exact'],
    ['http://a.test/my-path?x=1&y', '301 http://a.test/my-path/?x=1&y'],
    // Prefix /docs/: the 301 comes before the `/` location that would otherwise match.
    ['http://b.test/docs', '301 http://b.test/docs/'],
    ['http://b.test/docs/x', 'docs'],
    ['http://b.test/docsx', 'root'],
    // Prefix /docs gets `= /docs` (location.go updateServerLocations): no redirect.
    ['http://c.test/docs', 'docs'],
    // Regex locations never auto-redirect (d.test is in regex mode).
    ['http://d.test/docs', '404'],
    ['http://d.test/docs/', 'docs'],
    // An Exact /docs is the `= /docs` that stops the redirect.
    ['http://e.test/docs', 'exact'],
    // kingress keeps a non-default port, or the redirect would leave it.
    ['http://b.test:8080/docs', '301 http://b.test:8080/docs/'],
    ['https://b.test:8443/docs', '301 https://b.test:8443/docs/'],
  ])('%s → %s', (url, expected) => {
    expect(answer(table, url)).toBe(expected)
  })

  it('Prefix /x and Prefix /x/ are one nginx location: a warning that ingress-nginx would refuse it', () => {
    const result = compileYaml(ingressYaml('dup', [{host: 'a.test', paths: [{path: '/x', pathType: 'Prefix', service: 'plain'}, {path: '/x/', pathType: 'Prefix', service: 'slash'}]}]))
    const warning = result.all.find((d) => d.message.includes('duplicate location'))
    expect(warning?.field).toBe('spec.rules[0].http.paths[0].path')
    expect(answer(result.table, 'http://a.test/x/y')).toBe('slash')
    expect(answer(result.table, 'http://a.test/x')).toBe('plain')
  })

  it('validate warns about it, with the fix', () => {
    const result = compileYaml(ingressYaml('p', [{host: 'a.test', paths: [{path: '/docs/', pathType: 'Prefix'}]}]))
    const warning = result.all.find((d) => d.message.includes('301'))
    expect(warning?.message).toBe('Prefix "/docs/": ingress-nginx answers /docs with a 301 redirect to /docs/ (nginx\'s auto_redirect of location /docs/), where the Ingress API serves it. Write the path as "/docs" to serve both without a redirect.')
    expect(warning?.field).toBe('spec.rules[0].http.paths[0].path')
  })
})

describe('regex mode: one Ingress puts every path of its host in ~* "^path"', () => {
  // template.go enforceRegexModifier: any location of the server with use-regex, or a
  // rewrite-target that differs from its path (needsRewrite), makes buildLocation write every
  // location as `~* "^<path>"` — Exact ones too, across Ingresses.
  const blog = tableOf(
    // The blog post's examples 1 and 2 (host regex-match.example.com).
    {name: 'regex-match-ingress', annotations: {'use-regex': 'true'}, rules: [{host: 'regex-match.example.com', paths: [{path: '/[A-Z]{3}', pathType: 'ImplementationSpecific', service: 'httpbin'}]}]},
    {name: 'regex-other-ingress', annotations: {'use-regex': 'true'}, rules: [{host: 'regex-other.example.com', paths: [{path: '/api/v[0-9]+', pathType: 'ImplementationSpecific', service: 'api'}]}]},
    {name: 'regex-other-ingress-other', rules: [{host: 'regex-other.example.com', paths: [{path: '/Header', pathType: 'Exact', service: 'headers'}]}]},
    // Example 3: rewrite-target implies regex mode.
    {name: 'rewrite-target-ingress', annotations: {'rewrite-target': '/uuid'}, rules: [{host: 'rewrite-target.example.com', paths: [{path: '/IP', pathType: 'Exact', service: 'httpbin'}]}]},
    {name: 'rewrite-target-ingress-other', rules: [{host: 'rewrite-target.example.com', paths: [{path: '/Header', pathType: 'Exact', service: 'headers'}]}]},
    // Not in regex mode: rewrite-target equal to the path (root `/`, never normalised).
    {name: 'same-target', annotations: {'rewrite-target': '/'}, rules: [{host: 'plain.example.com', paths: [{path: '/', pathType: 'Prefix', service: 'root'}]}]},
    {name: 'same-target-other', rules: [{host: 'plain.example.com', paths: [{path: '/Header', pathType: 'Exact', service: 'headers'}]}]},
  )
  it.each([
    // /[A-Z]{3} matches /uuid: case-insensitive, anchored at the start only.
    ['http://regex-match.example.com/uuid', 'httpbin'],
    // /[A-Z]{3} is written first (longer) and matches /headers too.
    ['http://regex-match.example.com/headers', 'httpbin'],
    // Example 2: another Ingress's Exact /Header is ~* "^/Header" on a regex host: /headers matches it.
    ['http://regex-other.example.com/headers', 'headers'],
    ['http://regex-other.example.com/HEADER/x', 'headers'],
    ['http://regex-other.example.com/API/V2/users', 'api'],
    ['http://rewrite-target.example.com/ip', 'httpbin'],
    ['http://rewrite-target.example.com/headers', 'headers'],
    ['http://plain.example.com/headers', 'root'],
    ['http://plain.example.com/Header', 'headers'],
  ])('%s → %s', (url, expected) => {
    expect(answer(blog, url)).toBe(expected)
  })

  it('routes and explain say which Ingress put the host in regex mode', () => {
    const vhost = blog.findHost('regex-other.example.com')!
    expect(vhost.regexMode).toMatchObject({ingress: 'default/regex-other-ingress', annotation: 'use-regex'})
    expect(vhost.locations.map((l) => l.directive)).toEqual(['location ~* "^/api/v[0-9]+"', 'location ~* "^/Header"', 'location ~* "^/"'])
    const e = explain(blog, 'http://regex-other.example.com/headers')
    expect(e.notes.join('\n')).toContain('is in regex mode because Ingress default/regex-other-ingress sets use-regex')
    expect(e.candidates.find((c) => c.chosen)?.location.directive).toBe('location ~* "^/Header"')
    expect(blog.findHost('plain.example.com')!.regexMode).toBeNull()
  })

  it('validate warns on each path another Ingress turned into a regex', () => {
    const yaml = [
      ingressYaml('api', [{host: 'shop.test', paths: [{path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific'}]}], {annotations: {[`${N}rewrite-target`]: '/$2'}}),
      ingressYaml('web', [{host: 'shop.test', paths: [{path: '/Cart', pathType: 'Exact'}]}]),
    ].join('---\n')
    const warnings = compileYaml(yaml).all.filter((d) => d.message.includes('regex mode'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toMatch(/^host shop\.test is in regex mode because Ingress default\/api sets rewrite-target \(test\.yaml:\d+:\d+\): ingress-nginx writes this path as location ~\* "\^\/Cart", a case-insensitive prefix, not an exact match/)
  })

  // controller.go getBackendServers sorts by path length, then path, both descending, before
  // updateServerLocations adds the `= /p` twins; nginx tries regex locations in that order.
  it.each([
    // docs/user-guide/ingress-path-matching.md "Warning": the regex, written first, beats the longer literal.
    ['http://warn.test/foo/bar/bar', 'regex'],
    ['http://warn.test/foo/bar/baz', 'regex'],
    ['http://warn.test/foo/bar/bar/x', 'regex'],
    // The same doc's "Path Priority" example.
    ['http://prio.test/foo/bar/1', 'service3'],
    ['http://prio.test/foo/bar/', 'service2'],
    ['http://prio.test/foo/bar', 'service1'],
    // Equal length: the greater string is written first ('/a.' before '/.b'; both match /aab).
    ['http://order.test/aab', 'a'],
    ['http://order.test/xb', 'dot'],
  ])('first match in ingress-nginx order: %s → %s', (url, expected) => {
    const table = tableOf(
      {name: 'lit', rules: [{host: 'warn.test', paths: [{path: '/foo/bar/bar', pathType: 'Prefix', service: 'literal'}]}]},
      {name: 're', annotations: {'use-regex': 'true'}, rules: [{host: 'warn.test', paths: [{path: '/foo/bar/[A-Z0-9]{3}', pathType: 'ImplementationSpecific', service: 'regex'}]}]},
      {name: 'test-ingress-1', rules: [{host: 'prio.test', paths: [{path: '/foo/bar', pathType: 'Prefix', service: 'service1'}, {path: '/foo/bar/', pathType: 'Prefix', service: 'service2'}]}]},
      {name: 'test-ingress-2', annotations: {'rewrite-target': '/$1'}, rules: [{host: 'prio.test', paths: [{path: '/foo/bar/(.+)', pathType: 'ImplementationSpecific', service: 'service3'}]}]},
      {name: 'o', annotations: {'use-regex': 'true'}, rules: [{host: 'order.test', paths: [{path: '/.b', pathType: 'Prefix', service: 'dot'}, {path: '/a.', pathType: 'Prefix', service: 'a'}]}]},
    )
    expect(answer(table, url)).toBe(expected)
  })

  // e2e test/e2e/annotations/rewrite.go "should use correct longest path match": a rewrite on `/`
  // puts the host in regex mode, and the acme path still reaches its own backend, unrewritten.
  it('a rewrite-target on / makes the host regex, longer paths still win', () => {
    const table = tableOf(
      {name: 'acme', rules: [{host: 'rewrite.bar.com', paths: [{path: '/.well-known/acme/challenge', pathType: 'ImplementationSpecific', service: 'acme'}]}]},
      {name: 'root', annotations: {'rewrite-target': '/new/backend'}, rules: [{host: 'rewrite.bar.com', paths: [{path: '/', pathType: 'ImplementationSpecific', service: 'app'}]}]},
    )
    expect(table.findHost('rewrite.bar.com')!.locations.map((l) => l.directive)).toContain('location ~* "^/.well-known/acme/challenge"')
    expect(answer(table, 'http://rewrite.bar.com/.well-known/acme/challenge')).toBe('acme')
    expect(table.match('rewrite.bar.com', '/.well-known/acme/challenge').location?.rewrite).toBeNull()
    expect(answer(table, 'http://rewrite.bar.com/other')).toBe('app')
  })

  // location.go needsRewrite compares the target with each location's path, after
  // normalizePrefixPath: rewrite-target /app on Prefix /app rewrites in `/app/` (not in `= /app`)
  // and so does put the host in regex mode (template.go buildProxyPass, enforceRegexModifier).
  it('rewrite-target equal to the path: no rewrite for that exact path, but its slashed twin rewrites', () => {
    const table = tableOf({name: 'same', annotations: {'rewrite-target': '/app'}, rules: [{host: 'same.test', paths: [{path: '/app', pathType: 'Prefix', service: 'app'}]}]})
    const vhost = table.findHost('same.test')!
    // The root location carries the annotations of the Ingress that created the server (createServers), rewrite-target included.
    expect(vhost.locations.map((l) => `${l.directive}${l.rewrite ? ' rewrite' : ''}`)).toEqual(['location ~* "^/app/" rewrite', 'location ~* "^/app"', 'location ~* "^/" rewrite'])
  })
})

describe('conflicts, default backends and the root location (controller.go createServers, getBackendServers)', () => {
  it.each([
    ['older wins over the name order', '2024-01-01T00:00:00Z', '2024-06-01T00:00:00Z', 'a-old'],
    ['same second: namespace/name descending', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', 'z-new'],
  ])('%s', (_name, oldTime, newTime, winner) => {
    const table = tableOf(
      {name: 'a-old', timestamp: oldTime, rules: [{host: 'x.test', paths: [{path: '/p', pathType: 'Prefix', service: 'a-old'}]}]},
      {name: 'z-new', timestamp: newTime, rules: [{host: 'x.test', paths: [{path: '/p', pathType: 'Prefix', service: 'z-new'}]}]},
    )
    expect(answer(table, 'http://x.test/p')).toBe(winner)
  })

  it('an Ingress path / takes the root location over from the default backend', () => {
    const table = tableOf(
      {name: 'first', timestamp: '2024-01-01T00:00:00Z', defaultBackend: 'fallback', rules: [{host: 'x.test', paths: [{path: '/api', pathType: 'Prefix', service: 'api'}]}]},
      {name: 'second', timestamp: '2024-02-01T00:00:00Z', rules: [{host: 'x.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
    )
    expect(answer(table, 'http://x.test/other')).toBe('web')
    expect(answer(table, 'http://x.test/api/x')).toBe('api')
  })
})

describe('server-level and location-level redirects (nginx.tmpl, lua_ingress.lua)', () => {
  const table = tableOf(
    // app-root is an `if ($uri = /)` in the server block: it acts for / whichever Ingress serves it, and drops the query.
    {name: 'approot', annotations: {'app-root': '/app1'}, rules: [{host: 'approot.test', paths: [{path: '/app1', pathType: 'Prefix', service: 'app'}]}]},
    {name: 'approot-other', rules: [{host: 'approot.test', paths: [{path: '/', pathType: 'Prefix', service: 'root'}]}]},
    // permanent-redirect: `return 301 <url>;` — the URL as written, no path or query added.
    {name: 'moved', annotations: {'permanent-redirect': 'https://new.test/landing'}, rules: [{host: 'moved.test', paths: [{path: '/', pathType: 'Prefix', service: 'old'}]}]},
    // temporal-redirect must be an http(s) URL (redirect.go isValidURL): a relative one is dropped, and the backend answers.
    {name: 'moved-relative', annotations: {'temporal-redirect': '/maintenance'}, rules: [{host: 'tmp.test', paths: [{path: '/', pathType: 'Prefix', service: 'old'}]}]},
    // ssl-redirect: 308 to https with the raw request URI, one trailing slash dropped.
    {name: 'secure', tls: ['secure.test'], rules: [{host: 'secure.test', paths: [{path: '/', pathType: 'Prefix', service: 'secure'}]}]},
    // permanent-redirect's `return` runs before rewrite_by_lua's ssl-redirect.
    {name: 'both', tls: ['both.test'], annotations: {'permanent-redirect': 'https://elsewhere.test'}, rules: [{host: 'both.test', paths: [{path: '/', pathType: 'Prefix', service: 'x'}]}]},
  )
  it.each([
    ['http://approot.test/', '302 http://approot.test/app1'],
    ['http://approot.test/?q=1', '302 http://approot.test/app1'],
    ['http://approot.test:8080/', '302 http://approot.test:8080/app1'],
    ['http://approot.test/other', 'root'],
    ['http://moved.test/some/path?q=1', '301 https://new.test/landing'],
    ['http://tmp.test/x?q=1', 'old'],
    ['http://secure.test/a/b/?q=1', '308 https://secure.test/a/b/?q=1'],
    ['http://secure.test/a/b/', '308 https://secure.test/a/b'],
    ['http://secure.test/', '308 https://secure.test'],
    ['https://secure.test/a/', 'secure'],
    ['http://both.test/x', '301 https://elsewhere.test'],
  ])('%s → %s', (url, expected) => {
    expect(answer(table, url)).toBe(expected)
  })
})

describe('explain gives the answers a location makes by itself', () => {
  const table = tableOf(
    {name: 'locked', annotations: {'whitelist-source-range': '10.0.0.0/8'}, rules: [{host: 'locked.test', paths: [{path: '/', pathType: 'Prefix', service: 'app'}]}]},
    {name: 'open', annotations: {'whitelist-source-range': '127.0.0.0/8'}, rules: [{host: 'open.test', paths: [{path: '/', pathType: 'Prefix', service: 'app'}]}]},
    {name: 'cors', annotations: {'enable-cors': 'true'}, rules: [{host: 'cors.test', paths: [{path: '/', pathType: 'Prefix', service: 'app'}]}]},
  )
  it('403 for a client at 127.0.0.1 outside whitelist-source-range', () => {
    expect(answer(table, 'http://locked.test/')).toBe('403')
    expect(answer(table, 'http://open.test/')).toBe('app')
    expect(explain(table, 'http://locked.test/').notes.join('\n')).toContain('judged for a client at 127.0.0.1')
  })
  it('204 for a CORS preflight (nginx.tmpl: the CORS `if` returns before the redirects)', () => {
    const e = explain(table, 'http://cors.test/x', {method: 'OPTIONS', headers: {Origin: 'https://app.test', 'Access-Control-Request-Method': 'PUT'}})
    expect(e.status).toBe(204)
    expect(explain(table, 'http://cors.test/x').status).toBe(200)
  })
})

describe('paths above the root (ngx_http_parse_complex_uri)', () => {
  const table = tableOf({name: 'p', rules: [{host: 'x.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]})
  it.each([
    ['http://x.test/..', '400'],
    ['http://x.test/../etc/passwd', '400'],
    ['http://x.test/%2e%2e/x', '400'],
    ['http://x.test/a/../../b', '400'],
    ['http://x.test/a/../b', 'web'],
    ['http://x.test/a/%2e%2e', 'web'],
  ])('%s → %s', (url, expected) => {
    expect(answer(table, url)).toBe(expected)
  })
})

describe('--semantics spec', () => {
  const yaml = [
    ingressYaml('re', [{host: 'r.test', paths: [{path: '/[A-Z]{3}', pathType: 'ImplementationSpecific', service: 're'}]}], {annotations: {[`${N}use-regex`]: 'true'}}),
    ingressYaml('re2', [{host: 'e.test', paths: [{path: '/v[0-9]', pathType: 'ImplementationSpecific', service: 're'}, {path: '/Exact', pathType: 'Exact', service: 'exact'}]}], {annotations: {[`${N}use-regex`]: 'true'}}),
    ingressYaml('slash', [{host: 's.test', paths: [{path: '/docs/', pathType: 'Prefix', service: 'docs'}]}]),
  ].join('---\n')
  const nginx = compileYaml(yaml).table
  const spec = compileYaml(yaml, {semantics: 'spec'}).table
  it.each([
    // No regex mode: /[A-Z]{3} is a literal Prefix; Exact is exact and case-sensitive; no 301.
    ['http://r.test/uuid', 're', '404'],
    ['http://e.test/exact/x', 'exact', '404'],
    ['http://e.test/Exact', 'exact', 'exact'],
    ['http://s.test/docs', '301 http://s.test/docs/', 'docs'],
  ])('%s: ingress-nginx %s, the Ingress API %s', (url, withNginx, withSpec) => {
    expect(answer(nginx, url)).toBe(withNginx)
    expect(answer(spec, url)).toBe(withSpec)
  })
})

describe('edge cases found in review, each against the source', () => {
  // controller.go createServers: an Ingress with a defaultBackend and no rules takes the catch-all's
  // root (IsDefBackend = false) before any path is added, so a host-less path / cannot replace it.
  it('the catch-all default backend wins over a host-less path /, with a warning', () => {
    const result = compileYaml([ingressYaml('hostless', [{paths: [{path: '/', pathType: 'Prefix', service: 'hl'}]}]), ingressYaml('dflt', [], {defaultBackend: 'catchall'})].join('---\n'))
    expect(answer(result.table, 'http://x.com/a')).toBe('catchall')
    expect(result.all.find((d) => d.message.includes('catch-all'))?.field).toBe('spec.rules[0].http.paths[0].path')
  })

  // controller.go getBackendServers skips paths whose backend is not a Service.
  it('a path with a resource backend is no location: the root location answers it', () => {
    const yaml = ingressYaml('res', [{host: 'r.test', paths: [{path: '/api', pathType: 'Prefix', service: 'api'}]}], {defaultBackend: 'dd'}).replace(
      '      paths:\n',
      '      paths:\n      - path: /res\n        pathType: Prefix\n        backend:\n          resource:\n            apiGroup: k8s.example.com\n            kind: StorageBucket\n            name: b\n',
    )
    const result = compileYaml(yaml)
    expect(answer(result.table, 'http://r.test/res')).toBe('dd')
    expect(result.all.find((d) => d.field?.endsWith('.backend.resource'))?.message).toContain('ingress-nginx serves only Service backends')
  })

  // ngx_http_parse_complex_uri: a decoded %00 and a % without two hex digits are 400s.
  it.each(['/%00', '/a%2', '/%zz/x', '/a%'])('%s is a 400', (path) => {
    const table = tableOf({name: 'p', rules: [{host: 'x.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]})
    expect(answer(table, `http://x.test${path}`)).toBe('400')
  })

  it('non-ASCII paths match byte for byte, decoded or not', () => {
    const table = tableOf({name: 'p', rules: [{host: 'x.test', paths: [{path: '/café', pathType: 'Prefix', service: 'cafe'}]}]})
    expect(answer(table, 'http://x.test/caf%C3%A9/menu')).toBe('cafe')
  })

  // pkg/util/ingress BuildRedirects writes a server named www.<host> unless a server has exactly that name; a wildcard's regex name loses to it.
  it('from-to-www-redirect answers www.foo.com even where *.foo.com has rules', () => {
    const table = tableOf(
      {name: 'wild', rules: [{host: '*.foo.com', paths: [{path: '/', pathType: 'Prefix', service: 'wild'}]}]},
      {name: 'apex', annotations: {'from-to-www-redirect': 'true'}, rules: [{host: 'foo.com', paths: [{path: '/', pathType: 'Prefix', service: 'apex'}]}]},
    )
    expect(answer(table, 'http://www.foo.com/x')).toBe('308 http://foo.com:80/x')
    expect(answer(table, 'http://api.foo.com/x')).toBe('wild')
  })

  it('no trailing-slash warning where an exact location answers instead', () => {
    const result = compileYaml(ingressYaml('p', [{host: 'a.test', paths: [{path: '/p/', pathType: 'Prefix'}, {path: '/p', pathType: 'Exact'}]}]))
    expect(result.all.filter((d) => d.message.includes('301'))).toEqual([])
    expect(answer(result.table, 'http://a.test/p')).toBe('svc')
  })

  it('a bare ? is no query: the 301 drops it', () => {
    const table = tableOf({name: 's', rules: [{host: 's.test', paths: [{path: '/docs/', pathType: 'Prefix', service: 'docs'}]}]})
    expect(answer(table, 'http://s.test/docs?')).toBe('301 http://s.test/docs/')
  })

  // lua_ingress.lua redirect_to_https asks certificate.configured_for_current_request: the
  // catch-all server has no certificate of its own, so rules without host never ssl-redirect.
  it('a rule without host is not redirected to https because another Ingress lists the Host under spec.tls', () => {
    const table = tableOf(
      {name: 'hostless', rules: [{paths: [{path: '/', pathType: 'Prefix', service: 'any'}]}]},
      {name: 'tls-only', tls: ['h.test'], rules: [{host: 'other.test', paths: [{path: '/', pathType: 'Prefix', service: 'other'}]}]},
    )
    expect(answer(table, 'http://h.test/')).toBe('any')
  })
})
