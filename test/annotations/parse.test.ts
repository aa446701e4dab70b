import {describe, expect, it} from 'vitest'

import {parseAnnotations} from '../../src/annotations/parse.js'
import {rewriteUri} from '../../src/annotations/rewrite.js'
import {cidrContains, parseCidr, parseSize} from '../../src/annotations/values.js'
import {compileYaml, ingressYaml} from '../support/manifests.js'

const N = 'nginx.ingress.kubernetes.io/'

describe('rewrite-target (cases from the ingress-nginx rewrite documentation)', () => {
  const cases: Array<[string, string, string, string]> = [
    ['/something(/|$)(.*)', '/$2', '/something', '/'],
    ['/something(/|$)(.*)', '/$2', '/something/', '/'],
    ['/something(/|$)(.*)', '/$2', '/something/new', '/new'],
    ['/something(/|$)(.*)', '/$2', '/SOMETHING/new', '/new'],
    ['/api(/|$)(.*)', '/v2/$2', '/api/users/1', '/v2/users/1'],
    ['/app', '/', '/app/foo', '/'],
    ['/(.*)', '/$1', '/anything', '/anything'],
    ['/a/(.*)/b/(.*)', '/$2/$1', '/a/x/b/y', '/y/x'],
    ['/something', '/$5', '/something/else', '/'],
  ]
  it.each(cases)('path %s with rewrite-target %s: %s → %s', (path, target, request, expected) => {
    expect(rewriteUri(new RegExp(path, 'i'), target, request, '')).toBe(expected)
  })

  // ngx_http_script.c ngx_http_script_regex_end_code: a `?` in the replacement brings new
  // arguments, the client's appended with `&`, unless the replacement ends in `?`.
  it.each([
    ['/new/$1', '/old/a', '?x=1', '/new/a?x=1'],
    ['/new/$1?page=$1', '/old/a', '?x=1', '/new/a?page=a&x=1'],
    ['/new/$1?page=$1', '/old/a', '', '/new/a?page=a'],
    ['/new/$1?', '/old/a', '?x=1', '/new/a'],
    ['/new/$1', '/old/a b', '', '/new/a%20b'],
    ['/new/$1', '/other', '?x=1', null],
    ['/new/$1', '/old/a', '?', '/new/a'],
  ])('rewrite-target %s: %s%s goes upstream as %s (null: unchanged)', (target, path, query, expected) => {
    expect(rewriteUri(/\/old\/(.*)/i, target, path, query)).toBe(expected)
  })

  it('puts the whole host in regex mode (case-insensitive, anchored at the start)', () => {
    const yaml = ingressYaml('rw', [{host: 'rewrite.bar.com', paths: [{path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'http-svc'}]}], {annotations: {[`${N}rewrite-target`]: '/$2'}})
    const {table, all} = compileYaml(yaml)
    expect(all.filter((d) => d.severity !== 'note')).toEqual([])
    expect(table.match('rewrite.bar.com', '/something/new').pathMatch).toBe('regex')
    expect(table.match('rewrite.bar.com', '/SOMETHING').route).not.toBeNull()
    expect(table.match('rewrite.bar.com', '/other').route).toBeNull()
  })

  it('use-regex on one Ingress makes regex paths of another Ingress on the same host regex too', () => {
    const yaml = [
      ingressYaml('a', [{host: 'h.com', paths: [{path: '/api/v[0-9]+', pathType: 'ImplementationSpecific', service: 'api'}]}], {annotations: {[`${N}use-regex`]: 'true'}}),
      ingressYaml('b', [{host: 'h.com', paths: [{path: '/static/.*\\.css', pathType: 'ImplementationSpecific', service: 'static'}]}]),
    ].join('---\n')
    const {table} = compileYaml(yaml)
    expect(table.match('h.com', '/api/v12/x').route?.origin.name).toBe('a')
    expect(table.match('h.com', '/static/site.css').route?.origin.name).toBe('b')
    expect(table.match('h.com', '/api/vx').route).toBeNull()
  })

  it('in regex mode the longest path is tried first, and Exact still wins', () => {
    const yaml = ingressYaml(
      'r',
      [{host: 'h.com', paths: [{path: '/.*', pathType: 'ImplementationSpecific', service: 'all'}, {path: '/api/.*', pathType: 'ImplementationSpecific', service: 'api'}, {path: '/api/health', pathType: 'Exact', service: 'health'}]}],
      {annotations: {[`${N}use-regex`]: 'true'}},
    )
    const {table} = compileYaml(yaml)
    const svc = (p: string) => (table.match('h.com', p).backend as {service: string}).service
    expect(svc('/api/users')).toBe('api')
    expect(svc('/index.html')).toBe('all')
    expect(svc('/api/health')).toBe('health')
  })
})

describe('annotation report', () => {
  const statusOf = (annotations: Record<string, string>) => Object.fromEntries(parseAnnotations(annotations, 'default').reports.map((r) => [r.key.replace(N, ''), r.status]))

  it('honoured, partial, ignored and invalid', () => {
    expect(
      statusOf({
        [`${N}rewrite-target`]: '/$2',
        [`${N}backend-protocol`]: 'HTTPS',
        [`${N}configuration-snippet`]: 'more_set_headers "X: y";',
        [`${N}proxy-body-size`]: 'lots',
        [`${N}enable-modsecurity`]: 'true',
        [`${N}cors-allow-origin`]: 'https://a.com',
        'kubernetes.io/ingress.class': 'nginx',
      }),
    ).toEqual({
      'rewrite-target': 'honoured',
      'backend-protocol': 'partial',
      'configuration-snippet': 'ignored',
      'proxy-body-size': 'invalid',
      'enable-modsecurity': 'ignored',
      'cors-allow-origin': 'ignored',
    })
  })

  it('companions are honoured when their main annotation is set', () => {
    expect(statusOf({[`${N}enable-cors`]: 'true', [`${N}cors-allow-origin`]: 'https://a.com'})).toEqual({'enable-cors': 'honoured', 'cors-allow-origin': 'honoured'})
  })

  it('parses the policy', () => {
    const {policy} = parseAnnotations(
      {
        [`${N}proxy-body-size`]: '8m',
        [`${N}proxy-read-timeout`]: '120',
        [`${N}permanent-redirect`]: 'https://example.org',
        [`${N}permanent-redirect-code`]: '308',
        [`${N}affinity`]: 'cookie',
        [`${N}session-cookie-name`]: 'route',
        [`${N}canary`]: 'true',
        [`${N}canary-weight`]: '30',
        [`${N}whitelist-source-range`]: '10.0.0.0/8, 127.0.0.1',
        [`${N}auth-type`]: 'basic',
        [`${N}auth-secret`]: 'default/htpasswd',
      },
      'default',
    )
    expect(policy).toMatchObject({
      bodySizeLimit: 8 * 1024 * 1024,
      readTimeoutMs: 120_000,
      redirect: {url: 'https://example.org', code: 308},
      affinity: {cookieName: 'route', maxAgeSeconds: null, path: null},
      canary: {weight: 30, weightTotal: 100, header: null},
      basicAuth: {secretNamespace: 'default', secretName: 'htpasswd', realm: '', secretType: 'auth-file'},
    })
    expect(policy.allowSourceRanges?.map((c) => c.text)).toEqual(['10.0.0.0/8', '127.0.0.1'])
  })
})

describe('annotation warnings', () => {
  const warningsOf = (yaml: string) => compileYaml(yaml).all.filter((d) => d.severity === 'warning').map((d) => `${d.field}: ${d.message}`)

  it('rewrite-target without a capture group while paths capture', () => {
    const yaml = ingressYaml('rw', [{host: 'h.com', paths: [{path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific'}]}], {annotations: {[`${N}rewrite-target`]: '/'}})
    expect(warningsOf(yaml)).toEqual([expect.stringContaining('metadata.annotations[nginx.ingress.kubernetes.io/rewrite-target]: rewrite-target "/" uses no capture group')])
  })

  it('regex paths without use-regex', () => {
    const yaml = ingressYaml('re', [{host: 'h.com', paths: [{path: '/api/(.*)', pathType: 'ImplementationSpecific'}]}])
    expect(warningsOf(yaml)).toEqual([expect.stringContaining('looks like a regular expression, but no Ingress for this host sets nginx.ingress.kubernetes.io/use-regex')])
  })

  it('snippets and invalid values', () => {
    const yaml = ingressYaml('s', [{host: 'h.com', paths: [{path: '/', pathType: 'Prefix'}]}], {annotations: {[`${N}server-snippet`]: 'return 403;', [`${N}proxy-read-timeout`]: '5s'}})
    expect(warningsOf(yaml)).toEqual([
      expect.stringContaining('proxy-read-timeout]: "5s": must be a whole number of seconds, e.g. "120"; ingress-nginx ignores the value and uses its default.'),
      expect.stringContaining('server-snippet]: raw nginx configuration'),
    ])
  })

  it('a canary Ingress attaches to the main route instead of conflicting', () => {
    const yaml = [
      ingressYaml('main', [{host: 'h.com', paths: [{path: '/', pathType: 'Prefix', service: 'stable'}]}]),
      ingressYaml('canary', [{host: 'h.com', paths: [{path: '/', pathType: 'Prefix', service: 'next'}]}], {annotations: {[`${N}canary`]: 'true', [`${N}canary-by-header`]: 'X-Canary'}}),
    ].join('---\n')
    const result = compileYaml(yaml)
    expect(result.all.filter((d) => d.severity === 'warning')).toEqual([])
    const route = result.table.match('h.com', '/').route!
    expect(route.origin.name).toBe('main')
    expect(route.canary).toMatchObject({backend: {service: 'next'}, rule: {header: 'X-Canary'}})
  })

  it('a canary without a main Ingress is reported', () => {
    const yaml = ingressYaml('lonely', [{host: 'h.com', paths: [{path: '/', pathType: 'Prefix'}]}], {annotations: {[`${N}canary`]: 'true'}})
    expect(warningsOf(yaml)).toEqual([expect.stringContaining('so this canary is never used')])
  })
})

describe('value syntaxes', () => {
  it('nginx sizes', () => {
    expect([parseSize('1m'), parseSize('512k'), parseSize('0'), parseSize('2g'), parseSize('1.5m'), parseSize('512b')]).toEqual([1048576, 524288, 0, 2 * 1024 ** 3, null, 512])
  })

  it('CIDR membership for IPv4, IPv6 and IPv4-mapped client addresses', () => {
    const net = parseCidr('10.0.0.0/8')!
    expect(cidrContains(net, '10.1.2.3')).toBe(true)
    expect(cidrContains(net, '::ffff:10.1.2.3')).toBe(true)
    expect(cidrContains(net, '11.0.0.1')).toBe(false)
    const v6 = parseCidr('fd00::/8')!
    expect(cidrContains(v6, 'fd12::1')).toBe(true)
    expect(cidrContains(v6, '::1')).toBe(false)
    expect(cidrContains(parseCidr('127.0.0.1')!, '127.0.0.1')).toBe(true)
    expect(cidrContains(parseCidr('127.0.0.1')!, '127.0.0.2')).toBe(false)
    expect(parseCidr('300.1.1.1/8')).toBeNull()
  })
})
