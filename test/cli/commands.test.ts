import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {ingressYaml} from '../support/manifests.js'

const STACK_FRAME = /\n\s+at .+:\d+:\d+/

describe('kingress validate', () => {
  it('exits 0 with a one-line summary for the fixtures', async () => {
    const result = await runCli(['validate', 'fixtures/'])
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe('✓ 3 files valid: 2 Ingresses (4 routes, 3 hosts), 2 Services')
    expect(result.code).toBe(0)
  })

  it('exits 1 with every problem as file:line:col: field: message', async () => {
    const result = await runCli(['validate', 'fixtures/broken/bad-values.yaml', 'fixtures/broken/pathtype-typo.yaml'])
    expect(result.code).toBe(1)
    const lines = result.stdout.trim().split('\n')
    expect(lines).toContain('fixtures/broken/bad-values.yaml:15:9: spec.rules[0].http.paths[0].pathType: Unsupported value: "prefix": supported values: "Exact", "ImplementationSpecific", "Prefix"')
    expect(lines).toContain("fixtures/broken/bad-values.yaml:21:9: spec.rules[0].http.paths[1].path: Invalid value: \"/a//b\": must not contain '//'")
    expect(lines).toContain('fixtures/broken/pathtype-typo.yaml:12:9: spec.rules[0].http.paths[0].pathtype: unknown field "pathtype" (did you mean "pathType"?)')
    expect(lines).toContain('fixtures/broken/pathtype-typo.yaml:8:5: spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address')
    expect(lines.at(-1)).toBe('✗ 9 errors, 0 warnings in 2 files')
    expect(result.stdout + result.stderr).not.toMatch(STACK_FRAME)
  })

  it('an annotation value ingress-nginx refuses is an error; one that denies the locations is a warning', async () => {
    // annotations.go Extract: a ValidationError rejects the Ingress, a LocationDenied error makes its locations `return 503`.
    const result = await runCli(['validate', 'fixtures/broken/unsafe-annotations.yaml'])
    expect(result.code).toBe(1)
    const lines = result.stdout.trim().split('\n')
    expect(lines).toContainEqual(expect.stringMatching(/^fixtures\/broken\/unsafe-annotations\.yaml:10:5: metadata\.annotations\[nginx\.ingress\.kubernetes\.io\/auth-url\]: ".*%40example\.com": may hold only .* ingress-nginx refuses the whole Ingress over this value: .* Fix the value\.$/))
    expect(lines).toContainEqual(expect.stringMatching(/^fixtures\/broken\/unsafe-annotations\.yaml:29:5: warning: .*whitelist-source-range\]: .*"192\.168\.0\.0\/33" is not an IP address or CIDR range.* they answer 503, and so does kingress\.$/))
    expect(lines.at(-1)).toBe('✗ 1 error, 1 warning in 1 file')
  })

  it('shows the v1 form for a legacy Ingress', async () => {
    const result = await runCli(['validate', 'fixtures/broken/legacy-v1beta1.yaml'])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('fixtures/broken/legacy-v1beta1.yaml:2:1: apiVersion: networking.k8s.io/v1beta1 Ingress was removed in Kubernetes 1.22')
    expect(result.stdout).toContain('name: legacy-svc')
  })

  it('prints warnings but still exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-warn-'))
    const file = join(dir, 'dev.yaml')
    await writeFile(file, 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app\nspec:\n  rules:\n  - host: app.dev\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: app\n            port:\n              number: 80\n')
    const result = await runCli(['validate', file])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('warning: spec.rules[0].host: "app.dev": every .dev name is on the browsers\' HSTS preload list')
    expect(result.stdout).toContain(', 1 warning')
  })

  it('a missing file is a user error: exit 1, one line, no stack', async () => {
    const result = await runCli(['validate', 'no/such/file.yaml'])
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe('kingress: no/such/file.yaml: no such file or folder. Give the path of an Ingress YAML file or a folder of them.')
  })

  it('an unknown flag is a user error with exit 1', async () => {
    const result = await runCli(['validate', '--frobnicate', 'fixtures/'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Nonexistent flag: --frobnicate')
    expect(result.stderr).not.toMatch(STACK_FRAME)
  })

  it('no file at all is a user error with exit 1', async () => {
    const result = await runCli(['validate'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Missing 1 required arg')
  })
})

describe('kingress routes', () => {
  it('prints the table with the origin of every route', async () => {
    const result = await runCli(['routes', 'fixtures/', '--no-docker', '--backend', 'webserver-blue-svc=127.0.0.1:3000', '--backend', 'webserver-blue-svc=127.0.0.1:3001'])
    expect(result.code).toBe(0)
    const [table, backends] = result.stdout.trim().split('\n\n')
    const lines = table!.split('\n')
    expect(lines[0]).toMatch(/^HOST\s+NGINX LOCATION\s+RULE\s+BACKEND\s+TLS\s+INGRESS$/)
    // blue and green hosts have location /; example.com has /blue/, = /blue, /green/, = /green and its root.
    expect(lines).toHaveLength(9)
    expect(backends).toContain('webserver-blue-svc:80 → 127.0.0.1:3000 (--backend), 127.0.0.1:3001 (--backend)')
    expect(backends).toMatch(/webserver-green-svc:80 → Service default\/webserver-green-svc selects containers by labels.*--backend webserver-green-svc=127\.0\.0\.1:3000/)
    expect(result.stdout).toMatch(/example\.com\s+location \/blue\/\s+\/blue \(ImplementationSpecific\)\s+webserver-blue-svc:80\s+no\s+default\/fan-out-ingress \(fixtures\/fan-out-ingress\.yaml:13:9\)/)
    expect(result.stdout).toMatch(/example\.com\s+location = \/blue\s+\/blue \(ImplementationSpecific\)/)
    expect(result.stdout).toMatch(/example\.com\s+location \/\s+\(no rule: 404\)\s+default backend \(404\)/)
  })

  it('--json gives the routes as data', async () => {
    const result = await runCli(['routes', 'fixtures/virtual-host-ingress.yaml', '--json'])
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as {routes: Array<Record<string, unknown>>}
    expect(json.routes).toEqual([
      expect.objectContaining({host: 'blue.example.com', path: '/', service: 'webserver-blue-svc', port: 80, ingress: 'default/virtual-host-ingress'}),
      expect.objectContaining({host: 'green.example.com', path: '/', service: 'webserver-green-svc', port: 80}),
    ])
  })

  it('lists each Gateway listener\'s HTTPRoute matches in precedence order, after the Ingress locations', async () => {
    const result = await runCli(['routes', 'fixtures/gateway/', 'fixtures/services.yaml', '--no-docker', '--backend', 'webserver-blue-svc=127.0.0.1:3000'])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    const header = lines.findIndex((l) => /^GATEWAY LISTENER\s+HOSTNAME\s+MATCH\s+FILTERS\s+BACKENDS\s+HTTPROUTE$/.test(l))
    expect(header).toBeGreaterThanOrEqual(0)
    expect(lines.slice(0, header).join('\n')).not.toContain('No routes')
    // The most specific (longest) hostname first, then on one hostname the longest PathPrefix (evaluate.ts precedes).
    const rows = lines.slice(header + 1, header + 5).map((r) => r.replace(/\s+/g, ' '))
    expect(rows).toEqual([
      'default/blue-green/http (HTTP :80) green.example.com PathPrefix / - webserver-green-svc:80 default/green-virtual-host rule 0 (fixtures/gateway/blue-green.yaml:53:5)',
      'default/blue-green/http (HTTP :80) blue.example.com PathPrefix / - webserver-blue-svc:80 default/blue-virtual-host rule 0 (fixtures/gateway/blue-green.yaml:37:5)',
      'default/blue-green/http (HTTP :80) example.com PathPrefix /green - webserver-green-svc:80 default/fan-out rule 1 (fixtures/gateway/blue-green.yaml:77:5)',
      'default/blue-green/http (HTTP :80) example.com PathPrefix /blue - webserver-blue-svc:80 default/fan-out rule 0 (fixtures/gateway/blue-green.yaml:70:5)',
    ])
    expect(result.stdout).toContain('webserver-blue-svc:80 → 127.0.0.1:3000 (--backend)')
  })

  it('--json gives the HTTPRoute matches in the API\'s field names', async () => {
    const result = await runCli(['routes', 'fixtures/gateway/', 'fixtures/services.yaml', '--json', '--no-docker'])
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as {gateways: Array<{gateway: string; listener: string; port: number; matches: Array<Record<string, unknown>>}>}
    expect(json.gateways).toHaveLength(1)
    expect(json.gateways[0]).toMatchObject({gateway: 'default/blue-green', listener: 'http', port: 80, protocol: 'HTTP', hostname: null})
    expect(json.gateways[0]!.matches).toContainEqual(
      expect.objectContaining({hostname: 'example.com', httpRoute: 'default/fan-out', rule: 0, match: {path: {type: 'PathPrefix', value: '/blue'}}, filters: [], backendRefs: [{kind: 'Service', name: 'webserver-blue-svc', namespace: 'default', port: 80, weight: 1}]}),
    )
  })

  it('refuses broken manifests with exit 1', async () => {
    const result = await runCli(['routes', 'fixtures/broken/bad-values.yaml'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Fix the errors above')
  })
})

describe('kingress explain', () => {
  it('--json names the service, port, status and the nginx location', async () => {
    const result = await runCli(['explain', 'http://example.com/green/page', 'fixtures/', '--json', '--no-docker', '--backend', 'webserver-green-svc=127.0.0.1:3000'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({service: 'webserver-green-svc', port: 80, status: 200, path: '/green/page', nginxLocation: 'location /green/'})
  })

  it('a Service without a ready endpoint is the 503 the proxy gives', async () => {
    const result = await runCli(['explain', 'http://example.com/green/page', 'fixtures/', '--json', '--no-docker'])
    expect(JSON.parse(result.stdout)).toMatchObject({service: 'webserver-green-svc', status: 503})
  })

  // The first difference a user of the blue/green example meets: ImplementationSpecific is Prefix (internal/k8s/main.go SetDefaultNGINXPathType).
  it('/blueberry is not served by ImplementationSpecific /blue, and the note says why', async () => {
    const result = await runCli(['explain', 'http://example.com/blueberry', 'fixtures/fan-out-ingress.yaml', '--json', '--no-docker'])
    const json = JSON.parse(result.stdout) as {status: number; notes: string[]}
    expect(json.status).toBe(404)
    expect(json.notes.join('\n')).toContain('is Prefix in ingress-nginx (internal/k8s/main.go SetDefaultNGINXPathType), not a string prefix: it does not serve /blueberry')
  })

  it("the blog's fixtures: rewrite-target's upstream path, regex mode and the warnings of validate", async () => {
    const explained = await runCli(['explain', 'http://rewrite-target.example.com/ip?x=1', 'fixtures/ingress-nginx/', '--json', '--no-docker', '--backend', 'httpbin=127.0.0.1:3000'])
    expect(JSON.parse(explained.stdout)).toMatchObject({status: 200, service: 'httpbin', upstreamTarget: '/uuid?x=1', regexMode: {ingress: 'default/rewrite-target-ingress', annotation: 'rewrite-target'}})
    const validated = await runCli(['validate', 'fixtures/ingress-nginx/'])
    expect(validated.code).toBe(0)
    expect(validated.stdout + validated.stderr).toContain('4 warnings')
    expect(validated.stdout + validated.stderr).toContain('Exact "/my-path/": ingress-nginx answers /my-path with a 301 redirect to /my-path/')
  })

  it('a trailing-slash redirect gives the status and Location', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-explain-'))
    await writeFile(join(dir, 'slash.yaml'), ingressYaml('slash', [{host: 'trailing-slash.example.com', paths: [{path: '/my-path/', pathType: 'Exact'}]}]))
    const result = await runCli(['explain', 'http://trailing-slash.example.com/my-path?a=1', dir, '--json', '--no-docker'])
    expect(JSON.parse(result.stdout)).toMatchObject({status: 301, location: 'http://trailing-slash.example.com/my-path/?a=1', pathMatch: 'slash-redirect'})
  })

  it('a URL nothing serves gives status 404 and service null', async () => {
    const result = await runCli(['explain', 'https://nobody.example.org/', 'fixtures/', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({service: null, port: null, status: 404})
  })

  it('explains the losers too', async () => {
    const result = await runCli(['explain', 'example.com/blue', 'fixtures/fan-out-ingress.yaml'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('host "example.com" matches rule host "example.com" exactly')
    expect(result.stdout).toContain('✗ location /green/ (Prefix /green made to end in /) → ImplementationSpecific /green: does not match /blue')
    expect(result.stdout).toContain('→ location = /blue (the = twin ingress-nginx adds for Prefix /blue) → ImplementationSpecific /blue: exact match, chosen at once')
  })

  it('dot segments are resolved before matching', async () => {
    const result = await runCli(['explain', 'http://example.com/blue/../green', 'fixtures/', '--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({service: 'webserver-green-svc', path: '/green'})
  })

  it('a malformed URL is a user error', async () => {
    const result = await runCli(['explain', 'http://exa mple.com/', 'fixtures/'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('is not a URL')
  })
})
