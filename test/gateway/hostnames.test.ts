import {describe, expect, it} from 'vitest'

import {effectiveHostnames, intersectHostnames} from '../../src/gateway/hostnames.js'

// Listener.hostname and HTTPRoute.hostnames docs (apis/v1/gateway_types.go, httproute_types.go).
describe('listener/route hostname intersection', () => {
  it('a listener without hostname takes every route hostname', () => {
    expect(intersectHostnames(null, 'foo.example.com')).toBe('foo.example.com')
    expect(intersectHostnames(null, '*.example.com')).toBe('*.example.com')
  })

  it('a wildcard label matches one or more labels, never the bare suffix', () => {
    expect(intersectHostnames('*.example.com', 'foo.example.com')).toBe('foo.example.com')
    expect(intersectHostnames('*.example.com', 'foo.bar.example.com')).toBe('foo.bar.example.com')
    expect(intersectHostnames('*.example.com', 'example.com')).toBeNull()
    expect(intersectHostnames('example.com', '*.example.com')).toBeNull()
    expect(intersectHostnames('*.wildcard.io', 'wildcard.io')).toBeNull()
  })

  it('the more specific of the two when one covers the other', () => {
    expect(intersectHostnames('very.specific.com', '*.specific.com')).toBe('very.specific.com')
    expect(intersectHostnames('*.example.com', '*.foo.example.com')).toBe('*.foo.example.com')
    expect(intersectHostnames('*.foo.example.com', '*.example.com')).toBe('*.foo.example.com')
    expect(intersectHostnames('*.example.com', '*.example.com')).toBe('*.example.com')
    expect(intersectHostnames('*.a.com', '*.b.com')).toBeNull()
    expect(intersectHostnames('a.com', 'b.com')).toBeNull()
    expect(intersectHostnames('xexample.com', '*.example.com')).toBeNull()
  })

  it('a route without hostnames takes the listener\'s', () => {
    expect(effectiveHostnames('*.example.com', [])).toEqual(['*.example.com'])
    expect(effectiveHostnames('bar.com', ['non.matching.com', 'bar.com'])).toEqual(['bar.com'])
    // gateway-http-listener-isolation-with-hostname-intersection.yaml: "*.example.com" on a
    // "*.foo.example.com" listener becomes *.foo.example.com.
    expect(effectiveHostnames('*.foo.example.com', ['bar.com', '*.example.com'])).toEqual(['*.foo.example.com'])
  })
})
