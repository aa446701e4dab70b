import {describe, expect, it} from 'vitest'

import {corsOutcome, corsPolicyOf, originMatches} from '../../src/gateway/cors.js'

// apis/v1/httproute_types.go HTTPCORSFilter.AllowOrigins: scheme, host and port; the scheme's port when none is written; `*` greedy to the left.
describe('originMatches', () => {
  it.each([
    ['*', 'http://anything.test:1234', true],
    ['https://www.foo.com', 'https://www.foo.com', true],
    ['https://www.foo.com', 'https://www.foo.com:443', true],
    ['https://www.foo.com', 'http://www.foo.com', false],
    ['https://www.foo.com', 'https://www.foo.com:8443', false],
    ['http://www.foo.com:8080', 'http://www.foo.com:8080', true],
    ['https://*.bar.com', 'https://a.b.bar.com', true],
    ['https://*.bar.com', 'https://bar.com', false],
    ['https://*.bar.com', 'https://xbar.com', false],
    ['https://*', 'https://any.host', true],
    ['https://*', 'http://any.host', false],
    ['https://WWW.Foo.com', 'https://www.foo.com', true],
    ['https://www.foo.com', 'null', false],
  ])('%s takes %s: %s', (pattern, origin, expected) => expect(originMatches(pattern, origin)).toBe(expected))
})

describe('corsOutcome', () => {
  const policy = corsPolicyOf({allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: ['*'], allowCredentials: true})
  it('with credentials, no wildcard goes back: the method and headers asked for are echoed, exposeHeaders * is left out', () => {
    const out = corsOutcome(policy, 'OPTIONS', {origin: 'https://a.test', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'x-a'})
    expect(out?.kind).toBe('preflight')
    expect(Object.fromEntries(out!.headers)).toEqual({'access-control-allow-origin': 'https://a.test', vary: 'Origin', 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'PATCH', 'access-control-allow-headers': 'x-a', 'access-control-max-age': '5'})
  })
  it('no Origin: not a CORS request', () => {
    expect(corsOutcome(policy, 'OPTIONS', {'access-control-request-method': 'GET'})).toBeNull()
  })
  it('an OPTIONS without Access-Control-Request-Method is an actual request', () => {
    expect(corsOutcome(policy, 'OPTIONS', {origin: 'https://a.test'})?.kind).toBe('actual')
  })
})
