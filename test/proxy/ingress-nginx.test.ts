import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {startServingCli} from '../support/cli.js'
import {ingressYaml} from '../support/manifests.js'
import {echoUpstream, jsonOf, send, startUpstream} from './helpers.js'
import {useProxy} from './annotations/support.js'

/**
 * The Kubernetes blog post "Before You Migrate: Five Surprising Ingress-NGINX Behaviors"
 * (2026-02-27, https://kubernetes.io/blog/2026/02/27/ingress-nginx-before-you-migrate/), each
 * example through the real proxy on loopback, plus the root-location and Server-header behaviour
 * read from ingress-nginx's source. The blog's backend is httpbin; here an echo upstream named
 * after the Service tells which one answered and what URL it received.
 */
describe("the blog post's five examples, through the real proxy", () => {
  const f = useProxy({
    services: ['httpbin', 'headers'],
    ingresses: [
      // 1. Regex matches are prefix-based and case-insensitive: ~* "^/[A-Z]{3}" matches /uuid.
      {name: 'regex-match-ingress', annotations: {'use-regex': 'true'}, rules: [{host: 'regex-match.example.com', paths: [{path: '/[A-Z]{3}', pathType: 'ImplementationSpecific', service: 'httpbin'}]}]},
      // 2. use-regex applies to every path of the host, other Ingresses' Exact ones included.
      {name: 'regex-other', annotations: {'use-regex': 'true'}, rules: [{host: 'regex-other.example.com', paths: [{path: '/api/v[0-9]+', pathType: 'ImplementationSpecific', service: 'httpbin'}]}]},
      {name: 'regex-other-exact', rules: [{host: 'regex-other.example.com', paths: [{path: '/Header', pathType: 'Exact', service: 'headers'}]}]},
      // 3. rewrite-target implies regex mode.
      {name: 'rewrite-target-ingress', annotations: {'rewrite-target': '/uuid'}, rules: [{host: 'rewrite-target.example.com', paths: [{path: '/IP', pathType: 'Exact', service: 'httpbin'}]}]},
      {name: 'rewrite-target-ingress-other', rules: [{host: 'rewrite-target.example.com', paths: [{path: '/Header', pathType: 'Exact', service: 'headers'}]}]},
      // 4. A missing trailing slash is redirected.
      {name: 'trailing-slash-ingress', rules: [{host: 'trailing-slash.example.com', paths: [{path: '/my-path/', pathType: 'Exact', service: 'httpbin'}]}]},
      // 5. URL normalisation.
      {name: 'path-normalization-ingress', rules: [{host: 'path-normalization.example.com', paths: [{path: '/uuid', pathType: 'Exact', service: 'httpbin'}]}]},
    ],
  })
  const get = (host: string, path: string) => send(f.proxy.port, {path, headers: {host}})

  it('1. /[A-Z]{3} with use-regex serves /uuid', async () => {
    const reply = await get('regex-match.example.com', '/uuid')
    expect(reply.status).toBe(200)
    expect(jsonOf(reply)).toMatchObject({name: 'httpbin', url: '/uuid'})
  })

  it('2. Exact /Header of another Ingress serves /headers once the host is in regex mode', async () => {
    const reply = await get('regex-other.example.com', '/headers')
    expect(jsonOf(reply)).toMatchObject({name: 'headers', url: '/headers'})
  })

  it('3. rewrite-target on Exact /IP serves /ip, rewritten to /uuid; /headers reaches Exact /Header', async () => {
    expect(jsonOf(await get('rewrite-target.example.com', '/ip'))).toMatchObject({name: 'httpbin', url: '/uuid'})
    expect(jsonOf(await get('rewrite-target.example.com', '/headers'))).toMatchObject({name: 'headers', url: '/headers'})
  })

  it('4. /my-path answers 301 to /my-path/ (the query kept); /my-path/ is served', async () => {
    const reply = await get('trailing-slash.example.com', '/my-path?a=1')
    expect(reply.status).toBe(301)
    expect(reply.headers.location).toBe(`http://trailing-slash.example.com:${f.proxy.port}/my-path/?a=1`)
    expect(jsonOf(await get('trailing-slash.example.com', '/my-path/'))).toMatchObject({name: 'httpbin'})
  })

  // nginx matches the normalised URI, then proxy_pass without a URI part forwards the request
  // target as received (ngx_http_proxy_module.c create_request: r->unparsed_uri).
  it('5. /ip/abc/../../uuid and ////uuid are matched as /uuid and forwarded as sent', async () => {
    expect(jsonOf(await get('path-normalization.example.com', '/uuid'))).toMatchObject({name: 'httpbin', url: '/uuid'})
    expect(jsonOf(await get('path-normalization.example.com', '/ip/abc/../../uuid'))).toMatchObject({name: 'httpbin', url: '/ip/abc/../../uuid'})
    expect(jsonOf(await get('path-normalization.example.com', '////uuid'))).toMatchObject({name: 'httpbin', url: '////uuid'})
  })
})

describe('the root location carries the annotations of the Ingress that created the server (controller.go createServers)', () => {
  const f = useProxy({
    services: ['app', 'other'],
    ingresses: [
      // A TLS host: plain HTTP is redirected by the root location too, before its 404.
      {name: 'secure', tls: ['secure.test'], rules: [{host: 'secure.test', paths: [{path: '/app', pathType: 'Prefix', service: 'app'}]}]},
      // The first Ingress for a host restricts it; a later Ingress's paths do not inherit that, the root does.
      {name: 'a-restricted', annotations: {'whitelist-source-range': '10.0.0.0/8'}, rules: [{host: 'mixed.test', paths: [{path: '/private', pathType: 'Prefix', service: 'app'}]}]},
      {name: 'b-open', rules: [{host: 'mixed.test', paths: [{path: '/public', pathType: 'Prefix', service: 'other'}]}]},
    ],
    httpsPort: 443,
  })

  it('http://secure.test/nothing answers 308 to https first, as ingress-nginx does', async () => {
    const reply = await send(f.proxy.port, {path: '/nothing?x=1', headers: {host: 'secure.test'}})
    expect(reply.status).toBe(308)
    expect(reply.headers.location).toBe('https://secure.test/nothing?x=1')
  })

  it('a WebSocket upgrade to a path no rule has gets the same 308 (the root location\'s ssl-redirect)', async () => {
    const reply = await send(f.proxy.port, {path: '/nothing', headers: {host: 'secure.test', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ=='}})
    expect(reply.status).toBe(308)
    expect(reply.headers.location).toBe('https://secure.test/nothing')
  })

  it('the root of mixed.test comes from b-open, which sorts first, so it is open', async () => {
    // Equal (absent) timestamps: store.go sortIngressSlice puts namespace/name in descending order.
    expect((await send(f.proxy.port, {path: '/unknown', headers: {host: 'mixed.test'}})).status).toBe(404)
    expect((await send(f.proxy.port, {path: '/private', headers: {host: 'mixed.test'}})).status).toBe(403)
    expect(jsonOf(await send(f.proxy.port, {path: '/public', headers: {host: 'mixed.test'}})).name).toBe('other')
  })
})

describe('the root location of a restricted first Ingress', () => {
  const f = useProxy({
    services: ['app'],
    ingresses: [{name: 'z-restricted', annotations: {'whitelist-source-range': '10.0.0.0/8'}, rules: [{host: 'locked.test', paths: [{path: '/app', pathType: 'Prefix', service: 'app'}]}]}],
  })

  it('answers 403 for a path no rule has, not 404: allow/deny is in the root location too', async () => {
    expect((await send(f.proxy.port, {path: '/unknown', headers: {host: 'locked.test'}})).status).toBe(403)
  })
})

describe('the 404 page of a host with many locations', () => {
  const paths = Array.from({length: 40}, (_, i) => ({path: `/p${i}`, pathType: 'Prefix', service: 'web'}))
  const f = useProxy({services: ['web'], ingresses: [{name: 'many', rules: [{host: 'many.test', paths}]}]})

  it('lists a few locations and points to explain, instead of all of them', async () => {
    const reply = await send(f.proxy.port, {path: '/nothing', headers: {host: 'many.test', accept: 'application/json'}})
    expect(reply.status).toBe(404)
    const details = jsonOf(reply).details as string[]
    expect(details).toHaveLength(11)
    expect(details.at(-1)).toBe('… and 71 more locations (`kingress explain` lists them all)')
  })
})

describe('paths nginx refuses, and what the upstream receives after a rewrite', () => {
  const f = useProxy({
    services: ['web', 'rw'],
    ingresses: [
      {name: 'web', rules: [{host: 'web.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
      {name: 'rw', annotations: {'use-regex': 'true', 'rewrite-target': '/new/$1'}, rules: [{host: 'rw.test', paths: [{path: '/old/(.*)', pathType: 'ImplementationSpecific', service: 'rw'}]}]},
    ],
  })

  it.each(['/..', '/../x', '/%2e%2e/x', '/a/%2E%2E/../b'])('%s is a 400 before routing (ngx_http_parse_complex_uri)', async (path) => {
    const reply = await send(f.proxy.port, {path, headers: {host: 'web.test', accept: 'application/json'}})
    expect(reply.status).toBe(400)
    expect(jsonOf(reply)).toMatchObject({error: 'invalid-path'})
  })

  // ngx_http_proxy_module.c: after a rewrite the URI is rebuilt from the decoded one with
  // ngx_escape_uri(NGX_ESCAPE_URI): %20 stays %20, %2F goes as /, non-ASCII as upper-case %XX.
  it.each([
    ['/old/a%20b', '/new/a%20b'],
    ['/old/a%2Fb', '/new/a/b'],
    ['/old/caf%c3%a9?q=1', '/new/caf%C3%A9?q=1'],
    ['/old/x%3Fy', '/new/x%3Fy'],
  ])('%s reaches the upstream as %s', async (path, upstreamUrl) => {
    const reply = await send(f.proxy.port, {path, headers: {host: 'rw.test'}})
    expect(reply.status).toBe(200)
    expect(jsonOf(reply).url).toBe(upstreamUrl)
  })
})

describe('the Server header', () => {
  const f = useProxy({
    services: [],
    ingresses: [{name: 'app', rules: [{host: 'app.test', paths: [{path: '/', pathType: 'Prefix', service: 'app'}]}]}],
    upstreams: {
      app: () =>
        startUpstream((_req, res) => {
          res.writeHead(200, {server: 'gunicorn/22', 'content-type': 'text/plain'})
          res.end('ok')
        }),
    },
  })

  // nginx's proxy_hide_header hides the upstream's Server by default, and ingress-nginx's
  // server-tokens: false adds `more_clear_headers Server` (nginx.tmpl): a proxied response has none.
  it("a proxied response does not carry the upstream's Server header", async () => {
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'app.test'}})
    expect(reply.status).toBe(200)
    expect(reply.headers.server).toBeUndefined()
  })

  it("kingress's own answers say who answered: Server: kingress", async () => {
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'nobody.test'}})
    expect(reply.status).toBe(404)
    expect(reply.headers.server).toBe('kingress')
  })
})

describe('kingress up --semantics spec (real CLI)', () => {
  it("serves the Ingress API's rules: no regex mode, no 301, Prefix by whole elements", async () => {
    const upstream = await echoUpstream('docs')
    const dir = await mkdtemp(join(tmpdir(), 'kingress-semantics-'))
    const file = join(dir, 'ing.yaml')
    await writeFile(file, ingressYaml('docs', [{host: 'docs.test', paths: [{path: '/docs/', pathType: 'Prefix', service: 'docs'}]}], {annotations: {'nginx.ingress.kubernetes.io/use-regex': 'true'}}))
    const spec = await startServingCli(['up', file, '--semantics', 'spec', '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--backend', `docs=127.0.0.1:${upstream.port}`], {env: {KINGRESS_HOME: dir}})
    try {
      const port = Number(new URL(spec.urls.find((u) => u.startsWith('http:'))!).port)
      expect(jsonOf(await send(port, {path: '/docs', headers: {host: 'docs.test'}})).name).toBe('docs')
      expect((await send(port, {path: '/DOCS/x', headers: {host: 'docs.test'}})).status).toBe(404)
      expect((await send(port, {path: '/docsx', headers: {host: 'docs.test'}})).status).toBe(404)
    } finally {
      await spec.stop()
      await upstream.close()
    }
  })
})
