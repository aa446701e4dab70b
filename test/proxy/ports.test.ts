import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {UserError} from '../../src/errors.js'
import {parseLsof, parseSs, listeningInodes, programOf} from '../../src/proxy/port-owner.js'
import {howToGetPort} from '../../src/proxy/port-help.js'
import {startSession} from '../../src/runtime/session.js'
import {runCli} from '../support/cli.js'
import {FIXTURES} from './helpers.js'

describe('ports', () => {
  let blocker: Server
  let taken: number

  beforeAll(async () => {
    blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
    taken = (blocker.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())))

  const options = (http: {port: number; explicit: boolean; fallbackPort: number}) => ({inputs: [join(FIXTURES, 'virtual-host-ingress.yaml')], providers: [], bind: '127.0.0.1', http, watch: false, log: null})

  it('an explicit port that is taken is a user error naming who holds it', async () => {
    const error = await startSession(options({port: taken, explicit: true, fallbackPort: 0})).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).code).toBe('PORT_EADDRINUSE')
    expect((error as Error).message).toContain(`cannot listen on 127.0.0.1:${taken} (--http-port ${taken}): address already in use`)
    expect((error as Error).message).toMatch(new RegExp(`node \\(pid ${process.pid}\\) already listens on port ${taken}`))
  })

  it('a default port that is taken falls back, and says so', async () => {
    const session = await startSession(options({port: taken, explicit: false, fallbackPort: 0}))
    try {
      expect(session.results[0]!.port).not.toBe(taken)
      const fallback = session.fallbacks[0]!
      expect(fallback.requested).toBe(taken)
      expect(fallback.failure).toBe('EADDRINUSE')
      expect(fallback.notice).toContain(`port ${taken} is not available, serving on ${session.results[0]!.port} instead`)
    } finally {
      await session.close()
    }
  })

  it('the CLI exits 1 with one line for a taken --http-port', async () => {
    const result = await runCli(['up', 'fixtures/virtual-host-ingress.yaml', '--http-port', String(taken), '--no-docker'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`kingress: cannot listen on 127.0.0.1:${taken}`)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('says how to get a privileged port on each OS', () => {
    expect(howToGetPort(80, 'EACCES', null, 'linux')).toContain('sudo setcap cap_net_bind_service=+ep')
    expect(howToGetPort(80, 'EACCES', null, 'linux')).toContain('sudo sysctl net.ipv4.ip_unprivileged_port_start=80')
    expect(howToGetPort(80, 'EACCES', null, 'darwin')).toContain('sudo kingress up')
    expect(howToGetPort(80, 'EADDRINUSE', 'nginx (pid 7)', 'linux')).toContain('sudo systemctl stop nginx')
  })

  it('parses ss, lsof and /proc/net/tcp for the port owner', () => {
    expect(parseSs('LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=812,fd=6),("nginx",pid=813,fd=6))')).toBe('nginx (pid 812)')
    expect(parseLsof('p4242\ncnode\nf23\n')).toBe('node (pid 4242)')
    // Node 24 renames its main thread to `MainThread`, which is what ss prints: the name comes from argv[0].
    expect(programOf('/opt/node24/bin/node\0server.js\0')).toBe('node')
    // A program that rewrites its title (nginx, postgres) keeps its name first.
    expect(programOf('nginx: master process /usr/sbin/nginx\0')).toBe('nginx')
    expect(programOf('')).toBeNull()
    const table = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0\n'
    expect(listeningInodes(table, 80)).toEqual(['123456'])
    expect(listeningInodes(table, 81)).toEqual([])
  })
})
