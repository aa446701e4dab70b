import {readFileSync} from 'node:fs'
import {get} from 'node:http'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {YOUNG_GENERATION_FLAG} from '../../src/cli/hand-off.js'
import {START_UP_TURBOFAN_FLAG} from '../../src/runtime/tiering.js'
import {FIXTURES} from '../proxy/helpers.js'
import {REPO_ROOT, runCli, startServingCli} from '../support/cli.js'

const UP = ['up', join(FIXTURES, 'virtual-host-ingress.yaml'), '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard']

function statusOf(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, {headers: {host}}, (res) => {
      res.resume()
      resolve(res.statusCode)
    }).on('error', reject)
  })
}

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
}

/**
 * src/cli/hand-off.ts: once oclif has parsed `up`, the same process re-executes itself as the
 * serving entry, with the young-generation size, malloc arenas and start-up TurboFan threshold bench/PERFORMANCE.md chose.
 */
describe.runIf(process.platform === 'linux')('up hands off to the serving entry', () => {
  it('keeps its pid, shows the command as typed after the entry, and starts tuned', async () => {
    const cli = await startServingCli(UP)
    try {
      const line = commandLine(cli.pid)
      const entry = line.findIndex((word) => word.endsWith(join('dist', 'src', 'cli', 'serve-entry.js')))
      expect(entry).toBeGreaterThan(0)
      expect(line.slice(entry + 1)).toEqual(UP)
      expect(line.slice(1, entry)).toContain(YOUNG_GENERATION_FLAG)
      expect(line.slice(1, entry)).toContain(START_UP_TURBOFAN_FLAG)
      const environ = readFileSync(`/proc/${cli.pid}/environ`, 'utf8').split('\0')
      expect(environ).toContain('MALLOC_ARENA_MAX=2')
      // It routes: the Ingress's host, with no endpoint for its Service, gets 503 (not the 404 of no rule).
      expect(await statusOf(cli.urls[0]!, 'blue.example.com')).toBe(503)
    } finally {
      expect(await cli.stop('SIGTERM')).toBe(0)
    }
  })

  it('KINGRESS_TUNED=1 serves in the CLI process itself, as typed', async () => {
    const cli = await startServingCli(UP, {env: {KINGRESS_TUNED: '1'}})
    try {
      const line = commandLine(cli.pid)
      expect(line.some((word) => word.endsWith('serve-entry.js'))).toBe(false)
      expect(line).toContain(join(REPO_ROOT, 'bin', 'run.js'))
    } finally {
      expect(await cli.stop('SIGTERM')).toBe(0)
    }
  })

  it('a user mistake found after the hand-off prints one line and exits 1, as before it', async () => {
    const result = await runCli(['up', join(FIXTURES, 'virtual-host-ingress.yaml'), '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--gateway-address', 'nonsense'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^kingress: --gateway-address/m)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('the entry started by hand says what starts it, as an internal error (exit 2)', async () => {
    const {spawnSync} = await import('node:child_process')
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'serve-entry.js')], {encoding: 'utf8', env: {...process.env, KINGRESS_SERVE_PLAN: ''}, timeout: 20_000})
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('internal error')
  })
})
