// The bench's ceiling: the least a Node reverse proxy can do per request with the machinery kingress
// is built on (node:http, node:http2's compatibility layer, kingress's own HTTP/1.1 upstream client
// from dist/, as `npm run build` left it): no routing, no logging, no header rules beyond dropping
// hop-by-hop fields. kingress's ratio to it says how much of the gap to nginx is kingress's own
// work and how much is Node's.
//   node bench/bare-proxy.js HTTP_PORT HTTPS_PORT UPSTREAM_PORT CERT KEY
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

import {Http1Pool} from '../dist/src/proxy/upstream/pool.js'

const require = createRequire(import.meta.url)
const http = require('node:http')
const http2 = require('node:http2')

const [httpPort, httpsPort, upstreamPort, cert, key] = process.argv.slice(2)
const pool = new Http1Pool(`127.0.0.1:${upstreamPort}`, {connections: 256, connectTimeoutMs: 5000, keepAliveMs: 4000, maxHeadSize: 64 * 1024})
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'])

function flatResponseHeaders(raw) {
  const out = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (!HOP.has(name.toLowerCase())) out.push(name, raw[i + 1])
  }
  return out
}

function proxy(req, res) {
  const h2 = req.httpVersionMajor === 2
  let done = false
  pool.dispatch(
    {path: req.url, method: req.method, headers: ['host', h2 ? req.headers[':authority'] : req.headers.host, 'x-forwarded-for', req.socket.remoteAddress], body: null, headersTimeout: 60_000, bodyTimeout: 60_000},
    {
      // A client that goes away mid-answer (h2load resets its open streams when a round ends) must
      // not leave the upstream connection waiting for a resume that never comes.
      onConnect(abort) {
        res.once('close', () => done || abort(new Error('client gone')))
      },
      onHeaders(status, raw) {
        res.writeHead(status, flatResponseHeaders(raw))
        return true
      },
      onData(chunk) {
        res.write(chunk)
        return true
      },
      onComplete() {
        done = true
        res.end()
      },
      onError() {
        done = true
        if (!res.headersSent && !res.destroyed) res.writeHead(502)
        res.end()
      },
    },
  )
}

const plain = http.createServer({keepAliveTimeout: 65_000}, proxy)
const secure = http2.createSecureServer({cert: readFileSync(cert), key: readFileSync(key), allowHTTP1: true}, proxy)
plain.listen(Number(httpPort), '127.0.0.1')
secure.listen(Number(httpsPort), '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
