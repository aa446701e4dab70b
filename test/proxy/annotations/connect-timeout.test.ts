import {spawn, type ChildProcess} from 'node:child_process'
import {connect, type Socket} from 'node:net'
import {afterAll, describe, expect, it} from 'vitest'

import {jsonOf, send, type Upstream} from '../helpers.js'
import {useProxy} from './support.js'

/**
 * An endpoint that never completes a TCP handshake, on loopback: a listener with a backlog of 1 in a
 * child process whose event loop is blocked (it never accepts), its queue filled by idle sockets.
 * Linux then drops further SYNs, so a connect hangs until the proxy's connect timeout.
 */
const BLACKHOLE = `
const net = require('node:net')
const server = net.createServer()
server.listen({port: 0, host: '127.0.0.1', backlog: 1}, () => {
  process.stdout.write(String(server.address().port) + '\\n')
  setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000), 50)
})
`

let child: ChildProcess
let fillers: Socket[] = []

async function blackhole(): Promise<Upstream> {
  child = spawn(process.execPath, ['-e', BLACKHOLE], {stdio: ['ignore', 'pipe', 'inherit']})
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', (line: string) => resolve(Number(line.trim())))
    child.once('exit', (code) => reject(new Error(`the blackhole listener exited (${code})`)))
  })
  await new Promise((resolve) => setTimeout(resolve, 150))
  fillers = Array.from({length: 4}, () => connect(port, '127.0.0.1').on('error', () => {}))
  await new Promise((resolve) => setTimeout(resolve, 200))
  return {port, server: null as never, close: async () => {}}
}

describe('proxy-connect-timeout', () => {
  const f = useProxy({
    upstreams: {hole: blackhole},
    ingresses: [
      {name: 'quick', annotations: {'proxy-connect-timeout': '1'}, rules: [{host: 'quick.test', paths: [{path: '/', pathType: 'Prefix', service: 'hole'}]}]},
    ],
  })
  afterAll(() => {
    for (const socket of fillers) socket.destroy()
    child?.kill('SIGKILL')
  })

  it('gives up on an endpoint that does not accept after the annotation\'s seconds: 504 connect-timeout', async () => {
    const started = performance.now()
    const reply = await send(f.proxy.port, {headers: {host: 'quick.test', accept: 'application/json'}, timeoutMs: 8000})
    const elapsed = performance.now() - started
    expect(reply.status).toBe(504)
    expect(jsonOf(reply)).toMatchObject({error: 'connect-timeout', message: expect.stringContaining('within 1000 ms')})
    // 1 s from the annotation, not the 5 s default.
    expect(elapsed).toBeGreaterThan(900)
    expect(elapsed).toBeLessThan(4000)
  })
})
