import {join} from 'node:path'

import {afterAll, beforeAll} from 'vitest'

import {echoUpstream, FIXTURES, jsonOf, send, startProxy, startUpstream, type ProxyUnderTest, type Upstream} from './helpers.js'

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
