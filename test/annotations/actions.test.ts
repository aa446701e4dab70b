import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import {affinityCookie, affinityToken, stickyEndpoint} from '../../src/annotations/affinity.js'
import {useCanary} from '../../src/annotations/canary.js'
import {corsHeaders, corsPreflight} from '../../src/annotations/cors.js'
import {evaluateHashKey, pickByHash} from '../../src/annotations/hash-by.js'
import {parseHtpasswd, verifyPassword} from '../../src/annotations/htpasswd.js'
import {parseAnnotations} from '../../src/annotations/parse.js'
import {DEFAULT_POLICY, type IngressPolicy} from '../../src/annotations/policy.js'
import {RateLimiter} from '../../src/annotations/rate-limit.js'
import {redirectFor, wwwRedirect} from '../../src/annotations/redirects.js'
import type {RequestView} from '../../src/annotations/request-view.js'
import {compileYaml, ingressYaml} from '../support/manifests.js'

const N = 'nginx.ingress.kubernetes.io/'

function req(over: Partial<RequestView> = {}): RequestView {
  return {method: 'GET', scheme: 'http', host: 'app.example.com', path: '/x', query: '?a=1', headers: {}, remoteAddress: '127.0.0.1', ...over}
}

function policyOf(annotations: Record<string, string>): IngressPolicy {
  return parseAnnotations(Object.fromEntries(Object.entries(annotations).map(([k, v]) => [N + k, v])), 'default').policy
}

const ctx = {tls: false, httpsPort: 8443, httpPort: 8080}

describe('redirects', () => {
  it('a TLS host redirects plain HTTP with 308 to the HTTPS port, keeping path and query', () => {
    const r = redirectFor(DEFAULT_POLICY, req(), {...ctx, tls: true})
    expect(r).toMatchObject({status: 308, headers: {location: 'https://app.example.com:8443/x?a=1'}, reason: 'ssl-redirect'})
    expect(redirectFor(DEFAULT_POLICY, req(), {...ctx, tls: true, httpsPort: 443})?.headers.location).toBe('https://app.example.com/x?a=1')
  })
  it('ssl-redirect: "false" turns it off; force-ssl-redirect turns it on without TLS', () => {
    expect(redirectFor(policyOf({'ssl-redirect': 'false'}), req(), {...ctx, tls: true})).toBeNull()
    expect(redirectFor(policyOf({'force-ssl-redirect': 'true'}), req(), ctx)?.status).toBe(308)
    expect(redirectFor(DEFAULT_POLICY, req({scheme: 'https'}), {...ctx, tls: true})).toBeNull()
  })
  // nginx.tmpl: `return <code> <url>;` in the location; app-root is a server-level `if ($uri = /)` (see test/routing/ingress-nginx.test.ts).
  it('permanent-redirect (301 or its code), temporal-redirect (302): the URL as written, no path or query added', () => {
    expect(redirectFor(policyOf({'permanent-redirect': 'https://new.example.com'}), req(), ctx)).toMatchObject({status: 301, headers: {location: 'https://new.example.com'}})
    expect(redirectFor(policyOf({'permanent-redirect': 'https://n.com', 'permanent-redirect-code': '308'}), req(), ctx)?.status).toBe(308)
    expect(redirectFor(policyOf({'temporal-redirect': 'https://t.com'}), req(), ctx)?.status).toBe(302)
    expect(redirectFor(policyOf({'app-root': '/app1'}), req({path: '/', query: ''}), ctx)).toBeNull()
  })
  it('from-to-www-redirect answers the other name of the rule host', () => {
    const {table} = compileYaml(ingressYaml('w', [{host: 'www.example.com', paths: [{path: '/', pathType: 'Prefix'}]}], {annotations: {[`${N}from-to-www-redirect`]: 'true'}}))
    expect(table.match('example.com', '/').wwwRedirect).toBe('www.example.com')
    expect(table.match('www.example.com', '/').wwwRedirect).toBeNull()
    // ngx_srv_redirect.lua: <scheme>://<host>:<port><request_uri>, the port always written.
    expect(wwwRedirect('www.example.com', req({host: 'example.com'}), ctx).headers.location).toBe('http://www.example.com:8080/x?a=1')
    expect(wwwRedirect('www.example.com', req({host: 'example.com', path: '/x/', query: ''}), {...ctx, httpPort: 80}).headers.location).toBe('http://www.example.com:80/x')
  })
})

describe('CORS', () => {
  const cors = policyOf({'enable-cors': 'true', 'cors-allow-origin': 'https://a.com, https://b.com'}).cors!
  it('answers the preflight itself', () => {
    const r = corsPreflight(cors, req({method: 'OPTIONS', headers: {origin: 'https://b.com', 'access-control-request-method': 'PUT'}}))
    expect(r).toMatchObject({status: 204, headers: {'access-control-allow-origin': 'https://b.com', 'access-control-max-age': '1728000', 'access-control-allow-credentials': 'true'}})
  })
  it('plain OPTIONS is forwarded', () => expect(corsPreflight(cors, req({method: 'OPTIONS'}))).toBeNull())
  it('an origin not in the list gets no CORS headers', () => expect(corsHeaders(cors, req({headers: {origin: 'https://evil.com'}}))).toEqual({}))
  it('* allows any origin', () => expect(corsHeaders(policyOf({'enable-cors': 'true'}).cors!, req({headers: {origin: 'https://x.com'}}))['access-control-allow-origin']).toBe('*'))
})

describe('htpasswd', () => {
  // Hashes as `htpasswd -m` (= openssl passwd -apr1) and `htpasswd -s` write them; bcrypt is made below.
  const file = [
    'apr:$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/',
    `sha:{SHA}${createHash('sha1').update('secret').digest('base64')}`,
  ].join('\n')
  const users = parseHtpasswd(file)
  it('verifies apr1 and SHA-1', () => {
    expect(verifyPassword('secret', users.get('apr')!)).toBe(true)
    expect(verifyPassword('wrong', users.get('apr')!)).toBe(false)
    expect(verifyPassword('secret', users.get('sha')!)).toBe(true)
  })
  it('verifies bcrypt ($2y$ as Apache writes it)', async () => {
    const bcrypt = (await import('bcryptjs')).default
    const hash = bcrypt.hashSync('secret', 4).replace(/^\$2b\$/, '$2y$')
    expect(verifyPassword('secret', hash)).toBe(true)
    expect(verifyPassword('nope', hash)).toBe(false)
  })
})

describe('rate limits', () => {
  it('limit-rps allows a burst of 5× the rate, then refills at the rate', () => {
    let now = 0
    const limiter = new RateLimiter(() => now)
    let passed = 0
    for (let i = 0; i < 20; i++) if (limiter.takeRequest('ing|1.2.3.4', 2)) passed++
    expect(passed).toBe(11)
    now += 1000
    expect(limiter.takeRequest('ing|1.2.3.4', 2)).toBe(true)
    expect(limiter.takeRequest('ing|1.2.3.4', 2)).toBe(true)
    expect(limiter.takeRequest('ing|1.2.3.4', 2)).toBe(false)
    expect(limiter.takeRequest('ing|5.6.7.8', 2)).toBe(true)
  })
  it('limit-connections counts open exchanges', () => {
    const limiter = new RateLimiter()
    expect(limiter.takeConnection('k', 1)).toBe(true)
    expect(limiter.takeConnection('k', 1)).toBe(false)
    limiter.releaseConnection('k')
    expect(limiter.takeConnection('k', 1)).toBe(true)
  })
})

describe('traffic policy', () => {
  const canary = policyOf({canary: 'true', 'canary-by-header': 'X-Canary', 'canary-by-cookie': 'use_canary', 'canary-weight': '0'}).canary!
  it('canary by header always/never, then cookie, then weight', () => {
    expect(useCanary(canary, req({headers: {'x-canary': 'always'}}))).toBe(true)
    expect(useCanary(canary, req({headers: {'x-canary': 'never', cookie: 'use_canary=always'}}))).toBe(false)
    expect(useCanary(canary, req({headers: {cookie: 'a=b; use_canary=always'}}))).toBe(true)
    expect(useCanary(canary, req())).toBe(false)
    const weighted = policyOf({canary: 'true', 'canary-weight': '30'}).canary!
    expect(useCanary(weighted, req(), () => 0.29)).toBe(true)
    expect(useCanary(weighted, req(), () => 0.3)).toBe(false)
  })
  it('canary-by-header-value must match exactly', () => {
    const rule = policyOf({canary: 'true', 'canary-by-header': 'X-Env', 'canary-by-header-value': 'staging'}).canary!
    expect(useCanary(rule, req({headers: {'x-env': 'staging'}}))).toBe(true)
    expect(useCanary(rule, req({headers: {'x-env': 'always'}}))).toBe(false)
  })
  it('upstream-hash-by: nginx variables and a stable, consistent choice', () => {
    expect(evaluateHashKey('$request_uri', req())).toBe('/x?a=1')
    expect(evaluateHashKey('$http_x_user-$cookie_sid-$arg_a', req({headers: {'x-user': 'ann', cookie: 'sid=9'}}))).toBe('ann-9-1')
    const endpoints = ['a', 'b', 'c', 'd'].map((id) => ({id}))
    const first = pickByHash('/some/key', endpoints)
    expect(pickByHash('/some/key', endpoints)).toBe(first)
    const others = endpoints.filter((e) => e !== first)
    // Removing an endpoint moves only the keys that were on it.
    let moved = 0
    for (let i = 0; i < 200; i++) {
      const before = pickByHash(`k${i}`, endpoints)!
      const after = pickByHash(`k${i}`, others)!
      if (before !== first && before !== after) moved++
    }
    expect(moved).toBe(0)
  })
  it('affinity cookie names an endpoint without exposing its address', () => {
    const affinity = policyOf({affinity: 'cookie', 'session-cookie-max-age': '60'}).affinity!
    const endpoints = [{id: '127.0.0.1:3000'}, {id: '127.0.0.1:3001'}]
    const cookie = affinityCookie(affinity, '127.0.0.1:3001', '/')
    expect(cookie).toMatch(/^INGRESSCOOKIE=[0-9a-f]{16}; Path=\/; HttpOnly; Max-Age=60; Expires=/)
    expect(cookie).not.toContain('127.0.0.1')
    expect(stickyEndpoint(affinity, req({headers: {cookie: `INGRESSCOOKIE=${affinityToken('127.0.0.1:3001')}`}}), endpoints)).toBe(endpoints[1])
    expect(stickyEndpoint(affinity, req(), endpoints)).toBeUndefined()
  })
})
