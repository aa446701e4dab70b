import {mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {convertIngresses} from '../../src/convert/convert.js'
import {conversionYaml} from '../../src/convert/render.js'
import {sideOf} from '../../src/diff/answer.js'
import {compareSides, type DiffResult} from '../../src/diff/compare.js'
import {generateProbes, regexSamples} from '../../src/diff/probes.js'
import {routeModelOf} from '../../src/model/route-model.js'
import {compile} from '../../src/routing/compile.js'
import {runCli, startServingCli} from '../support/cli.js'
import {ingressYaml, snapshotOf} from '../support/manifests.js'
import {echoUpstream, send} from '../proxy/helpers.js'

const N = 'nginx.ingress.kubernetes.io/'

/** Ingress YAML → its conversion (default or --literal) → the diff of the two, all in process. */
function convertAndDiff(ingressText: string, literal = false, extra = ''): DiffResult {
  const old = snapshotOf(ingressText + extra)
  const oldCompiled = compile(old.snapshot)
  const converted = conversionYaml(convertIngresses(oldCompiled, old.snapshot, {literal}))
  const neu = snapshotOf(converted + '\n---\n' + extra, 'converted.yaml')
  expect(neu.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  const newCompiled = compile(neu.snapshot)
  const sides = [
    {snapshot: old.snapshot, compiled: oldCompiled},
    {snapshot: neu.snapshot, compiled: newCompiled},
  ]
  return compareSides(sideOf('ingress', old.snapshot, routeModelOf(old.snapshot, oldCompiled.table)), sideOf('gateway', neu.snapshot, routeModelOf(neu.snapshot, newCompiled.table)), generateProbes(sides))
}

const counted = (result: DiffResult) => result.differences.filter((d) => d.counted)

const blog = (name: string, host: string, path: string, pathType: string, annotations: Record<string, string> = {}) =>
  ingressYaml(name, [{host, paths: [{path, pathType, service: 'httpbin', port: 8000}]}], {annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [N + k, v]))})

// "Before You Migrate: Five Surprising Ingress-NGINX Behaviors" (Kubernetes blog, 2026-02-27):
// converted by default, nothing a manifest decides changes; converted --literal, the surprise is lost.
// An enable-cors Ingress converts to a CORS filter: ingress-nginx answers the preflight itself (204), and so does the Gateway.
describe('a CORS preflight on both sides of a conversion', () => {
  it('enable-cors and its CORS filter both answer 204, without reaching the backend', () => {
    const old = snapshotOf(blog('cors', 'cors.example.com', '/', 'Prefix', {'enable-cors': 'true', 'cors-allow-origin': 'https://app.example.com'}))
    const oldCompiled = compile(old.snapshot)
    const neu = snapshotOf(conversionYaml(convertIngresses(oldCompiled, old.snapshot, {literal: false})), 'converted.yaml')
    const probe = {method: 'OPTIONS', url: 'http://cors.example.com/api', headers: {Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET'}, why: 'preflight'}
    const before = sideOf('ingress', old.snapshot, routeModelOf(old.snapshot, oldCompiled.table)).answer(probe)
    const after = sideOf('gateway', neu.snapshot, routeModelOf(neu.snapshot, compile(neu.snapshot).table)).answer(probe)
    expect([before.status, before.backend]).toEqual([204, null])
    expect([after.status, after.backend, after.by]).toEqual([204, null, expect.stringContaining('HTTPRoute')])
  })
})

describe("the blog post's five examples, converted and diffed", () => {
  const examples: Array<[string, string, boolean]> = [
    ['1. regex matches are case-insensitive prefixes', blog('regex-match-ingress', 'regex-match.example.com', '/[A-Z]{3}', 'ImplementationSpecific', {'use-regex': 'true'}), true],
    ['2. use-regex reaches other Ingresses', [blog('regex-match-ingress', 'regex-match.example.com', '/api/v[0-9]+', 'ImplementationSpecific', {'use-regex': 'true'}), blog('regex-match-ingress-other', 'regex-match.example.com', '/Header', 'Exact')].join('---\n'), true],
    ['3. rewrite-target implies regex', [blog('rewrite-target-ingress', 'rewrite-target.example.com', '/IP', 'Exact', {'rewrite-target': '/uuid'}), blog('rewrite-target-ingress-other', 'rewrite-target.example.com', '/Header', 'Exact')].join('---\n'), true],
    ['4. a missing trailing slash is redirected', blog('trailing-slash-ingress', 'trailing-slash.example.com', '/my-path/', 'Exact'), true],
    // Nothing to lose: both sides match the normalised path. How the normalised path is forwarded is reported, not counted.
    ['5. URL normalisation', blog('path-normalization-ingress', 'path-normalization.example.com', '/uuid', 'Exact'), false],
  ]
  it.each(examples)('%s: the default conversion answers as ingress-nginx did', (_name, yaml) => {
    expect(counted(convertAndDiff(yaml)).map((d) => `${d.probe.method} ${d.probe.url}: ${d.cause}`)).toEqual([])
  })
  it.each(examples)('%s: --literal differs where ingress-nginx surprised', (_name, yaml, differs) => {
    expect(counted(convertAndDiff(yaml, true)).length > 0).toBe(differs)
  })

  it('the normalisation example shows what is forwarded differently, without failing', () => {
    const result = convertAndDiff(examples[4]![1])
    const forwarded = result.differences.find((d) => d.probe.url.endsWith('//uuid'))!
    expect(forwarded.counted).toBe(false)
    expect([forwarded.old.upstream, forwarded.new.upstream]).toEqual(['//uuid', '/uuid'])
  })

  it('the literal conversion of example 4 misses the 301, and says so', () => {
    const miss = counted(convertAndDiff(examples[3]![1], true)).find((d) => d.probe.url === 'http://trailing-slash.example.com/my-path')!
    expect(miss.cause).toBe("missing 301 (ingress-nginx's trailing-slash redirect) on trailing-slash.example.com")
    expect([miss.old.status, miss.new.status]).toEqual([301, 404])
  })
})

describe('larger examples', () => {
  it('the blue/green fixtures convert without a difference', async () => {
    const texts = await Promise.all(['fixtures/virtual-host-ingress.yaml', 'fixtures/fan-out-ingress.yaml'].map((f) => readFile(f, 'utf8')))
    expect(counted(convertAndDiff(texts.join('\n---\n')))).toEqual([])
  })

  // What stays different is what the Gateway API cannot say; the conversion's comments say it too.
  it('fixtures/migration: only the case-insensitive rewrite and the trailing slash ssl-redirect drops remain', async () => {
    const text = await readFile('fixtures/migration/shop-ingresses.yaml', 'utf8')
    const causes = new Set(counted(convertAndDiff(text)).map((d) => d.cause))
    expect([...causes].sort()).toEqual(['redirect target on shop.example.com', 'regex mode on host api.example.com (Ingress shop/shop-api sets use-regex (test.yaml:37:5))'])
  })

  it('regex samples: a path each regex accepts, and one it nearly does', () => {
    expect(regexSamples('/[A-Z]{3}')).toEqual(['/AAA', '/AA'])
    expect(regexSamples('/something(/|$)(.*)')).toEqual(['/something/', '/something'])
    expect(regexSamples('(?i)^/api/v[0-9]+.*')).toEqual(['/api/v0', '/api/v'])
  })
})

describe('kingress diff (real CLI)', () => {
  async function converted(args: string[]): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-diff-'))
    const result = await runCli(['convert', ...args, '-o', dir])
    expect(result.code).toBe(0)
    return dir
  }

  it('exit 0 when the new side answers as the old, 1 with a grouped report when not; both ways round', async () => {
    const same = await converted(['fixtures/ingress-nginx/'])
    const ok = await runCli(['diff', 'fixtures/ingress-nginx/', '--against', same])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^✓ \d+ requests: new \(.*\) routes every one as old/)
    const literal = await converted(['fixtures/ingress-nginx/', '--literal'])
    const bad = await runCli(['diff', 'fixtures/ingress-nginx/', '--against', literal])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain("missing 301 (ingress-nginx's trailing-slash redirect) on trailing-slash.example.com")
    expect(bad.stdout).toContain('regex mode on host regex-match.example.com')
    // Each group says what to change, naming the --against side's manifest line.
    expect(bad.stdout).toMatch(/fix: add a rule that matches Exact \/my-path with a RequestRedirect \(statusCode 301, path ReplaceFullPath \/my-path\/\) next to the new side's HTTPRoute default\/trailing-slash-example-com \(.*httproute-default-trailing-slash-example-com\.yaml:\d+:\d+\)/)
    expect(bad.stdout).toMatch(/fix: the old side's host is in regex mode \(Ingress default\/regex-match-ingress sets use-regex \(fixtures\/ingress-nginx\/five-surprises\.yaml:\d+:\d+\)\).*HTTPRoute default\/regex-match-example-com \(.*\.yaml:\d+:\d+\) as a RegularExpression/)
    const reverse = await runCli(['diff', literal, '--against', 'fixtures/ingress-nginx/'])
    expect(reverse.code).toBe(1)
  })

  it('--json lists every difference with its cause', async () => {
    const literal = await converted(['fixtures/ingress-nginx/five-surprises.yaml', '--literal'])
    const result = await runCli(['diff', 'fixtures/ingress-nginx/', '--against', literal, '--json'])
    const json = JSON.parse(result.stdout) as {probes: number; differences: Array<{request: {url: string}; counted: boolean; old: {status: number}; new: {status: number}}>}
    expect(json.probes).toBeGreaterThan(20)
    expect(json.differences.find((d) => d.request.url === 'http://trailing-slash.example.com/my-path')).toMatchObject({counted: true, old: {status: 301, at: expect.stringMatching(/five-surprises\.yaml:\d+:\d+$/)}, new: {status: 404, at: null}, fix: expect.stringContaining('ReplaceFullPath /my-path/')})
  })

  it('--requests replays an access log that kingress up wrote', async () => {
    const upstream = await echoUpstream('httpbin')
    const home = await mkdtemp(join(tmpdir(), 'kingress-diff-home-'))
    const cli = await startServingCli(['up', 'fixtures/ingress-nginx/', '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--log-format', 'json', '--backend', `httpbin=127.0.0.1:${upstream.port}`], {env: {KINGRESS_HOME: home}})
    try {
      const port = Number(new URL(cli.urls.find((u) => u.startsWith('http:'))!).port)
      for (const [host, path] of [['trailing-slash.example.com', '/my-path'], ['regex-match.example.com', '/uuid'], ['rewrite-target.example.com', '/ip']] as const) await send(port, {path, headers: {host}})
      // A browser on a local port sends it in Host; the replay asks for the cluster's port instead.
      await send(port, {path: '/my-path?laptop=1', headers: {host: `trailing-slash.example.com:${port}`}})
      await new Promise((r) => setTimeout(r, 300))
    } finally {
      await cli.stop()
      await upstream.close()
    }
    const log = join(home, 'access.log')
    await writeFile(log, cli.stdout())
    expect(cli.stdout()).toContain('"type":"request"')
    const literal = await converted(['fixtures/ingress-nginx/', '--literal'])
    const result = await runCli(['diff', 'fixtures/ingress-nginx/', '--against', literal, '--requests', log, '--json'])
    const json = JSON.parse(result.stdout) as {differences: Array<{request: {url: string; why: string}}>}
    const replayed = json.differences.filter((d) => d.request.why === 'access log').map((d) => d.request.url)
    expect(replayed).toEqual(expect.arrayContaining(['http://trailing-slash.example.com/my-path', 'http://regex-match.example.com/uuid', 'http://trailing-slash.example.com/my-path?laptop=1']))
  })

  // Issue 14, "And live": the old side (Ingresses, on --bind) and the converted new side (the
  // Gateway, on an address of its own) served by one `up`; the log says which side answered.
  it('up serves the Ingresses and their conversion side by side; the JSON log marks the side that answered', async () => {
    const gateway = await converted(['fixtures/migration/'])
    const upstream = await echoUpstream('shop')
    const home = await mkdtemp(join(tmpdir(), 'kingress-live-home-'))
    const backends = ['storefront', 'checkout', 'checkout-next', 'api-v1', 'docs'].flatMap((s) => ['--backend', `shop/${s}=127.0.0.1:${upstream.port}`])
    const cli = await startServingCli(['up', 'fixtures/migration/', gateway, '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--log-format', 'json', '--gateway-address', 'shop/ingress-nginx=127.0.0.2', ...backends], {env: {KINGRESS_HOME: home}})
    try {
      const port = Number(new URL(cli.urls.find((u) => u.startsWith('http:'))!).port)
      // /V1 is the regex-mode difference diff reports: the Ingress matches it case-insensitively, the HTTPRoute does not.
      const old = await send(port, {path: '/V1', headers: {host: 'api.example.com'}, timeoutMs: 5000})
      const neu = await send(port, {address: '127.0.0.2', path: '/V1', headers: {host: 'api.example.com'}, timeoutMs: 5000})
      expect([old.status, neu.status]).toEqual([200, 404])
      await new Promise((r) => setTimeout(r, 300))
    } finally {
      await cli.stop()
      await upstream.close()
    }
    const events = cli
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as {type: string; path?: string; status?: number; side?: string})
      .filter((e) => e.type === 'request' && e.path === '/V1')
    expect(events.map((e) => [e.status, e.side]).sort()).toEqual([
      [200, 'ingress'],
      [404, 'gateway shop/ingress-nginx'],
    ])
  })

  it('a malformed --requests line is a user error naming the line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-diff-req-'))
    const file = join(dir, 'requests.txt')
    await writeFile(file, 'GET http://a.test/\nnot a request\n')
    const result = await runCli(['diff', 'fixtures/', '--against', 'fixtures/', '--requests', file])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${file}:2: "not a request" is neither`)
  })
})
