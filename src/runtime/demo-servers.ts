import type {IncomingMessage, Server, ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {escapeHtml} from '../proxy/error-page.js'
import {createServer} from '../proxy/node-http.js'

/** The course's webserver-blue / webserver-green pods, as two tiny built-in servers. */
export interface DemoServer {
  readonly color: 'blue' | 'green'
  readonly service: string
  readonly port: number
  readonly server: Server
}

const COLORS = {blue: '#1d4ed8', green: '#15803d'} as const

function page(color: 'blue' | 'green', req: IncomingMessage): string {
  const host = escapeHtml(String(req.headers.host ?? ''))
  const path = escapeHtml(req.url ?? '/')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${color}</title>
<style>html,body{height:100%;margin:0}body{background:${COLORS[color]};color:#fff;font:20px system-ui,sans-serif;display:flex;flex-direction:column;align-items:center;justify-content:center}
h1{font-size:8rem;margin:0}code{background:rgba(0,0,0,.25);padding:.2rem .5rem;border-radius:.3rem}</style></head>
<body><h1>${color}</h1><p>host <code>${host}</code> path <code>${path}</code></p><p>served by webserver-${color} through kingress</p></body></html>
`
}

export async function startDemoServer(color: 'blue' | 'green', host = '127.0.0.1'): Promise<DemoServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const body = page(color, req)
    res.writeHead(200, {'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-served-by': `webserver-${color}`})
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => resolve())
  })
  return {color, service: `webserver-${color}-svc`, port: (server.address() as AddressInfo).port, server}
}

export async function stopDemoServer(demo: DemoServer): Promise<void> {
  demo.server.closeAllConnections()
  await new Promise<void>((resolve) => demo.server.close(() => resolve()))
}
