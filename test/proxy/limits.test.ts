import {connect} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {echoUpstream, ingress, send, startProxy, type ProxyUnderTest, type Upstream} from './helpers.js'

/** Sends raw bytes and collects the whole answer until the server closes. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => (answer += d))
    socket.on('end', () => resolve(answer))
    socket.on('error', (error) => (answer ? resolve(answer) : reject(error)))
    socket.write(text)
  })
}

describe('request header limits (nginx: large_client_header_buffers 4 8k)', () => {
  let upstream: Upstream
  let proxy: ProxyUnderTest

  beforeAll(async () => {
    upstream = await echoUpstream('up')
    proxy = await startProxy({yaml: [ingress('limits', [{host: 'limits.test', service: 'up'}])], backends: [`up=127.0.0.1:${upstream.port}`]})
  })
  afterAll(async () => {
    await proxy.close()
    await upstream.close()
  })

  it('serves headers up to 8 KiB a line', async () => {
    const reply = await send(proxy.port, {headers: {host: 'limits.test', cookie: 'a='.padEnd(8000, 'x')}})
    expect(reply.status).toBe(200)
  })

  it('answers 431 to one header line over 8 KiB', async () => {
    const reply = await send(proxy.port, {headers: {host: 'limits.test', cookie: 'a='.padEnd(9000, 'x')}})
    expect(reply.status).toBe(431)
    expect(reply.body).toContain('cookie')
  })

  it('answers 431 to more than 32 KiB of headers, and keeps serving', async () => {
    const headers: Record<string, string> = {host: 'limits.test'}
    for (let i = 0; i < 6; i++) headers[`x-big-${i}`] = ''.padEnd(6000, 'y')
    const answer = await raw(proxy.port, `GET / HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`)
    expect(answer.startsWith('HTTP/1.1 431 Request Header Fields Too Large')).toBe(true)
    expect((await send(proxy.port, {headers: {host: 'limits.test'}})).status).toBe(200)
  })

  it('answers 400 to a malformed request, never a bare hang-up', async () => {
    const answer = await raw(proxy.port, 'GET / HTTP/1.1\r\nHost: limits.test\r\nbad header line\r\n\r\n')
    expect(answer.startsWith('HTTP/1.1 400 Bad Request')).toBe(true)
    const garbage = await raw(proxy.port, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n')
    expect(garbage.startsWith('HTTP/1.1 400 Bad Request')).toBe(true)
  })
})
