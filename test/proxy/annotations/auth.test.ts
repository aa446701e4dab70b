import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import {echoUpstream, jsonOf, send, startUpstream, type Upstream} from '../helpers.js'
import {useProxy, type IngressSpec} from './support.js'

/** auth-type: basic (+ auth-secret, auth-realm), auth-url (+ auth-response-headers, auth-signin), enable-cors. */

const rule = (host: string, service: string) => [{host, paths: [{path: '/', pathType: 'Prefix', service}]}]
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
const sha1Line = `foo:{SHA}${createHash('sha1').update('bar').digest('base64')}`

const htpasswdSecret = ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: basic-auth', '  namespace: default', 'type: Opaque', 'stringData:', `  auth: "${sha1Line}\\n"`].join('\n') + '\n'

let authPort = 0
let upstreamHits = 0
let authSaw: Record<string, string | string[] | undefined> = {}

describe('auth-type: basic', () => {
  const f = useProxy({
    upstreams: {web: () => startUpstream((_req, res) => (upstreamHits++, res.end('secret stuff')))},
    extraYaml: [htpasswdSecret],
    ingresses: [
      {name: 'basic', annotations: {'auth-type': 'basic', 'auth-secret': 'basic-auth', 'auth-realm': 'Authentication Required - foo'}, rules: rule('basic.test', 'web')},
      {name: 'missing', annotations: {'auth-type': 'basic', 'auth-secret': 'nowhere'}, rules: rule('missing.test', 'web')},
    ],
  })

  it.each([
    [undefined, 401],
    [basic('foo', 'wrong'), 401],
    [basic('nobody', 'bar'), 401],
    [basic('foo', 'bar'), 200],
  ])('Authorization %s → %i', async (authorization, status) => {
    const before = upstreamHits
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'basic.test', ...(authorization ? {authorization} : {})}})
    expect(reply.status).toBe(status)
    if (status === 401) {
      expect(reply.headers['www-authenticate']).toBe('Basic realm="Authentication Required - foo"')
      expect(upstreamHits).toBe(before)
    }
  })

  it('a missing auth-secret answers 503 naming the Secret', async () => {
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'missing.test', authorization: basic('foo', 'bar')}})
    expect(reply.status).toBe(503)
    expect(reply.body).toContain('default/nowhere')
  })
})

describe('auth-url', () => {
  let auth: Upstream
  const f = useProxy({
    services: ['web'],
    upstreams: {
      authsvc: async () => {
        auth = await startUpstream((req, res) => {
          authSaw = req.headers
          const token = req.headers.authorization
          if (token === 'Bearer good') {
            res.writeHead(200, {'x-auth-user': 'alice', 'x-auth-email': 'alice@example.com', 'x-other': 'not copied'})
            res.end()
          } else if (token === 'Bearer forbidden') {
            res.writeHead(403)
            res.end()
          } else {
            res.writeHead(401, {'www-authenticate': 'Bearer'})
            res.end()
          }
        })
        authPort = auth.port
        return auth
      },
    },
    get ingresses(): IngressSpec[] {
      return [
        {name: 'ext', annotations: {'auth-url': `http://127.0.0.1:${authPort}/verify`, 'auth-response-headers': 'X-Auth-User, X-Auth-Email'}, rules: rule('ext.test', 'web')},
        {name: 'signin', annotations: {'auth-url': `http://127.0.0.1:${authPort}/verify`, 'auth-signin': 'https://login.example.com/start'}, rules: rule('signin.test', 'web')},
        {name: 'empty-method', annotations: {'auth-url': `http://127.0.0.1:${authPort}/verify`, 'auth-method': ''}, rules: rule('empty-method.test', 'web')},
        {name: 'signin-rd', annotations: {'auth-url': `http://127.0.0.1:${authPort}/verify`, 'auth-signin': 'https://login.example.com/start?rd=https://home.test/'}, rules: rule('signin-rd.test', 'web')},
      ]
    },
  })

  it('2xx lets the request through with auth-response-headers copied upstream', async () => {
    const reply = await send(f.proxy.port, {path: '/page?x=1', headers: {host: 'ext.test', authorization: 'Bearer good'}})
    expect(reply.status).toBe(200)
    const headers = jsonOf(reply).headers as Record<string, string>
    expect(headers['x-auth-user']).toBe('alice')
    expect(headers['x-auth-email']).toBe('alice@example.com')
    expect(headers['x-other']).toBeUndefined()
  })

  // The auth location of ingress-nginx's rootfs/etc/nginx/template/nginx.tmpl: its proxy_set_header
  // list, proxy_pass_request_headers on, and the client's headers of those names not passed.
  it('the subrequest carries the headers the auth location sets, and the client\'s others', async () => {
    const reply = await send(f.proxy.port, {path: '/page?x=1', headers: {host: 'ext.test:81', authorization: 'Bearer good', 'x-request-id': 'req-7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'corp.test', 'x-sent-from': 'forged', 'x-custom': 'kept'}})
    expect(reply.status).toBe(200)
    expect(authSaw).toMatchObject({
      host: `127.0.0.1:${authPort}`,
      'x-request-id': 'req-7',
      'x-original-url': 'http://ext.test:81/page?x=1',
      'x-original-method': 'GET',
      'x-sent-from': 'nginx-ingress-controller',
      'x-real-ip': '127.0.0.1',
      'x-forwarded-for': '127.0.0.1',
      'x-auth-request-redirect': '/page?x=1',
      // Not set there, so the client's passes through.
      'x-forwarded-host': 'corp.test',
      'x-custom': 'kept',
      authorization: 'Bearer good',
    })
    // `X-Forwarded-Proto ""`: removed. X-Original-URI and X-Scheme only with auth-method.
    expect(authSaw['x-forwarded-proto']).toBeUndefined()
    expect(authSaw['x-original-uri']).toBeUndefined()
    expect(authSaw['x-scheme']).toBeUndefined()
    // The upstream gets the same id.
    expect((jsonOf(reply).headers as Record<string, string>)['x-request-id']).toBe('req-7')
  })

  it('a generated request id is the same for the auth service and the upstream', async () => {
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'ext.test', authorization: 'Bearer good'}})
    expect(authSaw['x-request-id']).toMatch(/^[0-9a-f]{32}$/)
    expect((jsonOf(reply).headers as Record<string, string>)['x-request-id']).toBe(authSaw['x-request-id'])
  })

  it("without auth-method the client's X-Original-URI and X-Scheme pass; names nginx ignores do not", async () => {
    await send(f.proxy.port, {path: '/', headers: {host: 'ext.test', authorization: 'Bearer good', 'x-original-uri': '/theirs', 'x-scheme': 'gopher', x_real_ip: '6.6.6.6'}})
    expect(authSaw).toMatchObject({'x-original-uri': '/theirs', 'x-scheme': 'gopher', 'x-real-ip': '127.0.0.1'})
    expect(authSaw.x_real_ip).toBeUndefined()
  })

  // undici refuses Expect (and Upgrade) in a request it sends: it went into the subrequest and every
  // such request was answered 500. nginx's proxy module never sends them (ngx_http_proxy_headers).
  it('a body sent with Expect: 100-continue is authorized and forwarded', async () => {
    const reply = await send(f.proxy.port, {method: 'POST', path: '/upload', headers: {host: 'ext.test', authorization: 'Bearer good', expect: '100-continue', 'content-type': 'text/plain'}, body: 'payload'})
    expect(reply.status).toBe(200)
    expect(authSaw.expect).toBeUndefined()
    expect(authSaw['content-length']).toBeUndefined()
  })

  // authreq/main.go reads an empty auth-method as none (nginx.tmpl: `if $externalAuth.Method`); it
  // went to undici as the method "" and every request was answered 500.
  it('an empty auth-method is no method: a GET subrequest', async () => {
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'empty-method.test', authorization: 'Bearer good'}})
    expect(reply.status).toBe(200)
    expect(authSaw['x-original-uri']).toBeUndefined()
  })

  it.each([
    ['Bearer nope', 401],
    ['Bearer forbidden', 403],
  ])('%s: the auth service answer %i is passed to the client', async (authorization, status) => {
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'ext.test', authorization}})
    expect(reply.status).toBe(status)
  })

  it('401 with auth-signin redirects to the sign-in URL with rd=', async () => {
    const reply = await send(f.proxy.port, {path: '/deep?x=1', headers: {host: 'signin.test'}})
    expect(reply.status).toBe(302)
    // rd=$pass_access_scheme://$http_host$escaped_request_uri (template.go buildAuthSignURL, nginx.tmpl set_escape_uri).
    expect(reply.headers.location).toBe(`https://login.example.com/start?rd=http://signin.test${encodeURIComponent('/deep?x=1')}`)
    // $http_host: the port the client used stays in rd=.
    const withPort = await send(f.proxy.port, {path: '/deep', headers: {host: 'signin.test:8080'}})
    expect(withPort.headers.location).toBe('https://login.example.com/start?rd=http://signin.test:8080%2Fdeep')
  })

  it('an auth-signin URL with its own rd= is used as it is (template.go buildAuthSignURL)', async () => {
    const reply = await send(f.proxy.port, {path: '/deep', headers: {host: 'signin-rd.test'}})
    expect(reply.status).toBe(302)
    expect(reply.headers.location).toBe('https://login.example.com/start?rd=https://home.test/')
  })
})

/** An endpoint where nothing listens any more: connections are refused. */
async function closedPort(): Promise<Upstream> {
  const gone = await echoUpstream('gone')
  await gone.close()
  return {...gone, close: async () => {}}
}

describe('enable-cors', () => {
  const f = useProxy({
    services: ['api'],
    ingresses: [
      {name: 'cors', annotations: {'enable-cors': 'true', 'cors-allow-origin': 'https://app.example.com', 'cors-allow-methods': 'GET, POST', 'cors-max-age': '600', 'cors-expose-headers': 'X-Total'}, rules: rule('cors.test', 'api')},
      {name: 'cors-any', annotations: {'enable-cors': 'true'}, rules: rule('any.test', 'api')},
      // kingress's own answers on a CORS Ingress: a 502 (nothing listens), and a 403 from an access list.
      {name: 'cors-down', annotations: {'enable-cors': 'true'}, rules: rule('down.test', 'down')},
      {name: 'cors-denied', annotations: {'enable-cors': 'true', 'whitelist-source-range': '10.0.0.0/8'}, rules: rule('denied.test', 'api')},
    ],
    upstreams: {down: closedPort},
  })

  it('answers the preflight itself with 204', async () => {
    const reply = await send(f.proxy.port, {method: 'OPTIONS', path: '/items', headers: {host: 'cors.test', origin: 'https://app.example.com', 'access-control-request-method': 'POST'}})
    expect(reply.status).toBe(204)
    expect(reply.headers).toMatchObject({'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-methods': 'GET, POST', 'access-control-max-age': '600', 'access-control-allow-credentials': 'true'})
  })

  it('adds the CORS headers to proxied responses', async () => {
    const reply = await send(f.proxy.port, {path: '/items', headers: {host: 'cors.test', origin: 'https://app.example.com'}})
    expect(reply.status).toBe(200)
    expect(reply.headers).toMatchObject({'access-control-allow-origin': 'https://app.example.com', 'access-control-expose-headers': 'X-Total', vary: 'Origin'})
    const star = await send(f.proxy.port, {path: '/', headers: {host: 'any.test', origin: 'https://x.test'}})
    expect(star.headers['access-control-allow-origin']).toBe('*')
  })

  it('adds nothing for an origin that is not allowed', async () => {
    const reply = await send(f.proxy.port, {path: '/items', headers: {host: 'cors.test', origin: 'https://evil.test'}})
    expect(reply.headers['access-control-allow-origin']).toBeUndefined()
  })

  it("adds them to kingress's own error answers too, so a browser script can read the failure", async () => {
    const down = await send(f.proxy.port, {path: '/', headers: {host: 'down.test', origin: 'https://x.test', accept: 'application/json'}})
    expect(down.status).toBe(502)
    expect(down.headers['access-control-allow-origin']).toBe('*')
    const denied = await send(f.proxy.port, {path: '/', headers: {host: 'denied.test', origin: 'https://x.test'}})
    expect(denied.status).toBe(403)
    expect(denied.headers['access-control-allow-origin']).toBe('*')
  })
})
