import {describe, expect, it} from 'vitest'

import {send, startUpstream} from '../helpers.js'
import {useProxy} from './support.js'

/** permanent-redirect(-code), temporal-redirect, from-to-www-redirect, ssl-redirect, force-ssl-redirect. */

let hits = 0
const counting = () =>
  startUpstream((req, res) => {
    hits++
    res.end(`served ${req.url}`)
  })

describe('redirect annotations', () => {
  const f = useProxy({
    upstreams: {web: counting},
    httpsPort: 8443,
    ingresses: [
      {name: 'perm', annotations: {'permanent-redirect': 'https://www.google.com'}, rules: [{host: 'perm.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
      {name: 'perm-code', annotations: {'permanent-redirect': 'https://new.example.com/', 'permanent-redirect-code': '308'}, rules: [{host: 'permcode.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
      {name: 'temp', annotations: {'temporal-redirect': 'https://maintenance.example.com'}, rules: [{host: 'temp.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
      {name: 'www', annotations: {'from-to-www-redirect': 'true'}, rules: [{host: 'www.shop.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
      {name: 'tls', tls: ['secure.test'], rules: [{host: 'secure.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
      {name: 'tls-off', tls: ['nossl.test'], annotations: {'ssl-redirect': 'false'}, rules: [{host: 'nossl.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
      {name: 'forced', annotations: {'force-ssl-redirect': 'true'}, rules: [{host: 'forced.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
      {name: 'wild', tls: ['"*.wild.test"'], rules: [{host: '*.wild.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]},
    ],
  })

  it.each([
    ['perm.test', 'GET', 301, 'https://www.google.com'],
    ['permcode.test', 'GET', 308, 'https://new.example.com/'],
    ['temp.test', 'GET', 302, 'https://maintenance.example.com'],
    ['shop.test', 'GET', 308, 'http://www.shop.test:PORT/a/b?c=d'],
    ['secure.test', 'POST', 308, 'https://secure.test:8443/a/b?c=d'],
    ['forced.test', 'PUT', 308, 'https://forced.test:8443/a/b?c=d'],
    ['x.wild.test', 'GET', 308, 'https://x.wild.test:8443/a/b?c=d'],
  ])('%s %s → %i %s, and nothing reaches the upstream', async (host, method, status, location) => {
    const before = hits
    const reply = await send(f.proxy.port, {method, path: '/a/b?c=d', headers: {host}, body: method === 'GET' ? undefined : 'payload'})
    expect(reply.status).toBe(status)
    expect(reply.headers.location).toBe(location.replace('PORT', String(f.proxy.port)))
    expect(hits).toBe(before)
  })

  it('ssl-redirect: "false" serves plain HTTP on a TLS host', async () => {
    const reply = await send(f.proxy.port, {path: '/x', headers: {host: 'nossl.test'}})
    expect(reply.status).toBe(200)
    expect(reply.body).toBe('served /x')
  })

  it('the www name itself is served', async () => {
    expect((await send(f.proxy.port, {path: '/', headers: {host: 'www.shop.test'}})).status).toBe(200)
  })
})

describe('ssl-redirect without an HTTPS listener', () => {
  const f = useProxy({upstreams: {web: counting}, ingresses: [{name: 'tls', tls: ['secure.test'], rules: [{host: 'secure.test', paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]}]})

  it('does not redirect when kingress serves no HTTPS (nowhere to send the client)', async () => {
    const reply = await send(f.proxy.port, {path: '/x', headers: {host: 'secure.test'}})
    expect(reply.status).toBe(200)
  })
})
