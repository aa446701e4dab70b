import {describe, expect, it} from 'vitest'

import {parseAnnotations} from '../../src/annotations/parse.js'
import * as V from '../../src/annotations/validators.js'
import {cidrContains, parseCidr} from '../../src/annotations/values.js'
import {explain} from '../../src/routing/explain.js'
import {compileYaml, ingressYaml} from '../support/manifests.js'

const N = 'nginx.ingress.kubernetes.io/'

/** The ingress-nginx regexes as written in cors/main.go, for comparison on short values only: they backtrack in JavaScript. */
const ORIGINALS = {
  CORS_ORIGINS: /^((((([a-z]+:\/\/)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?)|null)+)|\*)?$/,
  CORS_METHODS: /^([A-Za-z]+,?\s?)+$/,
  CORS_EXPOSE_HEADERS: /^(([A-Za-z0-9\-_]+|\*),?\s?)+$/,
} as const

describe('validators (internal/ingress/annotations/parser/validators.go)', () => {
  it.each([
    // strconv.ParseBool: these spellings and no others, untrimmed.
    ['GO_BOOL', V.GO_BOOL, ['true', 'True', 'TRUE', 't', '1', 'false', 'F', '0'], ['yes', 'tRuE', ' true', 'on', '']],
    // strconv.Atoi: a sign and digits.
    ['GO_INT', V.GO_INT, ['0', '120', '-5', '+7'], ['5s', ' 5', '1.5', '', '0x10']],
    // URLIsValidRegex: no %, #, $, @, + or ;.
    ['URL_IS_VALID', V.URL_IS_VALID, ['https://new.example.com/landing?x=1&y=2', '/relative', 'a,b:c'], ['https://x.test/a%20b', 'https://x.test/#top', 'https://user@x.test/', 'https://x.test/$1']],
    // URLWithNginxVariableRegex: URLIsValidRegex's characters and $ (auth-url, auth-signin).
    ['URL_WITH_NGINX_VARIABLE', V.URL_WITH_NGINX_VARIABLE, ['https://$host/oauth2/auth', 'https://$host/oauth2/start?rd=$escaped_request_uri'], ['http://auth.test/verify?group=admins%40example.com', 'https://${host}/auth', 'http://a.test/x\ny']],
    // RegexPathWithCapture (rewrite-target, app-root, x-forwarded-prefix).
    ['PATH_WITH_CAPTURE', V.PATH_WITH_CAPTURE, ['/$2', '/v2/$1', 'app', '/a:b'], ['/x?y=1', '/(a)', '/a b']],
    // SizeRegex (proxy-body-size), spaces removed first.
    ['SIZE', V.SIZE, ['8m', '8M', '100', '1g', '512b', '8 m'], ['1.5m', '10mb', '-1', '']],
    // upstreamhashby/main.go hashByRegex.
    ['HASH_BY', V.HASH_BY, ['$request_uri', '${request_uri}-x', '$binary_remote_addr'], ['$remote_addr:$server_port', '$host/x']],
    // authreq/main.go methodsRegex: upper case only.
    ['AUTH_METHOD', V.AUTH_METHOD, ['GET', 'POST', ' GET '], ['get', 'FETCH', 'GET,POST']],
    // auth/main.go authTypeRegex is not anchored.
    ['AUTH_TYPE', V.AUTH_TYPE, ['basic', 'digest', 'basicx', 'notbasic'], ['ldap', 'Basic']],
    // backendprotocol/main.go: options, any case, trimmed.
    ['BACKEND_PROTOCOL', V.BACKEND_PROTOCOL, ['HTTPS', 'grpc', ' http ', 'AUTO_HTTP', 'fcgi'], ['AJP', 'h2c']],
    // proxy/main.go proxy-buffering: case-sensitive.
    ['PROXY_BUFFERING', V.PROXY_BUFFERING, ['on', 'off', ' on'], ['On', 'true']],
    // loadbalancing/main.go.
    ['LOAD_BALANCE', V.LOAD_BALANCE, ['round_robin', 'ewma', 'chash', 'sticky_balanced'], ['least_conn', 'EWMA']],
    // sessionaffinity/main.go affinityCookieExpiresRegex, anchored on one side per branch.
    ['COOKIE_EXPIRES', V.COOKIE_EXPIRES, ['3600', '0', 'abc1', '0xyz'], ['3600s', '-0']],
  ] as const)('%s', (_name, validator, accepted, refused) => {
    for (const value of accepted) expect([value, validator(value)]).toEqual([value, true])
    for (const value of refused) expect([value, validator(value)]).toEqual([value, false])
  })

  it('the CORS regexes, rewritten without nested repetition, accept exactly what cors/main.go accepts', () => {
    const alphabets = {CORS_ORIGINS: 'ab:/*.,-1 null', CORS_METHODS: 'GEaT, \t', CORS_EXPOSE_HEADERS: 'Xa-_*, \t1'}
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (const name of Object.keys(ORIGINALS) as (keyof typeof ORIGINALS)[]) {
      const alphabet = alphabets[name]
      for (let i = 0; i < 4000; i++) {
        const length = Math.floor(random() * 9)
        const value = Array.from({length}, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
        const withoutSpaces = value.replaceAll(' ', '')
        expect([name, value, V[name](value)]).toEqual([name, value, ORIGINALS[name].test(withoutSpaces)])
      }
    }
  })

  it('a long malformed value is refused at once (the original regexes backtrack exponentially in JavaScript)', () => {
    const long = 'a'.repeat(5000)
    expect(V.CORS_ORIGINS(`https://${long}/`)).toBe(false)
    expect(V.CORS_METHODS(`${long}!`)).toBe(false)
    expect(V.CORS_EXPOSE_HEADERS(`${long}!`)).toBe(false)
  })
})

/** What each refused value costs, per parser (annotations.go Extract; file and function in each row). */
describe('what a refused annotation value costs', () => {
  const statusOf = (annotations: Record<string, string>, key: string) => {
    const all = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [N + k, v]))
    return parseAnnotations(all, 'default').reports.find((r) => r.key === N + key)?.status
  }

  it.each([
    // authreq/main.go Parse: auth-url's ValidationError is returned as is.
    [{'auth-url': 'http://auth.test/verify?group=admins%40example.com'}, 'auth-url', 'rejected'],
    // ... a URL without a host is StringToURL's error, a LocationDenied.
    [{'auth-url': 'http:/verify'}, 'auth-url', 'denied'],
    // ... an invalid auth-method or auth-response-headers is NewLocationDenied.
    [{'auth-url': 'http://auth.test/verify', 'auth-method': 'get'}, 'auth-method', 'denied'],
    [{'auth-url': 'http://auth.test/verify', 'auth-response-headers': 'X-User;X-Email'}, 'auth-response-headers', 'denied'],
    // ... an invalid auth-signin is logged: no sign-in redirect.
    [{'auth-url': 'http://auth.test/verify', 'auth-signin': 'https://login.test/?rd=%2F'}, 'auth-signin', 'invalid'],
    // auth/main.go Parse: an auth-type the regex refuses is returned; an unusable auth-secret is LocationDenied.
    [{'auth-type': 'ldap', 'auth-secret': 'htpasswd'}, 'auth-type', 'rejected'],
    [{'auth-type': 'basic'}, 'auth-type', 'denied'],
    [{'auth-type': 'basic', 'auth-secret': 'other/htpasswd'}, 'auth-type', 'denied'],
    [{'auth-type': 'basic', 'auth-secret': 'htpasswd', 'auth-secret-type': 'file'}, 'auth-secret-type', 'rejected'],
    [{'auth-type': 'basic', 'auth-secret': 'htpasswd', 'auth-secret-type': 'xauth-file'}, 'auth-secret-type', 'denied'],
    [{'auth-type': 'basic', 'auth-secret': 'htpasswd', 'auth-realm': 'Say "please"'}, 'auth-realm', 'rejected'],
    // ipallowlist/main.go, ipdenylist/main.go Parse: any error but a missing annotation is LocationDenied.
    [{'whitelist-source-range': '10.0.0.0/8, 192.168.0.0/33'}, 'whitelist-source-range', 'denied'],
    [{'allowlist-source-range': '10.0.0.0/8,'}, 'allowlist-source-range', 'denied'],
    [{'denylist-source-range': 'office'}, 'denylist-source-range', 'denied'],
    // redirect/redirect.go Parse returns every getter's error but a missing annotation.
    [{'permanent-redirect': 'https://new.test/a%20b'}, 'permanent-redirect', 'rejected'],
    [{'permanent-redirect-code': 'moved'}, 'permanent-redirect-code', 'rejected'],
    [{'from-to-www-redirect': 'yes'}, 'from-to-www-redirect', 'rejected'],
    [{'temporal-redirect': '/maintenance'}, 'temporal-redirect', 'invalid'],
    // ... a code out of range is the default code.
    [{'permanent-redirect': 'https://new.test', 'permanent-redirect-code': '200'}, 'permanent-redirect-code', 'invalid'],
    // xforwardedprefix, upstreamvhost, loadbalancing, upstreamhashby: Parse returns the getter's error.
    [{'x-forwarded-prefix': '/a?b'}, 'x-forwarded-prefix', 'rejected'],
    [{'upstream-vhost': 'a b.test'}, 'upstream-vhost', 'rejected'],
    [{'load-balance': 'least_conn'}, 'load-balance', 'rejected'],
    [{'upstream-hash-by': '$remote_addr:$server_port'}, 'upstream-hash-by', 'rejected'],
    // ratelimit/main.go Parse: `if err != nil && errors.IsValidationError(err) { return nil, err }`.
    [{'limit-rps': 'fast'}, 'limit-rps', 'rejected'],
    [{'limit-connections': '5 '}, 'limit-connections', 'rejected'],
    // rewrite, proxy, cors, sessionaffinity, canary, backendprotocol: logged, and the default is used.
    [{'rewrite-target': '/$1?x=y'}, 'rewrite-target', 'invalid'],
    [{'proxy-read-timeout': '5s'}, 'proxy-read-timeout', 'invalid'],
    [{'proxy-buffering': 'On'}, 'proxy-buffering', 'invalid'],
    [{'proxy-body-size': '1.5m'}, 'proxy-body-size', 'invalid'],
    [{'use-regex': 'yes'}, 'use-regex', 'invalid'],
    [{'enable-cors': 'true', 'cors-allow-origin': 'https://a.test/'}, 'cors-allow-origin', 'invalid'],
    [{affinity: 'cookie', 'session-cookie-max-age': '3600s'}, 'session-cookie-max-age', 'invalid'],
    [{canary: 'true', 'canary-weight': 'ten'}, 'canary-weight', 'invalid'],
    [{'backend-protocol': 'AJP'}, 'backend-protocol', 'invalid'],
    // validators.go checkAnnotation runs no validator on "": parseString's InvalidContent, which these parsers drop.
    [{'limit-rps': ''}, 'limit-rps', 'ignored'],
    [{'load-balance': ''}, 'load-balance', 'ignored'],
    [{'upstream-vhost': ''}, 'upstream-vhost', 'ignored'],
    [{'auth-type': ''}, 'auth-type', 'ignored'],
    // ... but blanks are not empty: the validator runs, and basic|digest does not match what is left.
    [{'auth-type': '  ', 'auth-secret': 'htpasswd'}, 'auth-type', 'rejected'],
    [{'auth-url': '\t'}, 'auth-url', 'rejected'],
    [{'auth-url': '  '}, 'auth-url', 'ignored'],
    // redirect.go Parse: an empty from-to-www-redirect returns InvalidContent before permanent-redirect is read.
    [{'from-to-www-redirect': '', 'permanent-redirect': 'https://p.test/a%20b'}, 'from-to-www-redirect', 'invalid'],
    [{'from-to-www-redirect': '', 'permanent-redirect': 'https://p.test/a%20b'}, 'permanent-redirect', 'ignored'],
    // internal/net/ipnet.go ParseCIDRs uses Go's net.ParseCIDR and ParseIP: no leading zeros, inner spaces or signs.
    [{'whitelist-source-range': '010.0.0.1'}, 'whitelist-source-range', 'denied'],
    [{'whitelist-source-range': '10.0.0.0 /8'}, 'whitelist-source-range', 'denied'],
    [{'denylist-source-range': '10.0.0.0/-0'}, 'denylist-source-range', 'denied'],
    // cache.SplitMetaNamespaceKey: `/name` is the Ingress's namespace.
    [{'auth-type': 'basic', 'auth-secret': '/htpasswd'}, 'auth-type', 'honoured'],
    // sessionaffinity/main.go: the unanchored regex lets abc1 through; kingress cannot use it as a Max-Age.
    [{affinity: 'cookie', 'session-cookie-max-age': 'abc1'}, 'session-cookie-max-age', 'partial'],
    // redirect.go Parse reads relative-redirects after from-to-www-redirect, with the same error handling.
    [{'relative-redirects': 'yes'}, 'relative-redirects', 'rejected'],
    [{'relative-redirects': '', 'permanent-redirect': 'https://p.test'}, 'relative-redirects', 'invalid'],
    // Blanks that pass the validator: normalizeString leaves nothing, parseString's InvalidContent.
    [{'upstream-hash-by': '  '}, 'upstream-hash-by', 'ignored'],
    [{'upstream-vhost': '  '}, 'upstream-vhost', 'ignored'],
    [{'x-forwarded-prefix': '  '}, 'x-forwarded-prefix', 'ignored'],
  ] as const)('%o: %s is %s', (annotations, key, status) => {
    expect(statusOf(annotations, key)).toBe(status)
  })

  it('the defaults a logged refusal leaves (cors/main.go: a bad origin list allows every origin)', () => {
    const all = (a: Record<string, string>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [N + k, v]))
    expect(parseAnnotations(all({'enable-cors': 'true', 'cors-allow-origin': 'https://a.test/'}), 'default').policy.cors?.allowOrigin).toEqual(['*'])
    expect(parseAnnotations(all({'enable-cors': 'true', 'cors-allow-origin': 'https://a.test, b.test'}), 'default').policy.cors?.allowOrigin).toEqual(['https://a.test'])
    expect(parseAnnotations(all({'rewrite-target': '/$1?x=y'}), 'default').policy.rewriteTarget).toBeNull()
    expect(parseAnnotations(all({affinity: 'cookie', 'session-cookie-name': 'my cookie;', 'session-cookie-max-age': '3600s'}), 'default').policy.affinity).toEqual({cookieName: 'INGRESSCOOKIE', maxAgeSeconds: null, path: null})
    // redirect.go Parse reads temporal-redirect first; permanent-redirect is then not read at all.
    expect(parseAnnotations(all({'temporal-redirect': 'https://t.test', 'permanent-redirect': 'https://p.test'}), 'default').policy.redirect).toEqual({url: 'https://t.test', code: 302})
    // cors/main.go checks methods again as written: `GET , POST` passes the validator with spaces removed, not the second check.
    expect(parseAnnotations(all({'enable-cors': 'true', 'cors-allow-methods': 'GET , POST'}), 'default').policy.cors?.allowMethods).toBe('GET, PUT, POST, DELETE, PATCH, OPTIONS')
    expect(parseAnnotations(all({'enable-cors': 'true', 'cors-allow-methods': 'GET, POST'}), 'default').policy.cors?.allowMethods).toBe('GET, POST')
    expect(parseAnnotations(all({'from-to-www-redirect': '', 'permanent-redirect': 'https://p.test'}), 'default').policy.redirect).toBeNull()
    expect(parseAnnotations(all({'limit-rps': ''}), 'default').policy.limitRps).toBeNull()
    // ingress-nginx's denial is the one reported, before or after digest (kingress's own) in key order.
    expect(parseAnnotations(all({'allowlist-source-range': '10.0.0.0/33', 'auth-type': 'digest', 'auth-secret': 'htpasswd'}), 'default').policy.denied?.annotation).toBe(`${N}allowlist-source-range`)
    expect(parseAnnotations(all({'denylist-source-range': '10.0.0.0/33', 'auth-type': 'digest', 'auth-secret': 'htpasswd'}), 'default').policy.denied).toMatchObject({annotation: `${N}denylist-source-range`, by: 'ingress-nginx'})
    expect(parseAnnotations(all({'relative-redirects': '', 'permanent-redirect': 'https://p.test'}), 'default').policy.redirect).toBeNull()
    expect(parseAnnotations(all({'upstream-hash-by': '  '}), 'default').policy.upstreamHashBy).toBeNull()
    expect(parseAnnotations(all({'enable-cors': 'true', 'cors-allow-origin': '  '}), 'default').policy.cors?.allowOrigin).toEqual(['*'])
    // ipallowlist/main.go: whitelist-source-range is the alias, read only when allowlist-source-range is empty.
    expect(parseAnnotations(all({'allowlist-source-range': '10.0.0.0/8', 'whitelist-source-range': '127.0.0.1'}), 'default').policy.allowSourceRanges?.map((c) => c.text)).toEqual(['10.0.0.0/8'])
  })
})

describe('source ranges as Go parses them (internal/net/ipnet.go ParseIPNets)', () => {
  it('an IPv4-mapped address or range from /96 on is the IPv4 rule nginx gets (IPNet.String)', () => {
    const range = parseCidr('::ffff:10.0.0.0/104')!
    expect({family: range.family, prefix: range.prefix}).toEqual({family: 4, prefix: 8})
    expect(cidrContains(range, '10.1.2.3')).toBe(true)
    expect(cidrContains(parseCidr('::ffff:10.1.2.3')!, '::ffff:10.1.2.3')).toBe(true)
    expect(cidrContains(range, '11.0.0.1')).toBe(false)
  })

  it("a client's IPv6 zone is not part of its address", () => {
    expect(cidrContains(parseCidr('fe80::/10')!, 'fe80::1%eth0')).toBe(true)
  })
})

describe('a rejected Ingress is not served; a denied one answers 503', () => {
  const rejectedYaml = [
    ingressYaml('guarded', [{host: 'admin.test', paths: [{path: '/', pathType: 'Prefix', service: 'admin'}]}], {annotations: {[`${N}auth-url`]: 'http://auth.test/verify?group=admins%40example.com'}}),
    ingressYaml('public', [{host: 'www.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]),
  ].join('---\n')

  it('an error at the annotation, naming the field and the fix; the Ingress has no routes', () => {
    const result = compileYaml(rejectedYaml)
    const errors = result.all.filter((d) => d.severity === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.field).toBe(`metadata.annotations[${N}auth-url]`)
    expect(errors[0]!.at.line).toBeGreaterThan(1)
    expect(errors[0]!.message).toContain('ingress-nginx refuses the whole Ingress over this value')
    expect(errors[0]!.message).toContain('Fix the value')
    expect(result.table.match('admin.test', '/').route).toBeNull()
    expect(result.table.match('www.test', '/').route?.origin.name).toBe('public')
  })

  it('a denied Ingress: explain answers 503 on every path, before its redirects', () => {
    const yaml = ingressYaml('office', [{host: 'office.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}, {path: '/api', pathType: 'Prefix', service: 'api'}]}], {
      annotations: {[`${N}whitelist-source-range`]: '10.0.0.0/8, 192.168.0.0/33', [`${N}permanent-redirect`]: 'https://elsewhere.test'},
    })
    const result = compileYaml(yaml)
    expect(result.all.filter((d) => d.severity === 'warning').map((d) => d.message)).toContainEqual(expect.stringContaining('"192.168.0.0/33" is not an IP address or CIDR range'))
    for (const path of ['/', '/api/x']) {
      const e = explain(result.table, `http://office.test${path}`)
      expect(e.status).toBe(503)
      expect(e.verdict).toContain('location denied')
    }
  })
})
