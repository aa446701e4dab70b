import {describe, expect, it} from 'vitest'

import {send, startUpstream} from '../helpers.js'
import {useProxy} from './support.js'

/**
 * Annotation values ingress-nginx turns into a denied location (a LocationDenied error in
 * annotations.go Extract; nginx.tmpl then writes `return 503` in place of the location): the
 * upstream is never reached. Before, kingress ignored these values and served the paths without
 * the access rule or the authentication they asked for.
 */

const rule = (host: string) => [{host, paths: [{path: '/', pathType: 'Prefix', service: 'web'}]}]
const secret = (namespace: string, data: Record<string, string>) =>
  ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: htpasswd', `  namespace: ${namespace}`, 'type: Opaque', 'stringData:', ...Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`)].join('\n') + '\n'

let upstreamHits = 0

describe('denied locations answer 503 and never reach the upstream', () => {
  const f = useProxy({
    upstreams: {web: () => startUpstream((_req, res) => (upstreamHits++, res.end('private')))},
    extraYaml: [secret('default', {users: 'foo:bar'}), secret('other', {auth: 'foo:{PLAIN}bar'})],
    ingresses: [
      // ipallowlist/main.go Parse: a bad CIDR is LocationDenied.
      {name: 'office', annotations: {'whitelist-source-range': '127.0.0.1, 10.0.0.0/33'}, rules: rule('office.test')},
      // ipdenylist/main.go Parse: an empty value is LocationDenied too.
      {name: 'blocked', annotations: {'denylist-source-range': ''}, rules: rule('blocked.test')},
      // authreq/main.go Parse: an auth-method methodsRegex refuses is NewLocationDenied.
      {name: 'sso', annotations: {'auth-url': 'http://127.0.0.1:9/verify', 'auth-method': 'get'}, rules: rule('sso.test')},
      // auth/main.go Parse: a Secret in another namespace (allow-cross-namespace-resources: false).
      {name: 'elsewhere', annotations: {'auth-type': 'basic', 'auth-secret': 'other/htpasswd'}, rules: rule('elsewhere.test')},
      // auth/main.go dumpSecretAuthFile: an auth-file Secret without the key `auth`.
      {name: 'nokey', annotations: {'auth-type': 'basic', 'auth-secret': 'htpasswd'}, rules: rule('nokey.test')},
      // authTypeRegex passes digest, which kingress does not emulate: 503 rather than no authentication.
      {name: 'digest', annotations: {'auth-type': 'digest', 'auth-secret': 'htpasswd'}, rules: rule('digest.test')},
      // auth/main.go Parse looks the Secret up: a missing one is denied before the location's redirect or CORS preflight.
      {name: 'moved', annotations: {'auth-type': 'basic', 'auth-secret': 'nowhere', 'permanent-redirect': 'https://new.test', 'enable-cors': 'true'}, rules: rule('moved.test')},
      {name: 'open', rules: rule('open.test')},
    ],
  })

  it.each(['office.test', 'blocked.test', 'sso.test', 'elsewhere.test', 'nokey.test', 'digest.test', 'moved.test'])('%s → 503', async (host) => {
    const before = upstreamHits
    const reply = await send(f.proxy.port, {path: '/anything', headers: {host, authorization: `Basic ${Buffer.from('foo:bar').toString('base64')}`}})
    expect(reply.status).toBe(503)
    expect(upstreamHits).toBe(before)
  })

  it('the answer says which annotation denies the location', async () => {
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'office.test'}})
    expect(reply.body).toContain('whitelist-source-range: "10.0.0.0/33" is not an IP address or CIDR range')
  })

  it('a CORS preflight to a location denied over its missing Secret is 503 too', async () => {
    const reply = await send(f.proxy.port, {method: 'OPTIONS', path: '/', headers: {host: 'moved.test', origin: 'https://app.test', 'access-control-request-method': 'PUT'}})
    expect(reply.status).toBe(503)
  })

  it('the other Ingresses are served', async () => {
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'open.test'}})
    expect(reply.status).toBe(200)
    expect(reply.body).toBe('private')
  })
})
