import {describe, expect, it} from 'vitest'

import {formatDiagnostic} from '../../src/manifests/diagnostic.js'
import {snapshotFrom} from './support.js'

/**
 * Gateway API validation mirrors the standard-channel CRDs: OpenAPI markers and CEL rules in
 * kubernetes-sigs/gateway-api apis/v1/gateway_types.go, httproute_types.go, shared_types.go,
 * object_reference_types.go and referencegrant_types.go. Messages are the API server's.
 */

function load(yaml: string): {errors: string[]; all: string[]; snapshot: ReturnType<typeof snapshotFrom>['snapshot']} {
  const {snapshot, diagnostics} = snapshotFrom({'t.yaml': yaml})
  return {snapshot, all: diagnostics.map(formatDiagnostic), errors: diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)}
}

const gateway = (listeners: string, extra = ''): string => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
spec:
  gatewayClassName: local${extra}
  listeners:
${listeners}`

const route = (spec: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
spec:
${spec}`

describe('Gateway validation (gateway_types.go)', () => {
  it('a valid Gateway loads with its defaults: allowedRoutes from Same, kinds unset, TLS mode Terminate', () => {
    const {errors, snapshot} = load(
      gateway(`  - name: http
    port: 80
    protocol: HTTP
  - name: https
    port: 443
    protocol: HTTPS
    hostname: "*.example.com"
    tls:
      certificateRefs:
      - name: cert`),
    )
    expect(errors).toEqual([])
    const [http, https] = snapshot.gateways[0]!.listeners
    expect(http!.allowedRoutes).toEqual({from: 'Same', selector: null, kinds: null})
    expect(https!.tls).toMatchObject({mode: 'Terminate', certificateRefs: [{group: '', kind: 'Secret', name: 'cert', namespace: null}]})
  })

  it('requires gatewayClassName and at least one listener', () => {
    const {errors} = load('apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  listeners: []\n')
    expect(errors).toEqual(['t.yaml:5:1: spec.gatewayClassName: Required value', 't.yaml:6:3: spec.listeners: Invalid value: 0: spec.listeners in body should have at least 1 items'])
  })

  it('checks listener names, hostnames, ports and protocols against the CRD patterns and ranges', () => {
    const {errors} = load(
      gateway(`  - name: Web_1
    port: 0
    protocol: "HTTP!"
    hostname: "foo.*.example.com"`),
    )
    expect(errors).toEqual([
      "t.yaml:8:5: spec.listeners[0].name: Invalid value: \"Web_1\": spec.listeners[0].name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      't.yaml:9:5: spec.listeners[0].port: Invalid value: 0: spec.listeners[0].port in body should be greater than or equal to 1',
      expect.stringMatching(/^t\.yaml:10:5: spec\.listeners\[0\]\.protocol: Invalid value: "HTTP!": spec\.listeners\[0\]\.protocol in body should match/),
      expect.stringMatching(/^t\.yaml:11:5: spec\.listeners\[0\]\.hostname: Invalid value: "foo\.\*\.example\.com": spec\.listeners\[0\]\.hostname in body should match '\^\(\\\*\\\.\)\?/),
    ])
  })

  it('CEL: listener names unique; port, protocol and hostname unique; tls only where it belongs', () => {
    const {errors} = load(
      gateway(`  - name: a
    port: 80
    protocol: HTTP
    tls:
      certificateRefs:
      - name: cert
  - name: a
    port: 80
    protocol: HTTP
  - name: b
    port: 443
    protocol: HTTPS
    tls:
      mode: Passthrough`),
    )
    expect(errors).toEqual([
      "t.yaml:8:5: spec.listeners: Invalid value: \"array\": tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
      't.yaml:14:5: spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway',
      't.yaml:14:5: spec.listeners: Invalid value: "array": Combination of port, protocol and hostname must be unique for each listener',
      't.yaml:17:5: spec.listeners: Invalid value: "array": tls mode must be Terminate for protocol HTTPS',
    ])
  })

  it('CEL: Terminate needs certificateRefs or options', () => {
    const {errors} = load(gateway(`  - name: https\n    port: 443\n    protocol: HTTPS\n    tls:\n      mode: Terminate`))
    expect(errors).toEqual(['t.yaml:11:5: spec.listeners[0].tls: Invalid value: "object": certificateRefs or options must be specified when mode is Terminate'])
  })

  it('allowedRoutes: from is an enum, kinds at most 8, a kind is required', () => {
    const {errors} = load(
      gateway(`  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces:
        from: Everywhere
      kinds:
      - group: gateway.networking.k8s.io`),
    )
    expect(errors).toEqual([
      't.yaml:13:9: spec.listeners[0].allowedRoutes.namespaces.from: Unsupported value: "Everywhere": supported values: "All", "Selector", "Same"',
      't.yaml:15:9: spec.listeners[0].allowedRoutes.kinds[0].kind: Required value',
    ])
  })

  it('addresses: IPAddress and Hostname values unique; a Hostname address matches the Hostname pattern', () => {
    const {errors} = load(
      gateway(`  - name: http\n    port: 80\n    protocol: HTTP`, `
  addresses:
  - value: 10.0.0.1
  - type: IPAddress
    value: 10.0.0.1
  - type: Hostname
    value: Bad_Host`),
    )
    expect(errors).toEqual([
      't.yaml:9:5: spec.addresses: Invalid value: "array": IPAddress values must be unique',
      't.yaml:11:5: spec.addresses[2]: Invalid value: "object": Hostname value must be empty or contain only valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)',
    ])
  })

  it('more than 64 listeners is too many', () => {
    const listeners = Array.from({length: 65}, (_, i) => `  - name: l${i}\n    port: ${1000 + i}\n    protocol: HTTP`).join('\n')
    expect(load(gateway(listeners)).errors).toEqual(['t.yaml:7:3: spec.listeners: Too many: 65: must have at most 64 items'])
  })

  it('an unknown field is reported as kubectl strict decoding does, with a suggestion', () => {
    const {errors} = load(gateway(`  - name: http\n    port: 80\n    protocol: HTTP\n    allowedroutes: {}`))
    expect(errors).toEqual(['t.yaml:11:5: spec.listeners[0].allowedroutes: unknown field "allowedroutes" (did you mean "allowedRoutes"?)'])
  })

  it('an alpha apiVersion says which versions are served', () => {
    const {errors} = load(gateway(`  - name: http\n    port: 80\n    protocol: HTTP`).replace('/v1\n', '/v1alpha2\n'))
    expect(errors).toEqual(['t.yaml:1:1: apiVersion: Gateway is served as gateway.networking.k8s.io/v1 or gateway.networking.k8s.io/v1beta1 (standard channel); write apiVersion: gateway.networking.k8s.io/v1'])
  })
})

describe('HTTPRoute validation (httproute_types.go, shared_types.go)', () => {
  it('defaults: no rules is one rule matching PathPrefix "/"; no matches is PathPrefix "/"; weight 1; kind Service; parentRef group and kind', () => {
    const {errors, snapshot} = load(
      route(`  parentRefs:
  - name: gw
  rules:
  - backendRefs:
    - name: web
      port: 80`),
    )
    expect(errors).toEqual([])
    const r = snapshot.httpRoutes[0]!
    expect(r.parentRefs[0]).toMatchObject({group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: null, sectionName: null, port: null})
    expect(r.rules[0]!.matches).toEqual([{path: {type: 'PathPrefix', value: '/'}, headers: [], queryParams: [], method: null}])
    expect(r.rules[0]!.backendRefs[0]).toMatchObject({group: '', kind: 'Service', name: 'web', port: 80, weight: 1})
    expect(load(route('  parentRefs:\n  - name: gw')).snapshot.httpRoutes[0]!.rules).toMatchObject([{matches: [{path: {type: 'PathPrefix', value: '/'}}], backendRefs: []}])
  })

  it("CEL: an Exact or PathPrefix value must start with '/' and be a clean path", () => {
    const {errors} = load(
      route(`  rules:
  - matches:
    - path:
        type: PathPrefix
        value: api
    - path:
        type: Exact
        value: /a//b
    - path:
        type: Prefix
        value: /`),
    )
    expect(errors).toEqual([
      "t.yaml:10:9: spec.rules[0].matches[0].path: Invalid value: \"object\": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
      "t.yaml:13:9: spec.rules[0].matches[1].path: Invalid value: \"object\": must not contain '//' when type one of ['Exact', 'PathPrefix']",
      't.yaml:15:9: spec.rules[0].matches[2].path.type: Unsupported value: "Prefix": supported values: "Exact", "PathPrefix", "RegularExpression"',
    ])
  })

  it('hostnames: the Hostname pattern; a bare IP or an upper-case name is invalid', () => {
    const {errors} = load(route('  hostnames:\n  - Example.com\n  - "*.ok.example.com"'))
    expect(errors).toEqual([expect.stringMatching(/^t\.yaml:7:5: spec\.hostnames\[0\]: Invalid value: "Example\.com": spec\.hostnames\[0\] in body should match/)])
  })

  it('header and query matches: names, values, types, methods; duplicate header names', () => {
    const {errors} = load(
      route(`  rules:
  - matches:
    - headers:
      - name: x-env
        value: canary
      - name: X-Env
        value: prod
      queryParams:
      - type: Prefix
        name: q
        value: a
      method: FETCH`),
    )
    expect(errors).toEqual([
      't.yaml:11:9: spec.rules[0].matches[0].headers[1]: Duplicate value: {"name":"X-Env"}',
      't.yaml:14:9: spec.rules[0].matches[0].queryParams[0].type: Unsupported value: "Prefix": supported values: "Exact", "RegularExpression"',
      't.yaml:17:7: spec.rules[0].matches[0].method: Unsupported value: "FETCH": supported values: "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"',
    ])
  })

  it('CEL: a Service backendRef needs a port; weight 0..1000000; a port is 1..65535', () => {
    const {errors} = load(
      route(`  rules:
  - backendRefs:
    - name: web
    - name: api
      port: 8080
      weight: -1
    - name: other
      port: 65536`),
    )
    expect(errors).toEqual([
      't.yaml:8:7: spec.rules[0].backendRefs[0]: Invalid value: "object": Must have port for Service reference',
      't.yaml:11:7: spec.rules[0].backendRefs[1].weight: Invalid value: -1: spec.rules[0].backendRefs[1].weight in body should be greater than or equal to 0',
      't.yaml:13:7: spec.rules[0].backendRefs[2].port: Invalid value: 65536: spec.rules[0].backendRefs[2].port in body should be less than or equal to 65535',
    ])
  })

  it('CEL on filters: type and field agree; no redirect with backendRefs or with a rewrite; ReplacePrefixMatch needs one PathPrefix match', () => {
    const {errors} = load(
      route(`  rules:
  - matches:
    - path:
        type: Exact
        value: /old
    filters:
    - type: RequestRedirect
      requestRedirect:
        path:
          type: ReplacePrefixMatch
          replacePrefixMatch: /new
    - type: URLRewrite
      requestHeaderModifier:
        set:
        - name: x
          value: y
    backendRefs:
    - name: web
      port: 80`),
    )
    expect(errors).toEqual([
      't.yaml:7:5: spec.rules[0]: Invalid value: "object": RequestRedirect filter must not be used together with backendRefs',
      't.yaml:7:5: spec.rules[0]: Invalid value: "object": When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
      't.yaml:11:5: spec.rules[0].filters: Invalid value: "array": May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
      't.yaml:17:7: spec.rules[0].filters[1]: Invalid value: "object": filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier',
      't.yaml:17:7: spec.rules[0].filters[1]: Invalid value: "object": filter.urlRewrite must be specified for URLRewrite filter.type',
    ])
  })

  it('header modifier filters: header names, values, no name twice; CORS origins', () => {
    const {errors} = load(
      route(`  rules:
  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        - name: X-Env
          value: a
        - name: x-env
          value: b
        add:
        - name: "bad header"
          value: c
    - type: CORS
      cors:
        allowOrigins:
        - example.com`),
    )
    expect(errors).toEqual([
      't.yaml:13:11: spec.rules[0].filters[0].requestHeaderModifier.set[1]: Duplicate value: {"name":"x-env"}',
      expect.stringMatching(/^t\.yaml:16:11: spec\.rules\[0\]\.filters\[0\]\.requestHeaderModifier\.add\[0\]\.name: Invalid value: "bad header": .* in body should match/),
      expect.stringMatching(/^t\.yaml:21:11: spec\.rules\[0\]\.filters\[1\]\.cors\.allowOrigins\[0\]: Invalid value: "example\.com": .* in body should match/),
    ])
  })

  it('header filter values that are not printable US-ASCII are taken, with a warning of what kingress sends (httproute_types.go HTTPHeader.Value)', () => {
    const {errors, all} = load(
      route(`  rules:
  - filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set:
        - {name: X-Arrow, value: "a\u2192b"}
        - {name: X-Control, value: "a\\u0001b"}
        add:
        - {name: X-Spaced, value: "a  b"}
        - {name: X-Plain, value: "a b"}`),
    )
    expect(errors).toEqual([])
    const warnings = all.filter((line) => line.includes('experimental channel'))
    expect(warnings).toEqual([
      't.yaml:11:27: warning: spec.rules[0].filters[0].responseHeaderModifier.set[0].value: is not US-ASCII (the experimental channel refuses it: ^[!-~]+([\\t ]?[!-~]+)*$); kingress sends its UTF-8 bytes',
      't.yaml:12:29: warning: spec.rules[0].filters[0].responseHeaderModifier.set[1].value: has a control character, which no HTTP field may carry (the experimental channel refuses it: ^[!-~]+([\\t ]?[!-~]+)*$); requests this filter applies to are answered 502',
      't.yaml:14:28: warning: spec.rules[0].filters[0].responseHeaderModifier.add[0].value: has leading, trailing or repeated spaces or tabs (the experimental channel refuses it: ^[!-~]+([\\t ]?[!-~]+)*$); kingress sends it as written',
    ])
  })

  // The pattern as written upstream backtracks 2^n steps on a failing value in V8 (Go's engine is linear).
  it('a long header value that fails the experimental pattern is judged at once', () => {
    const started = performance.now()
    const {all} = load(route(`  rules:\n  - filters:\n    - type: RequestHeaderModifier\n      requestHeaderModifier:\n        set:\n        - {name: X-Long, value: "${'x'.repeat(30)}  y"}`))
    expect(performance.now() - started).toBeLessThan(500)
    expect(all.some((line) => line.includes('set[0].value: has leading, trailing or repeated spaces or tabs'))).toBe(true)
  })

  it('timeouts: the Duration pattern; backendRequest not longer than request', () => {
    const {errors} = load(route('  rules:\n  - timeouts:\n      request: 10s\n      backendRequest: 1m'))
    expect(errors).toEqual(['t.yaml:7:5: spec.rules[0].timeouts: Invalid value: "object": backendRequest timeout cannot be longer than request timeout'])
    expect(load(route('  rules:\n  - timeouts:\n      request: 10 seconds')).errors).toEqual([
      "t.yaml:8:7: spec.rules[0].timeouts.request: Invalid value: \"10 seconds\": spec.rules[0].timeouts.request in body should match '^([0-9]{1,5}(h|m|s|ms)){1,4}$'",
    ])
  })

  it('at most 16 rules and 16 hostnames; a parentRef needs a name', () => {
    const rules = Array.from({length: 17}, () => '  - {}').join('\n')
    expect(load(route(`  parentRefs:\n  - sectionName: http\n  rules:\n${rules}`)).errors).toEqual(['t.yaml:7:5: spec.parentRefs[0].name: Required value', 't.yaml:8:3: spec.rules: Too many: 17: must have at most 16 items'])
  })
})

describe('ReferenceGrant and Namespace', () => {
  it('a ReferenceGrant needs from and to, each with group and kind (group may be "")', () => {
    const ok = load('apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata:\n  name: g\n  namespace: b\nspec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: HTTPRoute\n    namespace: a\n  to:\n  - group: ""\n    kind: Service\n')
    expect(ok.errors).toEqual([])
    expect(ok.snapshot.referenceGrants[0]).toMatchObject({from: [{group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'a'}], to: [{group: '', kind: 'Service', name: null}]})
    const bad = load('apiVersion: gateway.networking.k8s.io/v1\nkind: ReferenceGrant\nmetadata:\n  name: g\nspec:\n  from:\n  - kind: HTTPRoute\n    namespace: a\n')
    expect(bad.errors).toEqual(['t.yaml:7:5: spec.from[0].group: Required value', 't.yaml:5:1: spec.to: Required value'].sort())
  })

  it('Namespaces are read (for allowedRoutes selectors), not skipped', () => {
    const {all, snapshot} = load('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels:\n    shared-gateway: "true"\n')
    expect(all).toEqual([])
    expect(snapshot.namespaces[0]!.meta.labels).toEqual({'shared-gateway': 'true'})
  })

  it('other Gateway API kinds are skipped with a note naming what is read', () => {
    const {all} = load('apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata:\n  name: g\n')
    expect(all).toEqual(['t.yaml:1:1: note: skipped GRPCRoute "g": of the Gateway API, kingress reads GatewayClass, Gateway, HTTPRoute and ReferenceGrant'])
  })
})
