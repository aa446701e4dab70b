import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll} from 'vitest'

import type {GatewayAddressing} from '../../src/gateway/addresses.js'
import {buildProviders} from '../../src/runtime/providers.js'
import {startSession, type Session} from '../../src/runtime/session.js'
import {tlsSandbox, type TlsSandbox} from './https-support.js'
import {echoUpstream, FIXTURES, jsonOf, send, startProxy, startUpstream, tempDir, type ProxyUnderTest, type Upstream} from './helpers.js'

/**
 * The real proxy serving upstream conformance manifests (fixtures/gateway-conformance, base.yaml
 * first), with upstreams on 127.0.0.1 behind infra-backend-v1/v2/v3.
 */

export const CONFORMANCE = join(FIXTURES, 'gateway-conformance')
export const INFRA = 'gateway-conformance-infra'

export interface Served {
  proxy: ProxyUnderTest
  upstreams: Upstream[]
}

/** base.yaml + the given conformance files (+ extra YAML), infra-backend-v1 and v2 (or `services`) behind echo upstreams. */
export function serve(files: readonly string[], options: {yaml?: string[]; services?: string[]; upstream?: (name: string) => Promise<Upstream>} = {}): Served {
  const served = {upstreams: []} as unknown as Served
  beforeAll(async () => {
    const names = options.services ?? ['infra-backend-v1', 'infra-backend-v2']
    const backends: string[] = []
    for (const service of names) {
      // `namespace/name` for a Service outside the infra namespace; its upstream answers as `name`.
      const name = service.includes('/') ? service.slice(service.indexOf('/') + 1) : service
      const upstream = await (options.upstream ?? echoUpstream)(name)
      served.upstreams.push(upstream)
      backends.push(service.startsWith('infra-') ? `${INFRA}/${service}=127.0.0.1:${upstream.port}` : `${service}=127.0.0.1:${upstream.port}`)
    }
    served.proxy = await startProxy({files: ['base.yaml', ...files].map((f) => join(CONFORMANCE, f)), yaml: options.yaml, backends})
  })
  afterAll(async () => {
    await served.proxy?.close()
    await Promise.all(served.upstreams.map((u) => u.close()))
  })
  return served
}

export interface Echo {
  name: string
  method?: string
  url: string
  headers: Record<string, string>
}

export async function ask(served: Served, path: string, headers: Record<string, string> = {}, host = 'example.com', method = 'GET') {
  const reply = await send(served.proxy.port, {method, path, headers: {host, ...headers}, timeoutMs: 5000})
  return {reply, echo: reply.headers['content-type']?.includes('application/json') && reply.headers['x-upstream'] !== undefined ? (jsonOf(reply) as unknown as Echo) : null}
}

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

/** An echo upstream that also records every request it receives (body included), for mirror tests. */
export function recordingUpstream(records: Map<string, Recorded[]>): (name: string) => Promise<Upstream> {
  return (name) => {
    const list: Recorded[] = []
    records.set(name, list)
    return startUpstream((req, res) => {
      let body = ''
      req.setEncoding('utf8').on('data', (c: string) => (body += c))
      req.on('end', () => {
        list.push({method: req.method ?? '', url: req.url ?? '', headers: req.headers, body})
        res.writeHead(200, {'content-type': 'application/json', 'x-upstream': name})
        res.end(JSON.stringify({name, method: req.method, url: req.url, headers: req.headers}))
      })
    })
  }
}

export interface Addressed {
  readonly session: Session
  /** Where a Gateway's listener port is served: its address and the local port (the Ingress listener's when it shares --bind on 80/443). */
  at(gateway: string, gatewayPort: number): {readonly address: string; readonly port: number}
}

/**
 * `kingress up` with Gateway addressing (each Gateway on its own 127.0.0.x, as on Linux) serving
 * base.yaml + `files`: the listener ports in `listenerPorts` on any free local port (P=0), HTTPS
 * (the Secrets' certificates) when `https`. Echo upstreams behind infra-backend-v1/v2/v3.
 */
export function serveAddressed(files: readonly string[], options: {listenerPorts?: readonly number[]; https?: boolean; addresses?: ReadonlyMap<string, string>; yaml?: string} = {}): Addressed {
  let session: Session
  let sandbox: TlsSandbox | undefined
  const upstreams: Upstream[] = []
  beforeAll(async () => {
    const backends: string[] = []
    for (const name of ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3']) {
      const upstream = await echoUpstream(name)
      upstreams.push(upstream)
      backends.push(`${INFRA}/${name}=127.0.0.1:${upstream.port}`)
    }
    sandbox = options.https ? tlsSandbox() : undefined
    const addressing: GatewayAddressing = {addresses: options.addresses ?? new Map(), listenerPorts: new Map((options.listenerPorts ?? []).map((p) => [p, 0])), platform: 'linux'}
    const inputs = ['base.yaml', ...files].map((f) => join(CONFORMANCE, f))
    if (options.yaml !== undefined) {
      const file = join(await tempDir(), 'extra.yaml')
      writeFileSync(file, options.yaml)
      inputs.push(file)
    }
    session = await startSession({
      inputs,
      providers: await buildProviders({backends, docker: false}),
      bind: '127.0.0.1',
      http: {port: 0, explicit: true, fallbackPort: 0},
      https: options.https ? {port: 0, explicit: true, fallbackPort: 0} : undefined,
      env: sandbox === undefined ? undefined : {...process.env, ...sandbox.env},
      watch: false,
      log: null,
      drainMs: 1000,
      gateways: addressing,
    })
  })
  afterAll(async () => {
    await session?.close()
    await Promise.all(upstreams.map((u) => u.close()))
    sandbox?.cleanup()
  })
  return {
    get session() {
      return session
    },
    at(gateway, gatewayPort) {
      const address = session.gatewayAddress(gateway)
      const own = session.gateways!.sockets.find((s) => s.planned.address === address && s.planned.gatewayPort === gatewayPort)
      if (own !== undefined) return {address, port: own.result.port}
      const ingress = address === '127.0.0.1' ? (gatewayPort === 80 ? session.results[0] : gatewayPort === 443 ? session.results[1] : undefined) : undefined
      if (ingress === undefined) throw new Error(`Gateway ${gateway} port ${gatewayPort} is not served: ${session.readyLine()}`)
      return {address, port: ingress.port}
    },
  }
}

/** The certificate of the base's tls-validity-checks-certificate Secret, as PEM. */
export function secretCertificate(): string {
  const base = readFileSync(join(CONFORMANCE, 'base.yaml'), 'utf8')
  const doc = base.split(/^---$/m).find((d) => d.includes('name: tls-validity-checks-certificate'))!
  const encoded = /tls\.crt:\s*(\S+)/.exec(doc)![1]!
  return Buffer.from(encoded, 'base64').toString('utf8')
}


/**
 * A cluster's portless `http://` Location back to a Gateway's own port-80 listener (the base
 * Gateways' listeners take every host), as kingress writes it on the laptop: with the local port
 * the listener is served on (src/proxy/gateway-redirect.ts). Any other Location is unchanged.
 */
export function onLaptop(location: string, port: number): string {
  return /^http:\/\/[^/:]+(\/|$)/.test(location) ? location.replace(/^(http:\/\/[^/]+)/, `$1:${port}`) : location
}
