import {X509Certificate} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {connect as h2connect} from 'node:http2'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {WebSocket, WebSocketServer} from 'ws'

import {FAKE_CERTIFICATE_CN} from '../../src/tls/leaf.js'
import {CertificateStore} from '../../src/tls/store.js'
import {runCli, startServingCli, type ServingCli} from '../support/cli.js'
import {FIXTURES, saveByRename} from './helpers.js'
import {bodyEcho, curl, type EchoServer, eventually, handshake, httpPortOf, httpsPortOf, loopbackLookup, tlsSandbox, type TlsSandbox} from './https-support.js'

const DAY = 24 * 60 * 60 * 1000

/** Ingresses next to the blue/green fixture: a wildcard host, a Secret-backed spec.tls host, a spec.tls host without Secret, a WebSocket host. */
function extraManifests(secretCert: string, secretKey: string, more = ''): string {
  const b64 = (text: string): string => Buffer.from(text).toString('base64')
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: wild, namespace: default}
spec:
  rules:
  - host: "*.example.com"
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: wild, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: secure, namespace: default}
spec:
  tls:
  - hosts: [secure.test]
    secretName: secure-tls
  - hosts: [pay.example.com]
  rules:
  - host: secure.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}
  - host: pay.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: sockets, namespace: default}
spec:
  rules:
  - host: ws.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: ws, port: {number: 80}}}}
---
apiVersion: v1
kind: Secret
metadata: {name: secure-tls, namespace: default}
type: kubernetes.io/tls
data:
  tls.crt: ${b64(secretCert)}
  tls.key: ${b64(secretKey)}
${more}`
}

const LATE_INGRESS = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: late, namespace: default}
spec:
  tls:
  - hosts: [late.test]
  rules:
  - host: late.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}
`

describe('kingress up serves HTTPS (real CLI, real clients, 127.0.0.1 only)', () => {
  let sandbox: TlsSandbox
  let other: TlsSandbox
  let echo: EchoServer
  let blue: EchoServer
  let wild: EchoServer
  let wsUpstream: EchoServer
  let wss: WebSocketServer
  let cli: ServingCli
  let port: number
  let httpPort: number
  let ca: string
  let secretCert: X509Certificate
  let secretCaFile: string
  let secretCertPem: string
  let secretKeyPem: string
  let staleSerial: string
  let extraFile: string

  beforeAll(async () => {
    sandbox = tlsSandbox()
    other = tlsSandbox('kingress-other-ca-')
    ;[echo, blue, wild, wsUpstream] = await Promise.all([bodyEcho('echo'), bodyEcho('blue'), bodyEcho('wild'), bodyEcho('ws-plain')])
    wss = new WebSocketServer({server: wsUpstream.server})
    wss.on('connection', (socket, req) => {
      socket.send(JSON.stringify({proto: req.headers['x-forwarded-proto'], host: req.headers.host}))
      socket.on('message', (data, binary) => socket.send(data, {binary}))
    })
    // A Secret whose certificate another CA issued (what a cluster's cert-manager would have made).
    const fromOtherCa = await new CertificateStore({home: other.home}).certificatesFor([{host: 'secure.test', tls: true}])
    const entry = fromOtherCa.entries.get('secure.test')!
    secretCert = entry.cert
    secretCertPem = entry.certPem
    secretKeyPem = entry.keyPem
    secretCaFile = other.caFile
    // A cached leaf for blue.example.com that expires in 10 days: `up` must re-issue it at start.
    const stale = await new CertificateStore({home: sandbox.home, leafValidityMs: 10 * DAY}).certificatesFor([{host: 'blue.example.com', tls: false}])
    staleSerial = stale.entries.get('blue.example.com')!.cert.serialNumber

    extraFile = join(sandbox.dir, 'extra.yaml')
    writeFileSync(extraFile, extraManifests(secretCertPem, secretKeyPem))
    cli = await startServingCli(
      [
        'up',
        join(FIXTURES, 'virtual-host-ingress.yaml'),
        extraFile,
        '--http-port',
        '0',
        '--https-port',
        '0',
        '--no-docker',
        '--no-dashboard',
        '--backend',
        `webserver-blue-svc=127.0.0.1:${blue.port}`,
        '--backend',
        `webserver-green-svc=127.0.0.1:${blue.port}`,
        '--backend',
        `wild=127.0.0.1:${wild.port}`,
        '--backend',
        `echo=127.0.0.1:${echo.port}`,
        '--backend',
        `ws=127.0.0.1:${wsUpstream.port}`,
      ],
      {env: sandbox.env},
    )
    port = httpsPortOf(cli.urls)
    httpPort = httpPortOf(cli.urls)
    ca = readFileSync(sandbox.caFile, 'utf8')
  }, 60_000)

  afterAll(async () => {
    await cli?.stop()
    cli?.kill()
    wss?.close()
    await Promise.all([echo, blue, wild, wsUpstream].map((s) => s?.close()))
    sandbox?.cleanup()
    other?.cleanup()
  })

  it('lists HTTP and HTTPS in the ready line and says the CA is not trusted yet', async () => {
    expect(cli.ready).toMatch(/^ready http:\/\/127\.0\.0\.1:\d+ https:\/\/127\.0\.0\.1:\d+ \(routes: /)
    expect(cli.stderr()).toContain('run `kingress ca install`')
    expect(cli.stderr()).toContain(`NODE_EXTRA_CA_CERTS=${sandbox.caFile}`)
    const path = await runCli(['ca', 'path'], {env: sandbox.env})
    expect(path.stdout.trim()).toBe(sandbox.caFile)
  })

  it('curl --cacert "$(kingress ca path)" verifies blue.example.com (a host without spec.tls), X-Forwarded-Proto https upstream', async () => {
    const result = await curl(['--cacert', sandbox.caFile, '--resolve', `blue.example.com:${port}:127.0.0.1`, `https://blue.example.com:${port}/hello?x=1`])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const seen = JSON.parse(result.stdout) as {name: string; url: string; headers: Record<string, string>}
    expect(seen.name).toBe('blue')
    expect(seen.url).toBe('/hello?x=1')
    expect(seen.headers['x-forwarded-proto']).toBe('https')
    expect(seen.headers['x-forwarded-port']).toBe(String(port))
    expect(seen.headers.host).toBe(`blue.example.com:${port}`)
  })

  it('negotiates h2 through ALPN (curl --http2 and node:http2), and HTTP/1.1 for clients without h2', async () => {
    const h2 = await curl(['--http2', '--cacert', sandbox.caFile, '--resolve', `green.example.com:${port}:127.0.0.1`, '-o', '/dev/null', '-w', '%{http_version} %{http_code}', `https://green.example.com:${port}/`])
    expect(h2.stdout).toBe('2 200')
    const h1 = await curl(['--http1.1', '--cacert', sandbox.caFile, '--resolve', `green.example.com:${port}:127.0.0.1`, '-o', '/dev/null', '-w', '%{http_version} %{http_code}', `https://green.example.com:${port}/`])
    expect(h1.stdout).toBe('1.1 200')

    const reply = await new Promise<{status: number; body: string}>((resolve, reject) => {
      const session = h2connect(`https://green.example.com:${port}`, {ca, lookup: loopbackLookup as never})
      session.on('error', reject)
      const stream = session.request({':path': '/h2', ':method': 'GET'})
      let status = 0
      let body = ''
      stream.on('response', (headers) => (status = Number(headers[':status'])))
      stream.setEncoding('utf8').on('data', (c: string) => (body += c))
      stream.on('end', () => {
        session.close()
        resolve({status, body})
      })
      stream.on('error', reject)
      stream.end()
    })
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({name: 'blue', url: '/h2', headers: {'x-forwarded-proto': 'https', host: `green.example.com:${port}`}})
  })

  it('accepts the wildcard certificate for a.example.com and rejects it for a.b.example.com (default certificate, 404 page)', async () => {
    const one = await curl(['--cacert', sandbox.caFile, '--resolve', `a.example.com:${port}:127.0.0.1`, `https://a.example.com:${port}/`])
    expect(one.code).toBe(0)
    expect(JSON.parse(one.stdout).name).toBe('wild')
    const sni = await handshake(port, 'a.example.com', ca)
    expect(sni.cert?.subjectAltName).toBe('DNS:*.example.com')

    const two = await curl(['--cacert', sandbox.caFile, '--resolve', `a.b.example.com:${port}:127.0.0.1`, `https://a.b.example.com:${port}/`])
    expect(two.code).toBe(60) // CURLE_PEER_FAILED_VERIFICATION
    expect(two.stderr).toMatch(/subject name|does not match|no alternative certificate subject name/i)
    const deep = await handshake(port, 'a.b.example.com', ca)
    expect(deep.cert?.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')
    // Past the certificate warning: kingress's own 404 page, as for any name no rule serves.
    const page = await curl(['--insecure', '-H', 'accept: application/json', '--resolve', `a.b.example.com:${port}:127.0.0.1`, '-w', '\n%{http_code}', `https://a.b.example.com:${port}/`])
    expect(page.stdout.trim().split('\n').at(-1)).toBe('404')
    const unknown = await handshake(port, 'nothing.invalid', ca)
    expect(unknown.cert?.subjectAltName).toContain('DNS:localhost')
    // No SNI at all (https://127.0.0.1/): the default certificate, trusted for 127.0.0.1.
    const bare = await curl(['--cacert', sandbox.caFile, '-H', 'accept: application/json', '-w', '\n%{http_code}', `https://127.0.0.1:${port}/`])
    expect(bare.code).toBe(0)
    expect(bare.stdout.trim().split('\n').at(-1)).toBe('404')
  })

  it('serves the certificate of a kubernetes.io/tls Secret named by spec.tls', async () => {
    const served = await handshake(port, 'secure.test', readFileSync(secretCaFile, 'utf8'))
    expect(served.error).toBeNull()
    expect(served.authorized).toBe(true)
    expect(served.cert?.fingerprint256).toBe(secretCert.fingerprint256)
    const result = await curl(['--cacert', secretCaFile, '--resolve', `secure.test:${port}:127.0.0.1`, `https://secure.test:${port}/`])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).name).toBe('echo')
  })

  it('re-issued at start the cached leaf that was close to expiry', async () => {
    const served = await handshake(port, 'blue.example.com', ca)
    expect(served.authorized).toBe(true)
    expect(served.cert?.serialNumber).not.toBe(staleSerial)
    expect(new Date(served.cert!.validTo).getTime() - Date.now()).toBeGreaterThan(300 * DAY)
    const onDisk = new X509Certificate(readFileSync(join(sandbox.home, 'certs', 'blue.example.com.pem')))
    expect(onDisk.serialNumber).toBe(served.cert?.serialNumber)
  })

  it('speaks TLS 1.2 and 1.3 only', async () => {
    const modern = await handshake(port, 'blue.example.com', ca)
    expect(modern.protocol).toBe('TLSv1.3')
    const tls12 = await handshake(port, 'blue.example.com', ca, {maxVersion: 'TLSv1.2'})
    expect(tls12.protocol).toBe('TLSv1.2')
    const old = await handshake(port, 'blue.example.com', ca, {minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0'})
    expect(old.cert).toBeNull()
    expect(old.error).toBeTruthy()
  })

  it('carries WebSocket upgrades over HTTPS (HTTP/1.1), with X-Forwarded-Proto https', async () => {
    const ws = new WebSocket(`wss://ws.test:${port}/chat`, {ca, lookup: loopbackLookup as never})
    const messages: string[] = []
    const first = new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        messages.push(String(data))
        if (messages.length === 1) resolve()
      })
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
    await first
    expect(JSON.parse(messages[0]!)).toEqual({proto: 'https', host: `ws.test:${port}`})
    const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))))
    ws.send('over tls')
    expect(await echoed).toBe('over tls')
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.close(1000)
    expect(await closed).toBe(1000)
  })

  // Needs the ssl-redirect gate in src/proxy/forward.ts (issue 8's annotations).
  it('redirects a plain-HTTP POST to a spec.tls host with 308 to the HTTPS port, and following it keeps the method and body', async () => {
    const first = await curl(['-X', 'POST', '--data-binary', 'payload=1', '--resolve', `pay.example.com:${httpPort}:127.0.0.1`, '-D', '-', '-o', '/dev/null', `http://pay.example.com:${httpPort}/checkout?step=2`])
    expect(first.stdout).toMatch(/^HTTP\/1\.1 308 /)
    expect(first.stdout).toMatch(new RegExp(`\\r\\nlocation: https://pay\\.example\\.com:${port}/checkout\\?step=2\\r\\n`, 'i'))

    const followed = await curl([
      '-L',
      '--data-binary',
      'payload=1',
      '--cacert',
      sandbox.caFile,
      '--resolve',
      `pay.example.com:${httpPort}:127.0.0.1`,
      '--resolve',
      `pay.example.com:${port}:127.0.0.1`,
      `http://pay.example.com:${httpPort}/checkout?step=2`,
    ])
    expect(followed.stderr).toBe('')
    expect(JSON.parse(followed.stdout)).toMatchObject({name: 'echo', method: 'POST', url: '/checkout?step=2', body: 'payload=1', headers: {'x-forwarded-proto': 'https'}})
    // A host without spec.tls is not redirected.
    const plain = await curl(['--resolve', `blue.example.com:${httpPort}:127.0.0.1`, '-o', '/dev/null', '-w', '%{http_code}', `http://blue.example.com:${httpPort}/`])
    expect(plain.stdout).toBe('200')
  })

  it('picks up new TLS hosts on reload without a restart', async () => {
    const before = await handshake(port, 'late.test', ca)
    expect(before.cert?.subjectAltName).toContain('DNS:localhost')
    await saveByRename(extraFile, extraManifests(secretCertPem, secretKeyPem, LATE_INGRESS))
    const after = await eventually(
      async () => {
        const h = await handshake(port, 'late.test', ca)
        return h.cert?.subjectAltName === 'DNS:late.test' ? h : null
      },
      15_000,
      'a certificate for late.test',
    )
    expect(after.authorized).toBe(true)
    // The rest of the set is still served.
    expect((await handshake(port, 'secure.test', undefined)).cert?.fingerprint256).toBe(secretCert.fingerprint256)
  })
})

describe('kingress up --strict-tls', () => {
  let sandbox: TlsSandbox
  let cli: ServingCli
  let port: number
  let ca: string
  let firstStartMs: number

  beforeAll(async () => {
    sandbox = tlsSandbox()
    const manifest = join(sandbox.dir, 'mixed.yaml')
    writeFileSync(
      manifest,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: mixed, namespace: default}
spec:
  tls:
  - hosts: [secure.example.com]
  rules:
  - host: secure.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}]}
  - host: plain.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}]}
`,
    )
    const started = performance.now()
    // A fresh KINGRESS_HOME: this start creates the CA and every certificate.
    cli = await startServingCli(['up', manifest, '--strict-tls', '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--backend', 'app=127.0.0.1:9'], {env: sandbox.env})
    firstStartMs = performance.now() - started
    port = httpsPortOf(cli.urls)
    ca = readFileSync(sandbox.caFile, 'utf8')
  }, 60_000)
  afterAll(async () => {
    await cli?.stop()
    cli?.kill()
    sandbox?.cleanup()
  })

  it('serves the untrusted fake certificate to a host without spec.tls, a trusted one to a spec.tls host', async () => {
    console.log(`first start with --strict-tls (new CA, 2 hosts): ready after ${Math.round(firstStartMs)} ms`)
    const plain = await handshake(port, 'plain.example.com', ca)
    expect(plain.authorized).toBe(false)
    expect(plain.cert?.subject).toContain(`CN=${FAKE_CERTIFICATE_CN}`)
    const secure = await handshake(port, 'secure.example.com', ca)
    expect(secure.authorized).toBe(true)
    expect(secure.cert?.subjectAltName).toBe('DNS:secure.example.com')
    const result = await curl(['--cacert', sandbox.caFile, '--resolve', `plain.example.com:${port}:127.0.0.1`, `https://plain.example.com:${port}/`])
    expect(result.code).toBe(60)
  })
})

describe('HTTPS port errors', () => {
  it('an explicit --https-port that is taken is a user error (exit 1, no stack)', async () => {
    const sandbox = tlsSandbox()
    const {createServer} = await import('node:net')
    const blocker = createServer()
    const taken = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as {port: number}).port)))
    try {
      const result = await runCli(['up', join(FIXTURES, 'virtual-host-ingress.yaml'), '--http-port', '0', '--https-port', String(taken), '--no-docker', '--no-dashboard'], {env: sandbox.env})
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${taken} (--https-port ${taken}): address already in use`)
      expect(result.stderr).not.toMatch(/\n\s+at /)
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
      sandbox.cleanup()
    }
  })

  it('a KINGRESS_HOME that cannot hold the CA is a user error saying where and what to do', async () => {
    const sandbox = tlsSandbox()
    try {
      const file = join(sandbox.dir, 'a-file')
      writeFileSync(file, '')
      const result = await runCli(['up', join(FIXTURES, 'virtual-host-ingress.yaml'), '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard'], {env: {...sandbox.env, KINGRESS_HOME: join(file, 'kingress')}})
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(`cannot set up HTTPS: kingress keeps its local CA and certificates in ${join(file, 'kingress')}`)
      expect(result.stderr).toContain('point KINGRESS_HOME at one')
      expect(result.stderr).not.toMatch(/\n\s+at /)
    } finally {
      sandbox.cleanup()
    }
  })
})
