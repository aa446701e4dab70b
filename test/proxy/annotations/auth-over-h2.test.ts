import {once} from 'node:events'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {createServer, type IncomingHttpHeaders as Http1Headers, type Server} from 'node:http'
import {connect, type IncomingHttpHeaders} from 'node:http2'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startServingCli, type ServingCli} from '../../support/cli.js'
import {ingressYaml} from '../../support/manifests.js'
import {httpsPortOf} from '../https-support.js'

/**
 * auth-url for an HTTP/2 client of `kingress up`. The request's header object holds HTTP/2's
 * pseudo-headers; passed on to the auth subrequest they made undici refuse it, so every such request
 * was answered 500. nginx builds the subrequest from the request's fields (nginx.tmpl's auth
 * location), with $http_host the :authority.
 */
describe('auth-url over HTTP/2', () => {
  let dir = ''
  let servers: Server[] = []
  let cli: ServingCli | null = null
  let authSaw: Http1Headers = {}

  const listen = async (handler: Parameters<typeof createServer>[1]): Promise<number> => {
    const server = createServer(handler!)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    servers.push(server)
    return (server.address() as AddressInfo).port
  }

  beforeAll(async () => {
    const authPort = await listen((req, res) => {
      authSaw = req.headers
      res.writeHead(req.headers.authorization === 'Bearer good' ? 200 : 401, {'content-length': '0'})
      res.end()
    })
    const webPort = await listen((_req, res) => res.end('behind auth'))
    dir = await mkdtemp(join(tmpdir(), 'kingress-auth-h2-'))
    const annotations = {'nginx.ingress.kubernetes.io/auth-url': `http://127.0.0.1:${authPort}/verify`}
    await writeFile(join(dir, 'web.yaml'), ingressYaml('web', [{host: 'auth.test', paths: [{path: '/', pathType: 'Prefix', service: 'web', port: 80}]}], {annotations}))
    cli = await startServingCli(['up', join(dir, 'web.yaml'), '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--backend', `web=127.0.0.1:${webPort}`])
  })

  afterAll(async () => {
    await cli?.stop()
    for (const server of servers) await new Promise((resolve) => server.close(resolve))
    servers = []
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  async function get(authorization: string): Promise<{status: number; body: string}> {
    const client = connect(`https://127.0.0.1:${httpsPortOf(cli!.urls)}`, {servername: 'auth.test', rejectUnauthorized: false})
    try {
      const stream = client.request({':method': 'GET', ':path': '/page?x=1', ':authority': 'auth.test', authorization})
      stream.end()
      const [headers] = (await once(stream, 'response')) as [IncomingHttpHeaders]
      let body = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => (body += chunk))
      await once(stream, 'end')
      return {status: Number(headers[':status']), body}
    } finally {
      client.close()
    }
  }

  it('lets an authorized request through and refuses the others, with the subrequest nginx sends', async () => {
    expect(await get('Bearer good')).toEqual({status: 200, body: 'behind auth'})
    expect(Object.keys(authSaw).filter((name) => name.startsWith(':'))).toEqual([])
    expect(authSaw).toMatchObject({'x-original-url': 'https://auth.test/page?x=1', 'x-original-method': 'GET', 'x-sent-from': 'nginx-ingress-controller'})
    expect((await get('Bearer bad')).status).toBe(401)
  })
})
