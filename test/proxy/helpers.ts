import {mkdtemp, rename, writeFile} from 'node:fs/promises'
import {createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'
import {fileURLToPath} from 'node:url'

import type {BackoffPolicy} from '../../src/backends/health.js'
import type {ProxyTimeouts} from '../../src/proxy/context.js'
import type {Profile} from '../../src/proxy/profile.js'
import {buildProviders} from '../../src/runtime/providers.js'
import {startSession, type Session} from '../../src/runtime/session.js'

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))

export interface Upstream {
  readonly port: number
  readonly server: Server
  close(): Promise<void>
}

/** A real upstream on 127.0.0.1, ephemeral port. */
export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<Upstream> {
  const server = createServer(handler)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** An upstream that answers with its name, and echoes what it received as JSON headers. */
export function echoUpstream(name: string, port = 0): Promise<Upstream> {
  return startUpstream((req, res) => {
    const body = JSON.stringify({name, method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders})
    res.writeHead(200, {'content-type': 'application/json', 'x-upstream': name})
    res.end(body)
  }, port)
}

export interface ProxyUnderTest {
  readonly session: Session
  readonly port: number
  readonly dir: string
  /** Every line of the plain log. */
  readonly log: string[]
  close(): Promise<void>
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kingress-proxy-'))
}

/** Writes a file the way editors do: a temp file in the same folder, then rename. */
export async function saveByRename(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`
  await writeFile(temp, text)
  await rename(temp, file)
}

export interface ProxyOptions {
  /** Manifest files (absolute), or YAML texts written to a temp folder as `manifest-N.yaml`. */
  readonly files?: readonly string[]
  readonly yaml?: readonly string[]
  readonly backends?: readonly string[]
  readonly timeouts?: Partial<ProxyTimeouts>
  readonly backoff?: BackoffPolicy
  readonly watch?: boolean
  readonly drainMs?: number
  readonly profile?: Profile
}

/** The real runtime and HTTP listener, in-process, on 127.0.0.1 with an ephemeral port. */
export async function startProxy(options: ProxyOptions): Promise<ProxyUnderTest> {
  const dir = await tempDir()
  const files = [...(options.files ?? [])]
  let i = 0
  for (const text of options.yaml ?? []) {
    const file = join(dir, `manifest-${i++}.yaml`)
    await writeFile(file, text)
    files.push(file)
  }
  const providers = await buildProviders({backends: options.backends ?? [], docker: false})
  const out = new PassThrough()
  const log: string[] = []
  let partial = ''
  out.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop()!
    log.push(...lines)
  })
  const session = await startSession({
    inputs: files,
    providers,
    bind: '127.0.0.1',
    http: {port: 0, explicit: true, fallbackPort: 0},
    log: {out, format: 'text'},
    timeouts: options.timeouts,
    backoff: options.backoff,
    watch: options.watch ?? false,
    drainMs: options.drainMs ?? 2000,
    profile: options.profile,
  })
  return {session, port: session.results[0]!.port, dir, log, close: () => session.close()}
}

export interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly rawHeaders: string[]
  readonly body: string
}

/** One HTTP/1.1 request to 127.0.0.1:port (or `address`:port) on a fresh connection. */
export function send(port: number, options: {address?: string; path?: string; method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer; timeoutMs?: number} = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({host: options.address ?? '127.0.0.1', port, path: options.path ?? '/', method: options.method ?? 'GET', headers: options.headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error('request timed out')))
    req.end(options.body)
  })
}

export function jsonOf(reply: Reply): Record<string, unknown> {
  return JSON.parse(reply.body) as Record<string, unknown>
}

/** A YAML Ingress with one rule per entry: host → path (Prefix) → service:80. */
export function ingress(name: string, rules: {host?: string; path?: string; pathType?: string; service: string; port?: number}[]): string {
  const lines = ['apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata:', `  name: ${name}`, '  namespace: default', 'spec:', '  rules:']
  for (const r of rules) {
    lines.push(r.host ? `  - host: ${r.host}` : '  - http:', ...(r.host ? ['    http:'] : []), '      paths:', `      - path: ${r.path ?? '/'}`, `        pathType: ${r.pathType ?? 'Prefix'}`, '        backend:', '          service:', `            name: ${r.service}`, '            port:', `              number: ${r.port ?? 80}`)
  }
  return lines.join('\n') + '\n'
}

/** Resolves when `predicate` holds for a new event of `name` on the session bus. */
export function nextEvent<T>(subscribe: (listener: (event: T) => void) => () => void, predicate: (event: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error('event did not come in time'))
    }, timeoutMs)
    const off = subscribe((event) => {
      if (!predicate(event)) return
      clearTimeout(timer)
      off()
      resolve(event)
    })
  })
}
