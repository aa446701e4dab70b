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

// The "Examples" table of https://kubernetes.io/docs/concepts/services-networking/ingress/#examples
describe('Kubernetes documentation path-matching examples', () => {
  const cases: Array<[string, PathSpec[], string, string | null]> = [
    ['Prefix / matches all paths', [{path: '/', pathType: 'Prefix'}], '/anything/here', 'Prefix /'],
    ['Exact /foo matches /foo', [{path: '/foo', pathType: 'Exact'}], '/foo', 'Exact /foo'],
    ['Exact /foo does not match /bar', [{path: '/foo', pathType: 'Exact'}], '/bar', null],
    ['Exact /foo does not match /foo/', [{path: '/foo', pathType: 'Exact'}], '/foo/', null],
    ['Exact /foo/ does not match /foo', [{path: '/foo/', pathType: 'Exact'}], '/foo', null],
    ['Prefix /foo matches /foo', [{path: '/foo', pathType: 'Prefix'}], '/foo', 'Prefix /foo'],
    ['Prefix /foo matches /foo/', [{path: '/foo', pathType: 'Prefix'}], '/foo/', 'Prefix /foo'],
    ['Prefix /foo/ matches /foo (trailing slash ignored)', [{path: '/foo/', pathType: 'Prefix'}], '/foo', 'Prefix /foo/'],
    ['Prefix /foo/ matches /foo/', [{path: '/foo/', pathType: 'Prefix'}], '/foo/', 'Prefix /foo/'],
    ['Prefix /aaa/bb does not match /aaa/bbb', [{path: '/aaa/bb', pathType: 'Prefix'}], '/aaa/bbb', null],
    ['Prefix /aaa/bbb matches /aaa/bbb', [{path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbb', 'Prefix /aaa/bbb'],
    ['Prefix /aaa/bbb/ matches /aaa/bbb', [{path: '/aaa/bbb/', pathType: 'Prefix'}], '/aaa/bbb', 'Prefix /aaa/bbb/'],
    ['Prefix /aaa/bbb matches /aaa/bbb/', [{path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbb/', 'Prefix /aaa/bbb'],
    ['Prefix /aaa/bbb matches /aaa/bbb/ccc', [{path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbb/ccc', 'Prefix /aaa/bbb'],
    ['Prefix /aaa/bbb does not match /aaa/bbbxyz', [{path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbbxyz', null],
    ['Prefix /, /aaa: /aaa/ccc matches /aaa', [{path: '/', pathType: 'Prefix'}, {path: '/aaa', pathType: 'Prefix'}], '/aaa/ccc', 'Prefix /aaa'],
    ['Prefix /, /aaa, /aaa/bbb: /aaa/bbb matches /aaa/bbb', [{path: '/', pathType: 'Prefix'}, {path: '/aaa', pathType: 'Prefix'}, {path: '/aaa/bbb', pathType: 'Prefix'}], '/aaa/bbb', 'Prefix /aaa/bbb'],
    ['Prefix /, /aaa, /aaa/bbb: /ccc matches /', [{path: '/', pathType: 'Prefix'}, {path: '/aaa', pathType: 'Prefix'}, {path: '/aaa/bbb', pathType: 'Prefix'}], '/ccc', 'Prefix /'],
    ['Prefix /aaa: /ccc matches nothing', [{path: '/aaa', pathType: 'Prefix'}], '/ccc', null],
    ['Exact /foo beats Prefix /foo', [{path: '/foo', pathType: 'Prefix'}, {path: '/foo', pathType: 'Exact'}], '/foo', 'Exact /foo'],
    ['Prefix /foo still serves /foo/ when Exact /foo exists', [{path: '/foo', pathType: 'Exact'}, {path: '/foo', pathType: 'Prefix'}], '/foo/', 'Prefix /foo'],
  ]
  it.each(cases)('%s', (_name, paths, request, expected) => {
    expect(served(paths, request)).toBe(expected)
  })
})

describe('ImplementationSpecific (ingress-nginx: a plain nginx location prefix)', () => {
  it('matches as a string prefix, like `location /blue`', () => {
    const paths = [{path: '/blue', pathType: 'ImplementationSpecific'}]
    expect(served(paths, '/blue')).toBe('ImplementationSpecific /blue')
    expect(served(paths, '/blue/index.html')).toBe('ImplementationSpecific /blue')
    expect(served(paths, '/blueberry')).toBe('ImplementationSpecific /blue')
    expect(served(paths, '/green')).toBe(null)
  })

  it('an empty path means /', () => {
    expect(served([{path: '', pathType: 'ImplementationSpecific'}], '/x')).toBe('ImplementationSpecific /')
  })

  it('loses to Exact and Prefix of the same length', () => {
    const paths = [{path: '/a', pathType: 'ImplementationSpecific'}, {path: '/a', pathType: 'Prefix'}]
    expect(served(paths, '/a/b')).toBe('Prefix /a')
  })

  it('longest of several string prefixes wins', () => {
    const paths = [{path: '/a', pathType: 'ImplementationSpecific'}, {path: '/abc', pathType: 'ImplementationSpecific'}, {path: '/ab', pathType: 'ImplementationSpecific'}]
    expect(served(paths, '/abcd')).toBe('ImplementationSpecific /abc')
    expect(served(paths, '/abx')).toBe('ImplementationSpecific /ab')
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

  it('without timestamps the first loaded wins', () => {
    const yaml = [ingressYaml('first', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix'}]}]), ingressYaml('second', [{host: 'a.com', paths: [{path: '/', pathType: 'Prefix'}]}])].join('---\n')
    expect(compileYaml(yaml).table.match('a.com', '/').route?.origin.name).toBe('first')
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

  it("does not answer for another Ingress's host", () => {
    const yaml = [ingressYaml('a', [{host: 'a.com', paths: [{path: '/api', pathType: 'Prefix'}]}], {defaultBackend: 'fallback'}), ingressYaml('b', [{host: 'b.com', paths: [{path: '/api', pathType: 'Prefix'}]}])].join('---\n')
    expect(compileYaml(yaml).table.match('b.com', '/other').backend).toBeNull()
  })
})

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
    ['/../../public', 'Prefix /public'],
    ['/public/..', null],
  ]
  it.each(cases)('%s is matched as %s', (request, expected) => {
    expect(served(paths, request)).toBe(expected)
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
  })
})
