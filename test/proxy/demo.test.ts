import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {testKingressHome} from '../support/cli.js'
import {send} from './helpers.js'

const RUN_JS = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** `kingress demo ARGS` until it has printed its curl lines; `check` gets stdout and the HTTP port, then the demo is stopped and must exit 0. */
async function withDemo(args: readonly string[], check: (stdout: string, port: number) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [RUN_JS, 'demo', '--http-port', '0', '--https-port', '0', '--no-dashboard', ...args], {env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', KINGRESS_HOME: testKingressHome()}, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    const deadline = Date.now() + 20_000
    while (!stdout.includes('# kingress') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 25))
    const ready = /^ready http:\/\/127\.0\.0\.1:(\d+) /m.exec(stdout)
    expect(ready, stdout + stderr).not.toBeNull()
    await check(stdout, Number(ready![1]))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  } finally {
    child.kill('SIGKILL')
  }
}

describe('kingress demo', () => {
  it('serves the blue/green example with built-in blue and green servers, prints curl examples, exits 0', async () => {
    await withDemo([], async (stdout, port) => {
      expect(stdout).toMatch(/^ready http:\/\/127\.0\.0\.1:\d+ https:\/\/127\.0\.0\.1:\d+ \(routes: blue\.example\.com, example\.com, green\.example\.com\)$/m)
      expect(stdout).toContain(`curl --resolve blue.example.com:${port}:127.0.0.1 http://blue.example.com:${port}/`)
      expect(stdout).toContain(`curl -H 'Host: example.com' http://127.0.0.1:${port}/green`)

      const blue = await send(port, {headers: {host: 'blue.example.com'}, path: '/hello'})
      expect(blue.status).toBe(200)
      expect(blue.body).toContain('<h1>blue</h1>')
      expect(blue.body).toContain('host <code>blue.example.com</code> path <code>/hello</code>')
      const green = await send(port, {headers: {host: 'example.com'}, path: '/green/page'})
      expect(green.body).toContain('<h1>green</h1>')
      expect(green.body).toContain('background:#15803d')
      expect((await send(port, {headers: {host: 'example.com'}, path: '/red'})).status).toBe(404)
    })
  })

  it('--gateway: the same example as fixtures/gateway/blue-green.yaml, served by its Gateway and HTTPRoutes', async () => {
    await withDemo(['--gateway'], async (stdout, port) => {
      // No Ingress is loaded: every host is an HTTPRoute's, on the Gateway served on --bind.
      expect(stdout).toMatch(new RegExp(`^ready http://127\\.0\\.0\\.1:${port} https://127\\.0\\.0\\.1:\\d+ \\(routes: none; HTTPRoutes: blue\\.example\\.com, example\\.com, green\\.example\\.com\\) gateway default/blue-green http://127\\.0\\.0\\.1:${port}$`, 'm'))
      expect(stdout).toContain(`curl --resolve green.example.com:${port}:127.0.0.1 http://green.example.com:${port}/`)
      expect(stdout).not.toContain('https://blue.example.com')

      const blue = await send(port, {headers: {host: 'blue.example.com'}, path: '/hello'})
      expect(blue.status).toBe(200)
      expect(blue.body).toContain('<h1>blue</h1>')
      const green = await send(port, {headers: {host: 'example.com'}, path: '/green/page'})
      expect(green.body).toContain('<h1>green</h1>')
      const nowhere = await send(port, {headers: {host: 'example.com', accept: 'application/json'}, path: '/red'})
      expect(nowhere.status).toBe(404)
      expect(nowhere.body).toContain('Gateway listener default/blue-green/http')
    })
  })
})
