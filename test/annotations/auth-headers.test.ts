import {describe, expect, it} from 'vitest'

import {authRequestHeaders, signinLocation} from '../../src/annotations/auth.js'
import type {RequestView} from '../../src/annotations/request-view.js'

// The auth location of ingress-nginx's rootfs/etc/nginx/template/nginx.tmpl.
const view = (headers: RequestView['headers'], scheme: 'http' | 'https' = 'https'): RequestView => ({method: 'POST', scheme, host: 'app.test', path: '/a b', query: '?q=1', headers, remoteAddress: '10.0.0.9'})

describe('auth-url subrequest headers', () => {
  it('over HTTP/2: no pseudo-header is passed, and $http_host is the :authority', () => {
    const headers = authRequestHeaders({url: 'http://auth.test/', method: null, responseHeaders: [], signin: null}, view({':method': 'POST', ':path': '/a b?q=1', ':scheme': 'https', ':authority': 'app.test:8443', accept: '*/*'}), 'id1')
    expect(Object.keys(headers).filter((name) => name.startsWith(':'))).toEqual([])
    expect(headers).toMatchObject({accept: '*/*', 'x-original-url': 'https://app.test:8443/a b?q=1', 'x-original-method': 'POST', 'x-request-id': 'id1'})
  })

  it('auth-method adds X-Original-URI and X-Scheme; the body framing headers never go', () => {
    const headers = authRequestHeaders({url: 'http://auth.test/', method: 'POST', responseHeaders: [], signin: null}, view({host: 'app.test', 'content-length': '12', 'transfer-encoding': 'chunked', connection: 'keep-alive', 'x-scheme': 'forged'}, 'http'), 'id2')
    expect(headers).toMatchObject({'x-original-uri': '/a b?q=1', 'x-scheme': 'http'})
    expect(headers['content-length']).toBeUndefined()
    expect(headers['transfer-encoding']).toBeUndefined()
    expect(headers.connection).toBeUndefined()
    expect(headers.host).toBeUndefined()
  })
})

// template.go buildAuthSignURL: Go's url.Parse, then `?rd=` when the query has no parameters, the URL
// as it is when rd= is set, else `&rd=`, always appended at the end of the string.
describe('auth-signin Location', () => {
  it.each([
    ['https://l.test/start', 'https://l.test/start?rd=R'],
    ['https://l.test/start?a=1', 'https://l.test/start?a=1&rd=R'],
    ['https://l.test/start?', 'https://l.test/start??rd=R'],
    ['https://l.test/start?rd=https://home.test/', 'https://l.test/start?rd=https://home.test/'],
    ['https://l.test/start?rd=', 'https://l.test/start?rd=&rd=R'],
    ['https://l.test/#/in?x=1', 'https://l.test/#/in?x=1?rd=R'],
    ['https://l.test/#/in?rd=x', 'https://l.test/#/in?rd=x?rd=R'],
  ])('%s → %s', (signin, location) => {
    expect(signinLocation(signin, 'R')).toBe(location)
  })
})
