import {spawn, type ChildProcess} from 'node:child_process'
import {connect, type Socket} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {send, startProxy, type ProxyUnderTest} from './helpers.js'
import {gatewayRouteYaml} from '../support/manifests.js'

/**
 * apis/v1/httproute_types.go HTTPRouteTimeouts.Request: the client is answered 504 when it passes.
 * A request the proxy gave up on must not reach the backend later, when a slow connection comes up
 * (a POST would run after the client was told it failed, and twice if the client retries).
 */
describe('timeouts.request that passes before the backend connection is up', () => {
  let backend: ChildProcess
  let backendPort = 0
  const seen: string[] = []
  const fillers: Socket[] = []
  let proxy: ProxyUnderTest

  beforeAll(async () => {
    // A backend with an accept queue of one: stopped (SIGSTOP) once the queue is full, the kernel
    // drops further SYNs, so kingress's connect waits for a retransmission, seconds later.
    const code = `const s = require('net').createServer((c) => c.on('data', (d) => { process.stdout.write(String(d).split('\\r\\n')[0] + '\\n'); c.end('HTTP/1.1 200 OK\\r\\ncontent-length: 0\\r\\n\\r\\n') })); s.listen({port: 0, host: '127.0.0.1', backlog: 1}, () => process.stdout.write('port ' + s.address().port + '\\n'))`
    backend = spawn(process.execPath, ['-e', code], {stdio: ['ignore', 'pipe', 'inherit']})
    backend.stdout!.setEncoding('utf8').on('data', (chunk: string) => seen.push(...chunk.split('\n').filter(Boolean)))
    await until(() => seen.some((l) => l.startsWith('port ')), 5000)
    backendPort = Number(seen.find((l) => l.startsWith('port '))!.slice(5))
    backend.kill('SIGSTOP')
    for (let i = 0; i < 3; i++) fillers.push(connect(backendPort, '127.0.0.1').on('error', () => {}))
    await new Promise((r) => setTimeout(r, 200))
    const yaml = gatewayRouteYaml('slow', 'slow.example.com', `
  - backendRefs: [{name: slow, port: 80}]
    timeouts: {request: 300ms}
`)
    proxy = await startProxy({yaml: [yaml], backends: [`slow=127.0.0.1:${backendPort}`]})
  })
  afterAll(async () => {
    await proxy?.close()
    for (const f of fillers) f.destroy()
    backend?.kill('SIGKILL')
  })

  it('answers 504 in time, and the request never reaches the backend once it accepts again', {timeout: 20_000}, async () => {
    const started = performance.now()
    const reply = await send(proxy.port, {method: 'POST', path: '/late', headers: {host: 'slow.example.com', 'content-type': 'text/plain'}, body: 'charge the card', timeoutMs: 5000})
    expect(reply.status).toBe(504)
    expect(performance.now() - started).toBeLessThan(2000)
    backend.kill('SIGCONT')
    // The stopped backend's queue drains now; kingress's SYN is retried about 1 s and 3 s after the first.
    await new Promise((r) => setTimeout(r, 4500))
    expect(seen.filter((l) => l.includes('/late'))).toEqual([])
  })
})

async function until(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}
