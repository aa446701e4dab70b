import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {YOUNG_GENERATION_FLAG} from '../../src/cli/hand-off.js'
import {runCli, testKingressHome} from '../support/cli.js'
import {echoUpstream, FIXTURES, ingress, send, startProxy, startUpstream} from './helpers.js'

const RUN_JS = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, then stops', async () => {
    let release: (() => void) | null = null
    let arrive: () => void = () => {}
    const arrived = new Promise<void>((resolve) => (arrive = resolve))
    const upstream = await startUpstream((_req, res) => {
      release = () => res.end('finished')
      arrive()
    })
    const upstreamPort = upstream.port
    const proxy = await startProxy({yaml: [ingress('slow', [{host: 'slow.test', service: 'slow'}])], backends: [`slow=127.0.0.1:${upstreamPort}`], drainMs: 5000})
    const inflight = send(proxy.port, {headers: {host: 'slow.test'}})
    await arrived
    const closing = proxy.close()
    // New connections are refused once closing has begun.
    await expect(send(proxy.port, {headers: {host: 'slow.test'}})).rejects.toThrow(/ECONNREFUSED/)
    release!()
    const reply = await inflight
    expect(reply.status).toBe(200)
    expect(reply.body).toBe('finished')
    expect(reply.headers.connection).toBe('close')
    await closing
    await upstream.close()
  })
})

describe('the real CLI: kingress up', () => {
  it('prints ready, serves, logs each request, and exits 0 on SIGTERM', async () => {
    const upstream = await echoUpstream('cli')
    const child = spawn(process.execPath, [RUN_JS, 'up', `${FIXTURES}virtual-host-ingress.yaml`, '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--backend', `webserver-blue-svc=127.0.0.1:${upstream.port}`], {
      env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', KINGRESS_HOME: testKingressHome()},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line in 20 s\nstdout: ${stdout}\nstderr: ${stderr}`)), 20_000)
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d
          const line = stdout.split('\n').find((l) => l.startsWith('ready '))
          if (line) {
            clearTimeout(timer)
            resolve(line)
          }
        })
        child.on('exit', () => reject(new Error(`exited before ready\nstderr: ${stderr}`)))
      })
      expect(ready).toMatch(/^ready http:\/\/127\.0\.0\.1:\d+ https:\/\/127\.0\.0\.1:\d+ \(routes: blue\.example\.com, green\.example\.com\)$/)
      if (process.platform === 'linux') {
        // bin/run.js re-executes a serving command in place with its V8 and malloc settings: the
        // same pid (so the SIGTERM below reaches the proxy), now started with them.
        expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')).toContain(YOUNG_GENERATION_FLAG)
        expect(readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0')).toContain(`MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '2'}`)
      }
      const port = Number(/:(\d+) /.exec(ready)![1])
      const reply = await send(port, {headers: {host: 'blue.example.com', 'x-request-id': 'cli-1'}})
      expect(reply.status).toBe(200)
      expect((await send(port, {headers: {host: 'green.example.com'}})).status).toBe(503)
      expect(stderr).toContain('--backend webserver-green-svc=127.0.0.1:3000')
      while (!stdout.includes('id=cli-1')) await new Promise((r) => setTimeout(r, 20))
      expect(stdout).toMatch(new RegExp(`200 GET blue\\.example\\.com/ \\d+B [\\d.]+ms → 127\\.0\\.0\\.1:${upstream.port}`))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      child.kill('SIGKILL')
      await upstream.close()
    }
  })

  it('--log-format json prints one JSON object per request', async () => {
    const upstream = await echoUpstream('json')
    const child = spawn(process.execPath, [RUN_JS, 'up', `${FIXTURES}virtual-host-ingress.yaml`, '--http-port', '0', '--https-port', '0', '--no-docker', '--log-format', 'json', '--backend', `webserver-blue-svc=127.0.0.1:${upstream.port}`], {
      env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', KINGRESS_HOME: testKingressHome()},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      const deadline = Date.now() + 20_000
      while (!stdout.includes('ready ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      const port = Number(/ready http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)![1])
      await send(port, {headers: {host: 'blue.example.com', 'x-request-id': 'json-1'}, path: '/j'})
      while (!stdout.includes('json-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      const entry = JSON.parse(stdout.split('\n').find((l) => l.includes('json-1'))!) as Record<string, unknown>
      expect(entry).toMatchObject({type: 'request', method: 'GET', host: 'blue.example.com', path: '/j', status: 200, upstream: `127.0.0.1:${upstream.port}`, requestId: 'json-1'})
      expect(typeof entry.bytes).toBe('number')
      expect(typeof entry.durationMs).toBe('number')
      child.kill('SIGINT')
      expect(await exited).toBe(0)
    } finally {
      child.kill('SIGKILL')
      await upstream.close()
    }
  })

  it('exits 1 with file:line:col lines for invalid manifests', async () => {
    const result = await runCli(['up', 'fixtures/broken/pathtype-typo.yaml', '--http-port', '0', '--no-docker'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('kingress: the manifests have errors:')
    expect(result.stderr).toContain('fixtures/broken/pathtype-typo.yaml:12:9: spec.rules[0].http.paths[0].pathtype: unknown field "pathtype"')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 1 for a malformed --backend flag', async () => {
    const result = await runCli(['up', 'fixtures/virtual-host-ingress.yaml', '--http-port', '0', '--no-docker', '--backend', 'webserver-blue-svc=nowhere'])
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe('kingress: --backend webserver-blue-svc=nowhere: "nowhere" needs a port: HOST:PORT. Write it as [NAMESPACE/]SERVICE[:PORT]=HOST:PORT, e.g. --backend webserver-blue-svc=127.0.0.1:3000')
  })
})
