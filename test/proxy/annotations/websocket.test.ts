import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {WebSocket, WebSocketServer} from 'ws'

import {startUpstream} from '../helpers.js'
import {useProxy, type IngressSpec} from './support.js'

/** What applies to WebSocket upgrades: access lists, basic auth, from-to-www-redirect, rewrite-target, upstream-vhost. */

const rule = (host: string, path = '/', pathType = 'Prefix') => [{host, paths: [{path, pathType, service: 'ws'}]}]

/** Opens a WebSocket through the proxy: the handshake the upstream saw, or the refusal's status. */
function handshake(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<{url: string; host: string} | {status: number}> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, {headers: {host, ...headers}})
    ws.once('message', (data) => {
      resolve(JSON.parse(String(data)) as {url: string; host: string})
      ws.close()
    })
    ws.once('unexpected-response', (_req, res) => {
      resolve({status: res.statusCode ?? 0})
      res.resume()
    })
    ws.once('error', reject)
  })
}

const secret = ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: ws-auth', 'stringData:', `  auth: "u:{SHA}${createHash('sha1').update('p').digest('base64')}"`].join('\n') + '\n'

let authPort = 0

describe('annotations on WebSocket upgrades', () => {
  const f = useProxy({
    upstreams: {
      ws: async () => {
        const upstream = await startUpstream((_req, res) => res.end('plain'))
        const wss = new WebSocketServer({server: upstream.server})
        wss.on('connection', (socket, req) => socket.send(JSON.stringify({url: req.url, host: req.headers.host})))
        return upstream
      },
      wsauth: async () => {
        const auth = await startUpstream((req, res) => {
          res.writeHead(req.headers.authorization === 'Bearer good' ? 200 : 401, {'content-length': '0'})
          res.end()
        })
        authPort = auth.port
        return auth
      },
    },
    extraYaml: [secret],
    get ingresses(): IngressSpec[] {
      return [
      {name: 'denied', annotations: {'whitelist-source-range': '10.0.0.0/8'}, rules: rule('denied.test')},
      {name: 'auth', annotations: {'auth-type': 'basic', 'auth-secret': 'ws-auth'}, rules: rule('auth.test')},
      {name: 'rewrite', annotations: {'use-regex': 'true', 'rewrite-target': '/socket/$1', 'upstream-vhost': 'backend.internal'}, rules: rule('rewrite.test', '/ws/(.*)', 'ImplementationSpecific')},
      {name: 'www', annotations: {'from-to-www-redirect': 'true'}, rules: rule('www.chat.test')},
      {name: 'extauth', annotations: {'auth-url': `http://127.0.0.1:${authPort}/verify`}, rules: rule('extauth.test')},
      ]
    },
  })

  // The handshake's Upgrade and Connection went into the auth subrequest, which undici refused: every
  // upgrade on an auth-url Ingress was answered 500. nginx's proxy module never sends them.
  it('auth-url: 401 from the auth service refuses the upgrade, 2xx opens the tunnel', async () => {
    expect(await handshake(f.proxy.port, 'extauth.test', '/')).toEqual({status: 401})
    expect(await handshake(f.proxy.port, 'extauth.test', '/live', {authorization: 'Bearer good'})).toMatchObject({url: '/live'})
  })

  it('whitelist-source-range refuses the upgrade with 403', async () => {
    expect(await handshake(f.proxy.port, 'denied.test', '/')).toEqual({status: 403})
  })

  it('basic auth: 401 without credentials, the tunnel with them', async () => {
    expect(await handshake(f.proxy.port, 'auth.test', '/')).toEqual({status: 401})
    const ok = await handshake(f.proxy.port, 'auth.test', '/', {authorization: `Basic ${Buffer.from('u:p').toString('base64')}`})
    expect(ok).toMatchObject({url: '/'})
  })

  it('from-to-www-redirect answers an upgrade for the other name with 308, not 404', async () => {
    expect(await handshake(f.proxy.port, 'chat.test', '/live')).toEqual({status: 308})
    expect(await handshake(f.proxy.port, 'www.chat.test', '/live')).toMatchObject({url: '/live'})
  })

  it('rewrite-target and upstream-vhost apply to the upgrade request', async () => {
    expect(await handshake(f.proxy.port, 'rewrite.test', '/ws/chat?room=1')).toEqual({url: '/socket/chat?room=1', host: 'backend.internal'})
  })
})
