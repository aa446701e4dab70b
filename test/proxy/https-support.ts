import {execFile} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import type {IncomingMessage} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import tls from 'node:tls'

import {startUpstream, type Upstream} from './helpers.js'

/** A sandbox for one `kingress up`: KINGRESS_HOME and HOME in a temp folder, never the user's. */
export interface TlsSandbox {
  readonly dir: string
  readonly env: NodeJS.ProcessEnv
  readonly home: string
  /** The local CA certificate `kingress up` creates (what `kingress ca path` prints). */
  readonly caFile: string
  cleanup(): void
}

export function tlsSandbox(prefix = 'kingress-https-'): TlsSandbox {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const home = join(dir, 'kingress')
  mkdirSync(join(dir, 'home'), {recursive: true})
  return {
    dir,
    home,
    caFile: join(home, 'ca.pem'),
    // KINGRESS_SYSTEM_TRUST=skip: `ca install` never touches the real system store.
    env: {HOME: join(dir, 'home'), KINGRESS_HOME: home, KINGRESS_SYSTEM_TRUST: 'skip', XDG_DATA_HOME: '', WSL_DISTRO_NAME: '', WSL_INTEROP: ''},
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}

/** The port of the ready line's https:// URL. */
export function httpsPortOf(urls: readonly string[]): number {
  const url = urls.find((u) => u.startsWith('https://'))
  if (url === undefined) throw new Error(`no https URL in ${urls.join(' ')}`)
  return Number(new URL(url).port)
}

export function httpPortOf(urls: readonly string[]): number {
  const url = urls.find((u) => u.startsWith('http://'))
  if (url === undefined) throw new Error(`no http URL in ${urls.join(' ')}`)
  return Number(new URL(url).port)
}

export interface Handshake {
  readonly authorized: boolean
  readonly error: string | null
  readonly cert: X509Certificate | null
  readonly alpn: string | false | null
  readonly protocol: string | null
}

/** One TLS handshake with 127.0.0.1:port, naming `servername` (SNI), verifying against `ca`. */
export function handshake(port: number, servername: string | undefined, ca: string | undefined, extra: tls.ConnectionOptions = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], ...extra}, () => {
      resolve({
        authorized: socket.authorized,
        error: socket.authorizationError?.toString() ?? null,
        cert: socket.getPeerX509Certificate() ?? null,
        alpn: socket.alpnProtocol ?? null,
        protocol: socket.getProtocol(),
      })
      socket.end()
    })
    socket.setTimeout(10_000, () => socket.destroy(new Error('handshake timed out')))
    socket.on('error', (error) => resolve({authorized: false, error: error.message, cert: null, alpn: null, protocol: null}))
  })
}

export interface CurlResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs curl (never through a proxy, 15 s at most). */
export function curl(args: readonly string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--noproxy', '*', '--max-time', '15', ...args], {timeout: 20_000, env: {...process.env, http_proxy: '', https_proxy: '', HTTPS_PROXY: '', HTTP_PROXY: ''}}, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as {code?: unknown}).code === 'number' ? ((error as {code: number}).code) : -1
      resolve({code, stdout, stderr})
    })
  })
}

/** The proxy tests' upstream (a real server on 127.0.0.1). */
export type EchoServer = Upstream

/** An upstream answering with its name, the method, URL, headers and the request body, as JSON. */
export function bodyEcho(name: string): Promise<EchoServer> {
  return startUpstream((req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify({name, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8')}))
    })
  })
}

/** Polls `check` every 100 ms until it returns a value, at most `ms`. */
export async function eventually<T>(check: () => Promise<T | null>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== null) return value
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A `lookup` for net/tls/http clients that resolves every name to 127.0.0.1 (like curl --resolve). */
export function loopbackLookup(_host: string, options: {all?: boolean}, cb: (...args: unknown[]) => void): void {
  if (options.all === true) cb(null, [{address: '127.0.0.1', family: 4}])
  else cb(null, '127.0.0.1', 4)
}
