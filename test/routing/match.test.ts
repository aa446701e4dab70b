import {describe, expect, it} from 'vitest'

import {compileYaml, ingressYaml, type PathSpec} from '../support/manifests.js'

function tableOf(paths: PathSpec[], host = 'foo.com') {
  const result = compileYaml(ingressYaml('ing', [{host, paths}]))
  expect(result.all.filter((d) => d.severity === 'error')).toEqual([])
  return result.table
}

function served(paths: PathSpec[], requestPath: string): string | null {
  const match = tableOf(paths).match('foo.com', requestPath)
  return match.route ? `${match.route.pathType} ${match.route.path}` : null
}

/** What ingress-nginx (or, with `spec`, the Ingress API) answers: the rule that serves, `301 <Location path>`, `404` or `400`. */
function answer(paths: PathSpec[], requestPath: string, semantics: 'ingress-nginx' | 'spec' = 'ingress-nginx'): string {
  const result = compileYaml(ingressYaml('ing', [{host: 'foo.com', paths}]), {semantics})
  const match = result.table.match('foo.com', requestPath)
  if (match.pathMatch === 'invalid-path') return '400'
  if (match.slashRedirect !== null) return `301 ${match.slashRedirect}`
  return match.route ? `${match.route.pathType} ${match.route.path}` : '404'
}

// The "Examples" table of https://kubernetes.io/docs/concepts/services-networking/ingress/#examples,
// with what ingress-nginx answers where it differs: a path ending in `/` has no `= /p` location, so
// nginx's auto_redirect answers /p with 301 (location.go updateServerLocations/normalizePrefixPath;
// nginx ngx_http_core_module.c ngx_http_core_find_static_location).
describe('Kubernetes documentation path-matching examples: the Ingress API and ingress-nginx', () => {
  const cases: Array<[string, PathSpec[], string, string, string?]> = [
    ['Prefix / matches all paths', [{path: '/', pathType: 'Prefix'}], '/anything/here', 'Prefix /'],
    ['Exact /foo matches /foo', [{path: '/foo', pathType: 'Exact'}], '/foo', 'Exact /foo'],
    ['Exact /foo does not match /bar', [{path: '/foo', pathType: 'Exact'}], '/bar', '404'],
    ['Exact /foo does not match /foo/', [{path: '/foo', pathType: 'Exact'}], '/foo/', '404'],
    ['Exact /foo/ does not match /foo', [{path: '/foo/', pathType: 'Exact'}], '/foo', '404', '301 /foo/'],
    ['Prefix /foo matches /foo', [{path: '/foo', pathType: 'Prefix'}], '/foo', 'Prefix /foo'],
    ['Prefix /foo matches /foo/', [{path: '/foo', pathType: 'Prefix'}], '/foo/', 'Prefix /foo'],
    ['Prefix /foo/ matches /foo (trailing slash ignored)', [{path: '/foo/', pathType: 'Prefix'}], '/foo', 'Prefix /foo/', '301 /foo/'],
    ['Prefix /foo/ matches /foo/', [{path: '/foo/', pathType: 'Prefix'}], '/foo/', 'Prefix /foo/'],
    ['Prefix /aaa/bb does not match /aaa/bbb', [{path: '/aaa/bb', pathType: 'Prefix'}], '/aaa/bbb', '404'],
    ['Prefix /aaa/bbb matches /aaa/bbb', [{path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbb', 'Prefix /aaa/bbb'],
    ['Prefix /aaa/bbb/ matches /aaa/bbb', [{path: '/aaa/bbb/', pathType: 'Prefix'}], '/aaa/bbb', 'Prefix /aaa/bbb/', '301 /aaa/bbb/'],
    ['Prefix /aaa/bbb matches /aaa/bbb/', [{path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbb/', 'Prefix /aaa/bbb'],
    ['Prefix /aaa/bbb matches /aaa/bbb/ccc', [{path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbb/ccc', 'Prefix /aaa/bbb'],
    ['Prefix /aaa/bbb does not match /aaa/bbbxyz', [{path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbbxyz', '404'],
    ['Prefix /, /aaa: /aaa/ccc matches /aaa', [{path: '/', pathType: 'Prefix'}, {path: '/aaa', pathType: 'Prefix'}], '/aaa/ccc', 'Prefix /aaa'],
    ['Prefix /, /aaa, /aaa/bbb: /aaa/bbb matches /aaa/bbb', [{path: '/', pathType: 'Prefix'}, {path: '/aaa', pathType: 'Prefix'}, {path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbb', 'Prefix /aaa/bbb'],
    ['Prefix /, /aaa, /aaa/bbb: /ccc matches /', [{path: '/', pathType: 'Prefix'}, {path: '/aaa', pathType: 'Prefix'}, {path: '/aaa/bbb', pathType: 'Prefix'}], '/ccc', 'Prefix /'],
    ['Prefix /aaa: /ccc matches nothing', [{path: '/aaa', pathType: 'Prefix'}], '/ccc', '404'],
    ['Exact /foo beats Prefix /foo', [{path: '/foo', pathType: 'Prefix'}, {path: '/foo', pathType: 'Exact'}], '/foo', 'Exact /foo'],
    ['Prefix /foo still serves /foo/ when Exact /foo exists', [{path: '/foo', pathType: 'Exact'}, {path: '/foo', pathType: 'Prefix'}], '/foo/', 'Prefix /foo'],
  ]
  it.each(cases)('%s', (_name, paths, request, spec, nginx) => {
    expect(answer(paths, request, 'spec')).toBe(spec)
    expect(answer(paths, request)).toBe(nginx ?? spec)
  })
})

// internal/k8s/main.go SetDefaultNGINXPathType turns ImplementationSpecific into Prefix, so it gets
// `location /p/` and `location = /p` like any Prefix (location.go updateServerLocations).
describe('ImplementationSpecific is Prefix (ingress-nginx)', () => {
  it.each([
    ['/blue', 'ImplementationSpecific /blue'],
    ['/blue/index.html', 'ImplementationSpecific /blue'],
    ['/blue/', 'ImplementationSpecific /blue'],
    ['/blueberry', '404'],
    ['/Blue', '404'],
    ['/green', '404'],
  ])('ImplementationSpecific /blue: %s → %s', (request, expected) => {
    expect(answer([{path: '/blue', pathType: 'ImplementationSpecific'}], request)).toBe(expected)
    expect(answer([{path: '/blue', pathType: 'ImplementationSpecific'}], request, 'spec')).toBe(expected)
  })

  it('an empty path means /', () => {
    expect(served([{path: '', pathType: 'ImplementationSpecific'}], '/x')).toBe('ImplementationSpecific /')
  })

  it('a Prefix and an ImplementationSpecific of the same path are one location: the first wins, with a warning', () => {
    const result = compileYaml(ingressYaml('ing', [{host: 'foo.com', paths: [{path: '/a', pathType: 'ImplementationSpecific', service: 'is'}, {path: '/a', pathType: 'Prefix', service: 'prefix'}]}]))
    expect(result.table.match('foo.com', '/a/b').route?.pathType).toBe('ImplementationSpecific')
    const warning = result.all.find((d) => d.severity === 'warning')
    expect(warning?.message).toContain('are the same location: ingress-nginx treats ImplementationSpecific as Prefix')
    expect(warning?.field).toBe('spec.rules[0].http.paths[1].path')
  })

  it('the nginx locations it becomes', () => {
    const {table} = compileYaml(ingressYaml('ing', [{host: 'foo.com', paths: [{path: '/blue', pathType: 'ImplementationSpecific'}, {path: '/green/', pathType: 'Prefix'}, {path: '/x', pathType: 'Exact'}]}]))
    expect(table.findHost('foo.com')!.locations.map((l) => l.directive)).toEqual(['location /green/', 'location = /green/', 'location /blue/', 'location = /blue', 'location = /x', 'location /'])
  })
})

describe('hosts', () => {
  const yaml = [
    ingressYaml('exact', [{host: 'foo.bar.com', paths: [{path: '/', pathType: 'Prefix', service: 'exact'}]}]),
    ingressYaml('wild', [{host: '*.bar.com', paths: [{path: '/', pathType: 'Prefix', service: 'wild'}]}]),
    ingressYaml('any', [{paths: [{path: '/', pathType: 'Prefix', service: 'any'}]}]),
  ].join('---\n')
  const {table} = compileYaml(yaml)
  const serviceFor = (host: string) => {
    const backend = table.match(host, '/').backend
    return backend?.kind === 'service' ? backend.service : null
  }

  it('exact host beats the wildcard', () => expect(serviceFor('foo.bar.com')).toBe('exact'))
  it('wildcard matches exactly one extra label', () => expect(serviceFor('baz.bar.com')).toBe('wild'))
  it('wildcard does not match the bare domain', () => expect(serviceFor('bar.com')).toBe('any'))
  it('wildcard does not match two extra labels', () => expect(serviceFor('baz.foo.bar.com')).toBe('any'))
  it('is case-insensitive', () => expect(serviceFor('FOO.Bar.COM')).toBe('exact'))
  it('ignores the port in the Host header', () => expect(serviceFor('foo.bar.com:8443')).toBe('exact'))
  it('ignores a trailing dot', () => expect(serviceFor('foo.bar.com.')).toBe('exact'))
  it('a rule without host matches every other host', () => expect(serviceFor('unrelated.example')).toBe('any'))
  it('a missing Host header goes to the rule without host', () => expect(serviceFor('')).toBe('any'))

  it('without a hostless rule an unknown host gets 404', () => {
    const {table: t} = compileYaml(ingressYaml('only', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix'}]}]))
    const match = t.match('b.com', '/')
    expect(match.backend).toBeNull()
    expect(match.pathMatch).toBe('none')
  })

  it('a matched host does not fall through to the hostless rule when no path matches (as ingress-nginx)', () => {
    const {table: t} = compileYaml(
      ingressYaml('a', [{host: 'a.com', paths: [{path: '/api', pathType: 'Prefix', service: 'api'}]}, {paths: [{path: '/', pathType: 'Prefix', service: 'any'}]}]),
    )
    expect(t.match('a.com', '/web').backend).toBeNull()
  })
})

describe('merging and precedence across Ingresses', () => {
  it('merges paths of several Ingresses for one host', () => {
    const {table} = compileYaml(
      [ingressYaml('one', [{host: 'a.com', paths: [{path: '/x', pathType: 'Prefix', service: 'x'}]}]), ingressYaml('two', [{host: 'a.com', paths: [{path: '/y', pathType: 'Prefix', service: 'y'}]}])].join('---\n'),
    )
    expect(table.match('a.com', '/x/1').route?.origin.name).toBe('one')
    expect(table.match('a.com', '/y/1').route?.origin.name).toBe('two')
  })

  it('on a true conflict the oldest by creationTimestamp wins and a warning names the winner', () => {
    const yaml = [
      ingressYaml('newer', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix', service: 'newer'}]}], {timestamp: '2024-05-01T00:00:00Z'}),
      ingressYaml('older', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix', service: 'older'}]}], {timestamp: '2023-01-01T00:00:00Z'}),
    ].join('---\n')
    const result = compileYaml(yaml)
    expect(result.table.match('a.com', '/').route?.origin.name).toBe('older')
    const warning = result.all.find((d) => d.severity === 'warning')
    expect(warning?.message).toContain('already served by Ingress default/older')
    expect(warning?.field).toBe('spec.rules[0].http.paths[0].path')
  })

  // store.go sortIngressSlice: equal creationTimestamps (or none) order by namespace/name descending.
  it('without timestamps the later name wins: ingress-nginx orders equal timestamps by namespace/name, z to a', () => {
    const yaml = [ingressYaml('alpha', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix'}]}]), ingressYaml('beta', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix'}]}])].join('---\n')
    const result = compileYaml(yaml)
    expect(result.table.match('a.com', '/').route?.origin.name).toBe('beta')
    expect(result.all.find((d) => d.severity === 'warning')?.message).toContain('then namespace/name from z to a')
  })

  it('timestamps equal to the second tie the same way; an older one wins whatever its name', () => {
    const yaml = [
      ingressYaml('alpha', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix'}]}], {timestamp: '2024-05-01T00:00:00.100Z'}),
      ingressYaml('beta', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix'}]}], {timestamp: '2024-05-01T00:00:00.900Z'}),
      ingressYaml('zulu', [{host: 'b.com', paths: [{path: '/', pathType: 'Prefix'}]}], {timestamp: '2024-05-02T00:00:00Z'}),
      ingressYaml('aaa', [{host: 'b.com', paths: [{path: '/', pathType: 'Prefix'}]}], {timestamp: '2024-05-01T00:00:00Z'}),
    ].join('---\n')
    const {table} = compileYaml(yaml)
    expect(table.match('a.com', '/').route?.origin.name).toBe('beta')
    expect(table.match('b.com', '/').route?.origin.name).toBe('aaa')
  })

  it('same path with another pathType is not a conflict', () => {
    const yaml = [ingressYaml('p', [{host: 'a.com', paths: [{path: '/a', pathType: 'Prefix'}]}]), ingressYaml('e', [{host: 'a.com', paths: [{path: '/a', pathType: 'Exact'}]}])].join('---\n')
    const result = compileYaml(yaml)
    expect(result.all.filter((d) => d.severity === 'warning')).toEqual([])
    expect(result.table.match('a.com', '/a').route?.origin.name).toBe('e')
  })
})

describe('defaultBackend', () => {
  it('answers for a host of its Ingress when no path matches', () => {
    const {table} = compileYaml(ingressYaml('ing', [{host: 'a.com', paths: [{path: '/api', pathType: 'Prefix', service: 'api'}]}], {defaultBackend: 'fallback'}))
    const match = table.match('a.com', '/other')
    expect(match.pathMatch).toBe('default-backend')
    expect(match.backend).toEqual({kind: 'service', service: 'fallback', port: {number: 80}})
  })

  it('an Ingress with only a defaultBackend catches every host', () => {
    const {table} = compileYaml(ingressYaml('catch', [], {defaultBackend: 'everything'}))
    expect(table.match('whatever.test', '/x').backend).toMatchObject({service: 'everything'})
  })

  // controller.go createServers: the first Ingress (in sortIngressSlice order) naming a host creates
  // its server, and its spec.defaultBackend serves the root location; a later one's does not.
  it("only the Ingress that creates the host's server gives it its default backend", () => {
    const yaml = [
      ingressYaml('first', [{host: 'a.com', paths: [{path: '/api', pathType: 'Prefix'}]}], {timestamp: '2024-01-01T00:00:00Z'}),
      ingressYaml('second', [{host: 'a.com', paths: [{path: '/web', pathType: 'Prefix'}]}], {timestamp: '2024-02-01T00:00:00Z', defaultBackend: 'fallback'}),
    ].join('---\n')
    const result = compileYaml(yaml)
    expect(result.table.match('a.com', '/other').backend).toBeNull()
    expect(result.all.find((d) => d.field === 'spec.defaultBackend')?.message).toContain('never answers: ingress-nginx takes a host\'s default backend from the first Ingress that names the host')
  })

  it('a rule without host does not make its defaultBackend the catch-all; an Ingress without rules does', () => {
    const withRules = compileYaml(ingressYaml('r', [{paths: [{path: '/api', pathType: 'Prefix'}]}], {defaultBackend: 'fallback'}))
    expect(withRules.table.match('x.test', '/other').backend).toBeNull()
    const catchAll = compileYaml([ingressYaml('r', [{paths: [{path: '/api', pathType: 'Prefix'}]}]), ingressYaml('catch', [], {defaultBackend: 'fallback'})].join('---\n'))
    expect(catchAll.table.match('x.test', '/other').backend).toMatchObject({service: 'fallback'})
    expect(catchAll.table.match('x.test', '/api').backend).toMatchObject({service: 'svc'})
  })

  it("does not answer for another Ingress's host", () => {
    const yaml = [ingressYaml('a', [{host: 'a.com', paths: [{path: '/api', pathType: 'Prefix'}]}], {defaultBackend: 'fallback'}), ingressYaml('b', [{host: 'b.com', paths: [{path: '/api', pathType: 'Prefix'}]}])].join('---\n')
    expect(compileYaml(yaml).table.match('b.com', '/other').backend).toBeNull()
  })
})

// nginx ngx_http_parse.c ngx_http_parse_complex_uri: `%XX` decoded, `//` merged, `.`/`..` resolved;
// a `..` above the root is NGX_HTTP_PARSE_INVALID_REQUEST (400).
describe('path normalisation before matching', () => {
  const paths = [
    {path: '/public', pathType: 'Prefix', service: 'public'},
    {path: '/admin', pathType: 'Prefix', service: 'admin'},
  ]
  const cases: Array<[string, string | null]> = [
    ['/public/../admin', 'Prefix /admin'],
    ['/public/%2e%2e/admin', 'Prefix /admin'],
    ['/public/%2E%2E%2fadmin', 'Prefix /admin'],
    ['//public//file', 'Prefix /public'],
    ['/public/./file', 'Prefix /public'],
    ['/public/..', '404'],
    ['/public/../..', '400'],
    ['/../../public', '400'],
    ['/..', '400'],
    ['/%2e%2e/x', '400'],
    ['/a/%2E%2E/%2e%2e/public', '400'],
  ]
  it.each(cases)('%s is matched as %s', (request, expected) => {
    expect(answer(paths, request)).toBe(expected)
  })
})

describe('--class filtering', () => {
  const yaml = [
    ingressYaml('by-annotation', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix'}]}], {annotations: {'kubernetes.io/ingress.class': 'nginx'}}),
    ingressYaml('by-field', [{host: 'b.com', paths: [{path: '/', pathType: 'Prefix'}]}], {className: 'nginx'}),
    ingressYaml('other', [{host: 'c.com', paths: [{path: '/', pathType: 'Prefix'}]}], {className: 'traefik'}),
    ingressYaml('none', [{host: 'd.com', paths: [{path: '/', pathType: 'Prefix'}]}]),
  ].join('---\n')

  it('serves every Ingress without --class', () => {
    expect(compileYaml(yaml).table.virtualHosts.map((v) => v.pattern)).toEqual(['a.com', 'b.com', 'c.com', 'd.com'])
  })

  it('keeps only the named class, by field or annotation, and notes the others', () => {
    const result = compileYaml(yaml, {className: 'nginx'})
    expect(result.table.virtualHosts.map((v) => v.pattern)).toEqual(['a.com', 'b.com'])
    expect(result.all.filter((d) => d.severity === 'note').map((d) => d.message)).toEqual([
      'Ingress default/other has class "traefik": not served with --class nginx',
      'Ingress default/none has no class: not served with --class nginx',
    ])
  })
})

describe('the fixtures', () => {
  it('route blue and green by host and by path', async () => {
    const {compileManifests} = await import('../../src/cli/manifest-session.js')
    const {compiled, ok} = await compileManifests(['fixtures'])
    expect(ok).toBe(true)
    const svc = (host: string, path: string) => {
      const b = compiled.table.match(host, path).backend
      return b?.kind === 'service' ? `${b.service}:${'number' in b.port ? b.port.number : b.port.name}` : null
    }
    expect(svc('blue.example.com', '/')).toBe('webserver-blue-svc:80')
    expect(svc('green.example.com', '/any/path')).toBe('webserver-green-svc:80')
    expect(svc('example.com', '/blue')).toBe('webserver-blue-svc:80')
    expect(svc('example.com', '/green/x')).toBe('webserver-green-svc:80')
    expect(svc('example.com', '/')).toBeNull()
    // ImplementationSpecific /blue is Prefix in ingress-nginx: location /blue/ and = /blue, not a string prefix.
    expect(svc('example.com', '/blueberry')).toBeNull()
  })
})
