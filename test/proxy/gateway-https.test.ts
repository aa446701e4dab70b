import {connect as h2connect} from 'node:http2'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildProviders} from '../../src/runtime/providers.js'
import {startSession, type Session} from '../../src/runtime/session.js'
import {MISDIRECTED_REQUESTS} from '../gateway/conformance-tables.js'
import {CONFORMANCE, INFRA, secretCertificate} from './gateway-support.js'
import {echoUpstream, type Upstream} from './helpers.js'
import {tlsSandbox, type TlsSandbox} from './https-support.js'

/**
 * HTTPRoutes on the upstream base's HTTPS Gateway (same-namespace-with-https-listener: four
 * listeners on 443 with the tls-validity-checks-certificate Secret), served on kingress's HTTPS
 * listener. Requests go over HTTP/2 with the SNI the upstream test sends, verified against the
 * Secret's certificate as upstream does.
 */

/** Every server name, unknown-example.org included (the catch-all listener's), is served the Secret's certificate. */
function serveHttps(testFile: string): {session: () => Session; port: () => number; ca: string} {
  let sandbox: TlsSandbox
  let session: Session
  const upstreams: Upstream[] = []
  beforeAll(async () => {
    sandbox = tlsSandbox()
    const backends: string[] = []
    for (const name of ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3']) {
      const upstream = await echoUpstream(name)
      upstreams.push(upstream)
      backends.push(`${INFRA}/${name}=127.0.0.1:${upstream.port}`)
    }
    const providers = await buildProviders({backends, docker: false})
    const inputs = ['base.yaml', 'base-https-listener.yaml', testFile].map((f) => join(CONFORMANCE, f))
    session = await startSession({inputs, providers, bind: '127.0.0.1', http: {port: 0, explicit: true, fallbackPort: 0}, https: {port: 0, explicit: true, fallbackPort: 0}, watch: false, log: null, drainMs: 2000, env: {...process.env, ...sandbox.env}})
  })
  afterAll(async () => {
    await session?.close()
    await Promise.all(upstreams.map((u) => u.close()))
    sandbox?.cleanup()
  })
  return {session: () => session, port: () => session.results[1]!.port, ca: secretCertificate()}
}

/**
 * One HTTP/2 request on a fresh TLS connection opened with `serverName` (SNI), asking for `host`;
 * the chain is verified against `ca`, not the name (the suite's certificate is for `*`, `*.org` and
 * `*.wildcard.org`, base.yaml's for the names the tests use, not unknown-example.org).
 */
function h2Get(port: number, serverName: string, host: string, path: string, ca: string): Promise<{status: number; upstream: string | undefined}> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${port}`, {servername: serverName, ca, checkServerIdentity: () => undefined})
    session.on('error', reject)
    const req = session.request({':path': path, ':authority': host})
    req.on('response', (headers) => {
      const status = Number(headers[':status'])
      const upstream = headers['x-upstream'] as string | undefined
      req.resume()
      req.on('end', () => {
        session.close()
        resolve({status, upstream})
      })
    })
    req.on('error', reject)
    req.setTimeout(5000, () => req.close())
    req.end()
  })
}

// httproute-https-listener.go
describe('HTTPRouteHTTPSListener', () => {
  const served = serveHttps('httproute-https-listener.yaml')
  it.each([
    ['example.org', 200, 'infra-backend-v1'],
    ['unknown-example.org', 404, undefined],
    ['second-example.org', 200, 'infra-backend-v2'],
  ])('%s → %i %s', async (host, status, backend) => {
    const reply = await h2Get(served.port(), host, host, '/', served.ca)
    expect(reply.status).toBe(status)
    expect(reply.upstream).toBe(backend)
  })
})

// httproute-https-listener-detect-misdirected-requests.go, over HTTP/2 as upstream asks; the
// same table runs over HTTP/1.1 on a Gateway address of its own in gateway-addresses.test.ts.
describe('HTTPRouteHTTPSListenerDetectMisdirectedRequests', () => {
  const served = serveHttps('httproute-https-listener-detect-misdirected-requests.yaml')
  it.each(MISDIRECTED_REQUESTS)('SNI %s, Host %s → %i %s', async (serverName, host, status, backend) => {
    const reply = await h2Get(served.port(), serverName, host, '/detect-misdirected-requests', served.ca)
    expect(reply.status).toBe(status)
    expect(reply.upstream ?? null).toBe(backend)
  })
})
