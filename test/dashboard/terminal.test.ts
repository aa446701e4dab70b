/**
 * The dashboard in a real pseudo-terminal (tmux): raw-mode keys, the alternate screen, and handing
 * the terminal back on quit. The second test drives `kingress up` itself through the built CLI
 * (`npm test` builds first).
 */
import {createServer, request as httpRequest, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, describe, expect, it} from 'vitest'
import {REPO_ROOT, testKingressHome} from '../support/cli.js'
import {Tmux} from './support/tmux.js'

// Skipped only off CI: .ci/run installs tmux, so a missing tmux there must fail, not skip.
const hasTmux = Tmux.available() || process.env.CI === 'true'
if (!hasTmux) console.log('SKIPPED dashboard pseudo-terminal tests: tmux is not installed (apt-get install tmux)')
/** Environment for the program under test: the dashboard must not think it runs in CI. */
const ENV = `env -u CI -u CONTINUOUS_INTEGRATION NODE_ENV=production TERM=xterm-256color KINGRESS_HOME=${testKingressHome()}`

const tmux = new Tmux()
const servers: Server[] = []

afterAll(async () => {
  tmux.kill()
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
})

function listen(server: Server): Promise<number> {
  servers.push(server)
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

/** `count` distinct free ports: all are held open until every one is known, so none repeats. */
async function freePorts(count: number): Promise<number[]> {
  const held = Array.from({length: count}, () => createServer())
  const ports = await Promise.all(held.map((server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))))
  await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

function get(port: number, host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({host: '127.0.0.1', port, path, headers: {host, 'x-probe': 'e2e-detail'}}, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

describe.skipIf(!hasTmux)('dashboard in a pseudo-terminal', () => {
  it('draws on the alternate screen, takes keys, and restores the terminal on q', async () => {
    const session = 'demo'
    tmux.start(session, REPO_ROOT, 100, 30)
    await tmux.waitFor(session, (s) => s.includes('tmux$'), 5000, 'the shell prompt')
    tmux.type(session, `${ENV} node --import tsx test/dashboard/support/demo.ts 20`)
    let screen = await tmux.waitFor(session, (s) => s.includes('Routes') && /blue\.example\.com\/demo\/path\/\d+/.test(s) && s.split('nowhere.test/missing').length > 3, 20_000, 'the dashboard with requests')
    expect(tmux.format(session, '#{alternate_on}')).toBe('1')
    expect(screen).toContain('● blue-1 127.0.0.1:8081 ready')
    expect(screen).toMatch(/q quit/)

    // keys: pause, filter to 404s, open a request's details, back
    tmux.keys(session, 'p')
    await tmux.waitFor(session, (s) => s.includes('PAUSED'), 5000, 'PAUSED')
    tmux.keys(session, '/')
    tmux.keys(session, '-l', '404')
    tmux.keys(session, 'Enter')
    screen = await tmux.waitFor(session, (s) => s.includes('filter "404"'), 5000, 'the filter')
    expect(screen).not.toMatch(/\s200\s/)
    tmux.keys(session, 'Down')
    tmux.keys(session, 'Enter')
    screen = await tmux.waitFor(session, (s) => s.includes('Request details'), 5000, 'the detail view')
    // The demo sends every seventh request as a POST: which one is picked depends on frame timing.
    expect(screen).toMatch(/(GET|POST) http:\/\/nowhere\.test\/missing/)
    expect(screen).toContain('matched   not captured')
    tmux.keys(session, 'Escape')
    await tmux.waitFor(session, (s) => s.includes('Traffic'), 5000, 'the log again')

    tmux.keys(session, 'q')
    screen = await tmux.waitFor(session, (s) => /demo exited cleanly\s*\ntmux\$/.test(s), 10_000, 'the demo to exit and the prompt')
    expect(tmux.format(session, '#{alternate_on}')).toBe('0')
    expect(tmux.format(session, '#{cursor_flag}')).toBe('1')
    expect(screen).not.toContain('Routes')
    expect(screen.trimEnd().split('\n').at(-1)).toBe('tmux$')
    // the shell got a sane terminal back: it echoes what we type
    tmux.type(session, 'echo still-$((40+2))')
    await tmux.waitFor(session, (s) => s.includes('still-42'), 5000, 'the shell to answer')
  })

  it('kingress up shows routed requests live and quits on q', async () => {
    const upstream = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain')
      res.end(`blue says hi to ${req.url}\n`)
    })
    const upstreamPort = await listen(upstream)
    const [httpPort = 0, httpsPort = 0] = await freePorts(2)
    const session = 'up'
    tmux.start(session, REPO_ROOT, 100, 30)
    await tmux.waitFor(session, (s) => s.includes('tmux$'), 5000, 'the shell prompt')
    tmux.type(
      session,
      `${ENV} node bin/run.js up fixtures/virtual-host-ingress.yaml --no-docker --http-port ${httpPort} --https-port ${httpsPort} --backend webserver-blue-svc=127.0.0.1:${upstreamPort}; echo "kingress exited $?"`,
    )
    await tmux.waitFor(session, (s) => s.includes('Routes') && s.includes('webserver-blue-svc'), 20_000, 'the dashboard')

    const path = `/e2e-dashboard-probe-${process.pid}`
    let screen = ''
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      expect(await get(httpPort, 'blue.example.com', path)).toBe(200)
      screen = tmux.capture(session)
      if (screen.includes(path)) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(screen).toContain(path)
    expect(screen).toMatch(new RegExp(`blue\\.example\\.com${path}\\s+200`))
    expect(screen).toContain(`127.0.0.1:${upstreamPort}`)

    // The detail view of a real proxied request: headers both ways, the rule and why, upstream timing.
    tmux.keys(session, 'Down')
    tmux.keys(session, 'Enter')
    screen = await tmux.waitFor(session, (s) => s.includes('Request details') && s.includes('x-probe: e2e-detail'), 5000, 'the detail view of a proxied request')
    expect(screen).toMatch(/matched\s+ImplementationSpecific \/ \(location \/\), host blue\.example\.com \(exact\), Ingress de/)
    expect(screen).toMatch(/upstream\s+connect -, first byte [\d.]+\s*ms/)
    // The generated id, nginx's $request_id form; kingress adds no X-Request-ID to the answer.
    expect(screen).toMatch(/id [0-9a-f]{32}/)
    tmux.keys(session, 'Escape')

    tmux.keys(session, 'q')
    screen = await tmux.waitFor(session, (s) => /kingress exited \d+\s*\ntmux\$/.test(s), 15_000, 'kingress to exit and the prompt')
    expect(screen).toContain('kingress exited 0')
    expect(tmux.format(session, '#{alternate_on}')).toBe('0')
    expect(tmux.format(session, '#{cursor_flag}')).toBe('1')
    expect(screen).not.toContain('Routes (')
  })
})
