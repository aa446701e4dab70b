import {describe, expect, it} from 'vitest'

import {acceptableRequestId, clientAddress, clientResponseHeaders, connectionTokens, upstreamRequestHeaders} from '../../src/proxy/headers.js'
import {newRequestId} from '../../src/proxy/request-id.js'
import {requestTarget} from '../../src/proxy/target.js'
import {pageFormat} from '../../src/proxy/error-page.js'

const info = {clientIp: '127.0.0.1', scheme: 'http' as const, port: 8080, requestId: 'rid'}

function pairs(list: readonly string[]): [string, string][] {
  const out: [string, string][] = []
  for (let i = 0; i < list.length; i += 2) out.push([list[i]!, list[i + 1]!])
  return out
}

describe('upstream request headers', () => {
  it('drops hop-by-hop headers and the ones Connection names, keeps the rest with their case', () => {
    const raw = ['Host', 'a.test', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'Keep-Alive', '5', 'TE', 'trailers', 'Trailer', 'x', 'Transfer-Encoding', 'chunked', 'Upgrade', 'h2c', 'Proxy-Authorization', 'x', 'Proxy-Connection', 'x', 'Expect', '100-continue', 'X-Custom', 'Yes', 'Cookie', 'a=1', 'Cookie', 'b=2']
    const {list} = upstreamRequestHeaders(raw, 'a.test', 'keep-alive, X-Hop', info)
    const names = pairs(list).map(([n]) => n)
    expect(names.slice(0, 4)).toEqual(['Host', 'X-Custom', 'Cookie', 'Cookie'])
    expect(names).not.toContain('X-Hop')
    expect(names.map((n) => n.toLowerCase())).not.toContain('te')
  })

  // ingress-nginx's location block in rootfs/etc/nginx/template/nginx.tmpl, with its defaults
  // (use-forwarded-headers: false): each proxy_set_header replaces the client's header of that name.
  it('sets the forwarded headers as nginx.tmpl does: client values of X-Forwarded-For/-Host move to X-Original-*, the rest are replaced', () => {
    const raw = ['host', 'a.test', 'x-forwarded-for', '10.0.0.1', 'X-Forwarded-For', '10.0.0.2', 'x-forwarded-host', 'corp.test', 'x-original-forwarded-for', 'forged', 'x-original-forwarded-host', 'forged', 'x-forwarded-proto', 'https', 'x-forwarded-scheme', 'https', 'x-scheme', 'https', 'x-real-ip', '6.6.6.6', 'x-request-id', 'old']
    const list = pairs(upstreamRequestHeaders(raw, 'a.test', undefined, info).list)
    expect(Object.fromEntries(list)).toEqual({
      host: 'a.test',
      'x-forwarded-for': '127.0.0.1',
      'x-original-forwarded-for': '10.0.0.1, 10.0.0.2',
      'x-forwarded-host': 'a.test',
      'x-original-forwarded-host': 'corp.test',
      'x-forwarded-port': '8080',
      'x-forwarded-proto': 'http',
      'x-forwarded-scheme': 'http',
      'x-scheme': 'http',
      'x-real-ip': '127.0.0.1',
      'x-request-id': 'rid',
    })
    // One of each: none of the client's copies survive beside the ones set.
    expect(list).toHaveLength(11)
  })

  it('drops the Proxy header (nginx.tmpl `Proxy ""`, the httpoxy mitigation) and adds no Via, passing the client\'s unchanged', () => {
    const list = pairs(upstreamRequestHeaders(['host', 'a.test', 'Proxy', 'http://evil.test:3128', 'Via', '1.0 corp'], 'a.test', undefined, info).list)
    expect(list.map(([n]) => n.toLowerCase())).not.toContain('proxy')
    expect(list.filter(([n]) => n.toLowerCase() === 'via')).toEqual([['Via', '1.0 corp']])
    expect(pairs(upstreamRequestHeaders(['host', 'a.test'], 'a.test', undefined, info).list).map(([n]) => n)).not.toContain('via')
  })

  it('turns HTTP/2 :authority into Host and drops other pseudo-headers', () => {
    const {list} = upstreamRequestHeaders([':method', 'GET', ':authority', 'h2.test', ':path', '/', 'accept', '*/*'], 'h2.test', undefined, info)
    expect(pairs(list).slice(0, 2)).toEqual([
      ['accept', '*/*'],
      ['host', 'h2.test'],
    ])
  })

  it('drops header names with underscores or other characters nginx ignores, and sends exactly one Host', () => {
    const raw = ['Host', 'a.test', 'X_Forwarded_For', '6.6.6.6', 'x.y', '1', 'X-Ok', 'yes', 'host', 'b.test']
    const list = pairs(upstreamRequestHeaders(raw, 'a.test', undefined, info).list)
    expect(list.filter(([n]) => n.toLowerCase() === 'host')).toEqual([['Host', 'a.test']])
    expect(list.map(([n]) => n)).not.toContain('X_Forwarded_For')
    expect(list.map(([n]) => n)).not.toContain('x.y')
    expect(list).toContainEqual(['X-Ok', 'yes'])
    // Absolute-form: the target's authority replaces the client's Host (RFC 9112 §3.2.2).
    const absolute = pairs(upstreamRequestHeaders(raw, 'c.test', undefined, info, true).list)
    expect(absolute.filter(([n]) => n.toLowerCase() === 'host')).toEqual([['host', 'c.test']])
  })

  it('flags a header line over 8 KiB', () => {
    expect(upstreamRequestHeaders(['cookie', 'x'.repeat(9000)], 'a', undefined, info).oversized).toBe('cookie')
    expect(upstreamRequestHeaders(['cookie', 'x'.repeat(8000)], 'a', undefined, info).oversized).toBeNull()
  })
})

describe('client response headers', () => {
  // nginx.tmpl sets Via and X-Request-ID towards the upstream only: the client's answer carries neither.
  it('drops hop-by-hop headers and adds nothing: no Via, no X-Request-ID', () => {
    const raw = ['Content-Type', 'text/plain', 'Connection', 'keep-alive, X-Internal', 'X-Internal', 's', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'].map((s) => Buffer.from(s))
    expect(pairs(clientResponseHeaders(raw))).toEqual([
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ])
    // Two Connection fields: the headers both name are dropped (before, the second replaced the first).
    const twice = pairs(clientResponseHeaders(['Connection', 'X-A', 'X-A', '1', 'Connection', 'X-B', 'X-B', '2', 'X-C', '3'].map((s) => Buffer.from(s))))
    expect(twice).toEqual([['X-C', '3']])
    const own = pairs(clientResponseHeaders(['X-Request-Id', 'theirs', 'Via', '1.1 cache'].map((s) => Buffer.from(s))))
    expect(own).toEqual([
      ['X-Request-Id', 'theirs'],
      ['Via', '1.1 cache'],
    ])
  })
})

describe('small helpers', () => {
  it('connectionTokens ignores close/keep-alive/upgrade', () => {
    expect(connectionTokens('close')).toBeNull()
    expect(connectionTokens('Keep-Alive')).toBeNull()
    expect(connectionTokens('keep-alive, X-Hop')).toEqual(new Set(['x-hop']))
    expect(connectionTokens(['Upgrade', 'X-A, x-b'])).toEqual(new Set(['x-a', 'x-b']))
  })

  // nginx's $request_id (src/http/ngx_http_variables.c, ngx_http_variable_request_id): 16 random
  // bytes as 32 lower-case hex digits, what ingress-nginx sends when the client sent no X-Request-ID.
  it('generated request ids are nginx\'s $request_id format, and differ', () => {
    const ids = Array.from({length: 600}, () => newRequestId())
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('request ids: printable ASCII up to 200 characters, else generated', () => {
    expect(acceptableRequestId('abc-123')).toBe('abc-123')
    expect(acceptableRequestId('has space')).toBeNull()
    expect(acceptableRequestId('x'.repeat(201))).toBeNull()
    expect(acceptableRequestId(['a', 'b'])).toBeNull()
  })

  it('client addresses drop the IPv4-mapped prefix', () => {
    expect(clientAddress('::ffff:10.0.0.1')).toBe('10.0.0.1')
    expect(clientAddress('::1')).toBe('::1')
  })

  it('request targets: origin form and absolute form', () => {
    expect(requestTarget('/a/b?c', 'h')).toEqual({host: 'h', path: '/a/b', forward: '/a/b?c', absolute: false})
    // Absolute-form routes on its authority and goes upstream in origin-form (RFC 9112 §3.2.2).
    expect(requestTarget('http://Other.test:81/p?q', 'h')).toEqual({host: 'Other.test:81', path: '/p', forward: '/p?q', absolute: true})
    expect(requestTarget('http://Other.test?q', 'h')).toEqual({host: 'Other.test', path: '/', forward: '/?q', absolute: true})
    // Userinfo in an http(s) URI is invalid (RFC 9110 §4.2.4): not routed.
    expect(requestTarget('http://user@Other.test:81/p?q', 'h')).toBeNull()
    expect(requestTarget('*', 'h')).toBeNull()
  })

  it('error page format follows Accept', () => {
    expect(pageFormat('text/html,application/xhtml+xml')).toBe('html')
    expect(pageFormat('application/json')).toBe('json')
    expect(pageFormat('application/problem+json')).toBe('json')
    expect(pageFormat('*/*')).toBe('text')
    expect(pageFormat(undefined)).toBe('text')
  })
})
