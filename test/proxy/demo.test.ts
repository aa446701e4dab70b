import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {testKingressHome} from '../support/cli.js'
import {send} from './helpers.js'

const RUN_JS = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

describe('kingress demo', () => {
  it('serves the blue/green example with built-in blue and green servers, prints curl examples, exits 0', async () => {
    const child = spawn(process.execPath, [RUN_JS, 'demo', '--http-port', '0', '--https-port', '0', '--no-dashboard'], {env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', KINGRESS_HOME: testKingressHome()}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      const deadline = Date.now() + 20_000
      while (!stdout.includes('# kingress') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 25))
      expect(stdout, stderr).toMatch(/^ready http:\/\/127\.0\.0\.1:\d+ https:\/\/127\.0\.0\.1:\d+ \(routes: blue\.example\.com, example\.com, green\.example\.com\)$/m)
      const port = Number(/ready http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)![1])
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
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
