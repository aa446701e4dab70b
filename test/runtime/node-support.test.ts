import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {endOfLife, unsupportedNode} from '../../src/runtime/node-support.js'
import {REPO_ROOT, runCli} from '../support/cli.js'
import {FIXTURES} from '../proxy/helpers.js'

const DEC_2026 = new Date('2026-12-01T00:00:00Z')

describe('the Node release lines up and demo serve on', () => {
  it('follows the Node.js release schedule for end-of-life dates', () => {
    expect(endOfLife(20).toISOString().slice(0, 10)).toBe('2026-04-30')
    expect(endOfLife(22).toISOString().slice(0, 10)).toBe('2027-04-30')
    expect(endOfLife(24).toISOString().slice(0, 10)).toBe('2028-04-30')
    expect(endOfLife(23).toISOString().slice(0, 10)).toBe('2025-06-01')
    expect(endOfLife(25).toISOString().slice(0, 10)).toBe('2026-06-01')
  })

  it('refuses end-of-life lines and versions under the floor, with one line saying how to upgrade', () => {
    for (const version of ['v18.20.4', 'v20.20.2', 'v23.11.0', 'v25.2.0', 'v22.11.0']) {
      const reason = unsupportedNode(version, DEC_2026)
      expect(reason, version).not.toBeNull()
      expect(reason).not.toContain('\n')
      expect(reason).toContain('install Node 24 LTS')
    }
    expect(unsupportedNode('v20.20.2', DEC_2026)).toContain('reached end of life on 2026-04-30')
    for (const version of ['v22.12.0', 'v22.21.1', 'v24.22.3', 'v26.1.0', 'v27.0.0']) expect(unsupportedNode(version, DEC_2026), version).toBeNull()
    // Node 22 too, once its maintenance ends.
    expect(unsupportedNode('v22.21.1', new Date('2027-05-01T00:00:00Z'))).toContain('end of life')
  })

  // A real end-of-life Node, when the machine has one (Debian's /usr/bin/node is 20.x here).
  const old = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path) && Number(spawnSync(path, ['-p', 'process.versions.node.split(".")[0]'], {encoding: 'utf8'}).stdout.trim()) < 22)
  it.skipIf(old === undefined)('`up` on an end-of-life Node exits 1 with that line and serves nothing', async () => {
    const result = await runCli(['up', join(FIXTURES, 'virtual-host-ingress.yaml'), '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard'], {node: old, cwd: REPO_ROOT})
    expect(result.code).toBe(1)
    expect(result.stdout).not.toContain('ready')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^kingress: Node\.js v\d+\.\d+\.\d+ reached end of life on \d{4}-\d{2}-\d{2} .*install Node 24 LTS/)
  })

  it.skipIf(old === undefined)('`demo` too', async () => {
    const result = await runCli(['demo', '--http-port', '0', '--https-port', '0', '--no-dashboard'], {node: old, cwd: REPO_ROOT})
    expect(result.code).toBe(1)
    expect(result.stdout).not.toContain('ready')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('end of life')
  })
})
