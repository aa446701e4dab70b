import {once} from 'node:events'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {connect, createServer, type Http2Server, type IncomingHttpHeaders} from 'node:http2'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startServingCli, type ServingCli} from '../../support/cli.js'
import {ingressYaml} from '../../support/manifests.js'
import {httpsPortOf} from '../https-support.js'

const INGRESS = ingressYaml('greeter', [{host: 'grpc.test', paths: [{path: '/', pathType: 'Prefix', service: 'greeter', port: 50051}]}], {annotations: {'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC'}})

/**
 * A gRPC answer with a Content-Length and grpc-status in its trailers (legal over HTTP/2, the
 * protocol backend-protocol GRPC speaks), to an HTTP/2 client of `kingress up`: the trailers must
 * reach the client (src/proxy/h2-head.ts sends heads without trailers only for HTTP/1.x upstreams).
 */
describe('gRPC over HTTP/2 on both sides', () => {
  let dir = ''
  let upstream: Http2Server | null = null
  let cli: ServingCli | null = null

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        const body = Buffer.from('\0\0\0\0\x02ok')
        res.writeHead(200, {'content-type': 'application/grpc', 'content-length': String(body.length)})
        res.addTrailers({'grpc-status': '0', 'grpc-message': 'fine'})
        res.end(body)
      })
    })
    upstream.listen(0, '127.0.0.1')
    await once(upstream, 'listening')
    dir = await mkdtemp(join(tmpdir(), 'kingress-grpc-'))
    await writeFile(join(dir, 'greeter.yaml'), INGRESS)
    const port = (upstream.address() as AddressInfo).port
    cli = await startServingCli(['up', join(dir, 'greeter.yaml'), '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--backend', `greeter=127.0.0.1:${port}`])
  })

  afterAll(async () => {
    await cli?.stop()
    if (upstream) await new Promise((resolve) => upstream!.close(resolve))
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  it('relays grpc-status in the trailers of an answer that had a Content-Length', async () => {
    const client = connect(`https://127.0.0.1:${httpsPortOf(cli!.urls)}`, {servername: 'grpc.test', rejectUnauthorized: false})
    try {
      const stream = client.request({':method': 'POST', ':path': '/helloworld.Greeter/SayHello', ':authority': 'grpc.test', 'content-type': 'application/grpc', te: 'trailers'})
      stream.end(Buffer.from('\0\0\0\0\x00'))
      const [headers] = (await once(stream, 'response')) as [IncomingHttpHeaders]
      const trailers = new Promise<IncomingHttpHeaders>((resolve) => stream.once('trailers', resolve))
      stream.resume()
      await once(stream, 'end')
      expect(headers[':status']).toBe(200)
      expect((await trailers)['grpc-status']).toBe('0')
    } finally {
      client.close()
    }
  })
})
