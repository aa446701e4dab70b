import {describe, expect, it} from 'vitest'

import {jsonOf, send} from '../helpers.js'
import {compileYaml} from '../../support/manifests.js'
import {N, useProxy, yamlOf} from './support.js'

/** rewrite-target, use-regex, app-root, x-forwarded-prefix, upstream-vhost through the real proxy. */

describe('rewrite-target with capture groups (ingress-nginx docs: /something(/|$)(.*) → /$2)', () => {
  const f = useProxy({
    services: ['app', 'plain'],
    ingresses: [
      {name: 'rewrite', annotations: {'use-regex': 'true', 'rewrite-target': '/$2'}, rules: [{host: 'rewrite.bar.com', paths: [{path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'app'}]}]},
      {name: 'plain', rules: [{host: 'plain.test', paths: [{path: '/', pathType: 'Prefix', service: 'plain'}]}]},
    ],
  })

  it.each([
    ['/something', '/'],
    ['/something/', '/'],
    ['/something/new', '/new'],
    ['/something/new?x=1', '/new?x=1'],
    ['/SOMETHING/Case', '/Case'],
  ])('%s reaches the upstream as %s', async (path, upstreamUrl) => {
    const reply = await send(f.proxy.port, {path, headers: {host: 'rewrite.bar.com'}})
    expect(reply.status).toBe(200)
    expect(jsonOf(reply).url).toBe(upstreamUrl)
  })

  it('a route without annotations is forwarded untouched', async () => {
    const reply = await send(f.proxy.port, {path: '/something/new', headers: {host: 'plain.test'}})
    expect(jsonOf(reply).url).toBe('/something/new')
  })
})

describe('rewrite-target without capture groups, and use-regex ordering', () => {
  const f = useProxy({
    services: ['a', 'b'],
    ingresses: [
      {name: 'fixed', annotations: {'rewrite-target': '/'}, rules: [{host: 'fixed.test', paths: [{path: '/app', pathType: 'Prefix', service: 'a'}]}]},
      {name: 'regex', annotations: {'use-regex': 'true'}, rules: [{host: 'regex.test', paths: [{path: '/api/v[0-9]+/users', pathType: 'ImplementationSpecific', service: 'a'}, {path: '/', pathType: 'Prefix', service: 'b'}]}]},
    ],
  })

  it.each([
    ['/app', '/'],
    ['/app/deep/path', '/'],
    ['/app?q=1', '/?q=1'],
  ])('rewrite-target "/" sends %s as %s', async (path, upstreamUrl) => {
    expect(jsonOf(await send(f.proxy.port, {path, headers: {host: 'fixed.test'}})).url).toBe(upstreamUrl)
  })

  it.each([
    ['/api/v1/users', 'a'],
    ['/API/V22/users/7', 'a'],
    ['/api/vX/users', 'b'],
  ])('use-regex: %s is served by %s (case-insensitive, anchored at the start)', async (path, name) => {
    const reply = await send(f.proxy.port, {path, headers: {host: 'regex.test'}})
    expect(jsonOf(reply).name).toBe(name)
    expect(jsonOf(reply).url).toBe(path)
  })
})

describe('app-root, x-forwarded-prefix, upstream-vhost', () => {
  const f = useProxy({
    services: ['web'],
    ingresses: [
      {name: 'approot', annotations: {'app-root': '/app1'}, rules: [{host: 'approot.bar.com', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
      {name: 'prefix', annotations: {'use-regex': 'true', 'rewrite-target': '/$2', 'x-forwarded-prefix': '/something'}, rules: [{host: 'prefix.test', paths: [{path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'web'}]}]},
      {name: 'vhost', annotations: {'upstream-vhost': 'internal.svc.cluster.local'}, rules: [{host: 'vhost.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
    ],
  })

  // e2e test/e2e/annotations/approot.go: 302, Location http://approot.bar.com/foo ($scheme://$http_host, nginx.tmpl).
  it('app-root redirects / with 302 to the app root, and only /', async () => {
    const root = await send(f.proxy.port, {path: '/?q=1', headers: {host: 'approot.bar.com'}})
    expect(root.status).toBe(302)
    expect(root.headers.location).toBe('http://approot.bar.com/app1')
    const other = await send(f.proxy.port, {path: '/app1', headers: {host: 'approot.bar.com'}})
    expect(other.status).toBe(200)
    expect(jsonOf(other).url).toBe('/app1')
  })

  it('x-forwarded-prefix is sent upstream with the rewritten path', async () => {
    const body = jsonOf(await send(f.proxy.port, {path: '/something/page', headers: {host: 'prefix.test'}}))
    expect(body.url).toBe('/page')
    expect((body.headers as Record<string, string>)['x-forwarded-prefix']).toBe('/something')
  })

  // xforwardedprefix/main.go: RegexPathWithCapture refuses what is not US-ASCII, and Extract then refuses the Ingress.
  it('x-forwarded-prefix beyond US-ASCII: ingress-nginx refuses the Ingress, so kingress does not serve it', () => {
    const compiled = compileYaml(yamlOf({name: 'prefix-utf8', annotations: {'x-forwarded-prefix': '/caf\u00e9'}, rules: [{host: 'prefix-utf8.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]}))
    expect(compiled.all.filter((d) => d.severity === 'error').map((d) => d.field)).toEqual([`${N}x-forwarded-prefix`].map((key) => `metadata.annotations[${key}]`))
    expect(compiled.table.match('prefix-utf8.test', '/').route).toBeNull()
  })

  it('upstream-vhost replaces the Host header upstream; X-Forwarded-Host keeps the client one', async () => {
    const body = jsonOf(await send(f.proxy.port, {path: '/', headers: {host: 'vhost.test'}}))
    const headers = body.headers as Record<string, string>
    expect(headers.host).toBe('internal.svc.cluster.local')
    expect(headers['x-forwarded-host']).toBe('vhost.test')
  })
})
