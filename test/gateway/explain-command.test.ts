import {describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'

/** `kingress explain` on a host an HTTPRoute claims: the Gateway API's answer and its precedence steps. */
describe('kingress explain on Gateway API manifests', () => {
  it('names the listener, every match for the host, and the one that won', async () => {
    const result = await runCli(['explain', 'http://example.com/green/x', 'fixtures/gateway/', 'fixtures/services.yaml', '--no-docker', '--backend', 'webserver-green-svc=127.0.0.1:3000'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('gateway  listener default/blue-green/http')
    expect(result.stdout).toContain('✗ HTTPRoute default/fan-out rule 0 match 0: PathPrefix /blue (hostname example.com): does not match the request')
    expect(result.stdout).toContain('→ HTTPRoute default/fan-out rule 1 match 0: PathPrefix /green (hostname example.com): matches, and comes first in the Gateway API precedence')
    expect(result.stdout).toContain('✓ 200: default/webserver-green-svc:80 as /green/x')
  })

  it('--json: the status the proxy gives, 503 when the Service has no ready endpoint', async () => {
    const result = await runCli(['explain', 'http://blue.example.com/', 'fixtures/gateway/', 'fixtures/services.yaml', '--no-docker', '--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({kind: 'HTTPRoute', status: 503, route: 'default/blue-virtual-host', listener: 'default/blue-green/http'})
  })

  // conformance/tests/httproute-matching-across-routes.go: /v2 on example.com goes to matching-part2, whose PathPrefix is longer.
  it('says which precedence step decided (HTTPRouteMatchingAcrossRoutes)', async () => {
    const result = await runCli(['explain', 'http://example.com/v2/example', 'fixtures/gateway-conformance/base.yaml', 'fixtures/gateway-conformance/httproute-matching-across-routes.yaml', '--no-docker', '--json'])
    const json = JSON.parse(result.stdout) as {route: string; considered: Array<{route: string; chosen: boolean; reason: string}>}
    expect(json.route).toBe('gateway-conformance-infra/matching-part2')
    expect(json.considered.find((c) => c.route.endsWith('matching-part1') && c.reason.startsWith('matches'))?.reason).toBe('matches, but loses: the longer PathPrefix /v2 wins')
  })

  it('a CORS preflight: 204, the Gateway answers it (HTTPRouteCORS manifests)', async () => {
    const result = await runCli(['explain', 'http://example.com/cors-1', 'fixtures/gateway-conformance/base.yaml', 'fixtures/gateway-conformance/httproute-cors.yaml', '--no-docker', '--method', 'OPTIONS', '--header', 'Origin=https://www.foo.com', '--header', 'Access-Control-Request-Method=GET'])
    expect(result.stdout).toContain('✓ 204: a CORS preflight: the Gateway answers it itself (CORS filter)')
  })

  // conformance/tests/httproute-invalid-nonexistent-backendref.go: 500, as the proxy answers.
  it('a backendRef to a Service neither loaded nor served: 500', async () => {
    const result = await runCli(['explain', 'http://example.com/', 'fixtures/gateway-conformance/base.yaml', 'fixtures/gateway-conformance/httproute-invalid-nonexistent-backendref.yaml', '--no-docker', '--json'])
    expect(JSON.parse(result.stdout)).toMatchObject({kind: 'HTTPRoute', status: 500})
  })
})
