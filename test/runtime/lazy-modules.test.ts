import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {FIXTURES} from '../proxy/helpers.js'
import {startServingCli} from '../support/cli.js'

const PRELOAD = fileURLToPath(new URL('./support/loaded-modules.cjs', import.meta.url))

/**
 * Idle memory is a target (issue 3: under 80 MB): modules that cost megabytes and that a plain `up`
 * does not use stay unloaded. node-forge is needed only to mint certificates, the undici package
 * root only for auth-url, undici's Pool only for HTTPS and gRPC upstreams, dockerode only with Docker, hostile only with the hosts file, oclif only until the flags are parsed. Node's own bundled undici (fetch, WebSocket:
 * about 13 MB) is never used: an ESM import of node:http would load it (src/proxy/node-http.ts).
 */
describe('what a warm `kingress up --no-docker` keeps out of memory', () => {
  let dir = ''
  afterAll(async () => {
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  async function loadedModules(home: string, list: string): Promise<string[]> {
    const cli = await startServingCli(['up', join(FIXTURES, 'virtual-host-ingress.yaml'), '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard'], {
      env: {KINGRESS_HOME: home, KINGRESS_TEST_LOADED: list, NODE_OPTIONS: `--require ${PRELOAD}`},
    })
    try {
      const deadline = Date.now() + 10_000
      for (;;) {
        const text = await readFile(list, 'utf8').catch(() => null)
        if (text !== null) return text.split('\n')
        if (Date.now() > deadline) throw new Error('the preload wrote no module list')
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    } finally {
      await cli.stop('SIGTERM')
    }
  }

  it('loads node-forge only while minting, never the undici root, Node\'s bundled undici, dockerode or oclif', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kingress-lazy-'))
    const cold = await loadedModules(dir, join(dir, 'cold.txt'))
    expect(cold.some((m) => m.includes('/node-forge/'))).toBe(true)
    const warm = await loadedModules(dir, join(dir, 'warm.txt'))
    expect(warm.filter((m) => m.includes('/node-forge/'))).toEqual([])
    expect(warm.filter((m) => /\/undici\/index\.js$/.test(m))).toEqual([])
    expect(warm.filter((m) => m.includes('/dockerode/'))).toEqual([])
    expect(warm.filter((m) => m.includes('internal/deps/undici'))).toEqual([])
    // oclif's own engines check (bin/run.js turns it off) would load semver.
    expect(warm.filter((m) => m.includes('/semver/'))).toEqual([])
    // hostile names the hosts file, which only --hosts and the hosts commands touch.
    expect(warm.filter((m) => m.includes('/hostile/'))).toEqual([])
    // `up` serves from a process without oclif or the other commands (src/cli/hand-off.ts).
    expect(warm.filter((m) => m.includes('/@oclif/'))).toEqual([])
    // Plain-HTTP upstreams go through kingress's own HTTP/1.1 client (src/proxy/upstream): undici's
    // Pool loads with the first HTTPS or gRPC upstream only.
    expect(warm.filter((m) => m.includes('/undici/'))).toEqual([])
    // The check sees what it should: the CommonJS packages `up` does use, and node:http.
    expect(warm.some((m) => m.includes('/yaml/'))).toBe(true)
    expect(warm).toContain('NativeModule http')
  })
})
