import {describe, expect, it} from 'vitest'

import {INGRESS_NGINX_PROFILE, profileNamed} from '../../../src/proxy/profile.js'
import {isUserError} from '../../../src/errors.js'
import {send, startUpstream} from '../helpers.js'
import {useProxy} from './support.js'

/** --profile ingress-nginx: the controller's defaults that bite in production, on the laptop. */

const sink = () => startUpstream((req, res) => req.resume().on('end', () => res.end('ok')))
const rule = (host: string) => [{host, paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]

describe('--profile ingress-nginx', () => {
  const f = useProxy({
    profile: INGRESS_NGINX_PROFILE,
    upstreams: {web: sink},
    ingresses: [
      {name: 'plain', rules: rule('plain.test')},
      {name: 'big', annotations: {'proxy-body-size': '8m'}, rules: rule('big.test')},
    ],
  })

  it('a body over 1m is refused with 413 on an Ingress without proxy-body-size', async () => {
    expect((await send(f.proxy.port, {method: 'POST', headers: {host: 'plain.test'}, body: Buffer.alloc(1024 * 1024 + 1)})).status).toBe(413)
    expect((await send(f.proxy.port, {method: 'POST', headers: {host: 'plain.test'}, body: Buffer.alloc(1024 * 1024)})).status).toBe(200)
  })

  it("the Ingress's proxy-body-size still wins", async () => {
    expect((await send(f.proxy.port, {method: 'POST', headers: {host: 'big.test'}, body: Buffer.alloc(2 * 1024 * 1024)})).status).toBe(200)
  })

  it('proxy timeouts are 60 s (read, between body chunks, send) and connect 5 s', () => {
    expect(f.proxy.session.runtime.timeouts).toEqual({clientBodyMs: 60_000, connectMs: 5000, headersMs: 60_000, bodyMs: 60_000, sendMs: 60_000})
  })
})

describe('without a profile', () => {
  const f = useProxy({upstreams: {web: sink}, ingresses: [{name: 'plain', rules: rule('plain.test')}]})

  it('there is no body limit and response bodies are never cut for silence', async () => {
    expect((await send(f.proxy.port, {method: 'POST', headers: {host: 'plain.test'}, body: Buffer.alloc(2 * 1024 * 1024)})).status).toBe(200)
    expect(f.proxy.session.runtime.timeouts.bodyMs).toBe(0)
  })
})

describe('profileNamed', () => {
  it('names the fix for an unknown profile', () => {
    expect(profileNamed('ingress-nginx')).toBe(INGRESS_NGINX_PROFILE)
    let error: unknown
    try {
      profileNamed('traefik')
    } catch (e) {
      error = e
    }
    expect(isUserError(error)).toBe(true)
    expect(String((error as Error).message)).toContain('--profile ingress-nginx')
  })
})
