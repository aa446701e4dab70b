import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {findManifestFiles} from '../../src/manifests/load.js'

import {formatDiagnostic} from '../../src/manifests/diagnostic.js'
import {snapshotOf} from '../support/manifests.js'

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const WILDCARD =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

/** An Ingress with one rule and one path; each case overrides pieces of it. */
function ingress(o: {name?: string; host?: string; path?: string; pathType?: string | null; backend?: string; extraSpec?: string; annotations?: string; apiVersion?: string} = {}): string {
  const backend =
    o.backend ??
    `          service:
            name: web
            port:
              number: 80`
  return `apiVersion: ${o.apiVersion ?? 'networking.k8s.io/v1'}
kind: Ingress
metadata:
  name: ${o.name ?? 'demo'}
${o.annotations ?? ''}spec:
${o.extraSpec ?? ''}  rules:
  - host: ${o.host ?? 'demo.example.com'}
    http:
      paths:
      - path: ${o.path ?? '/'}
${o.pathType === null ? '' : `        pathType: ${o.pathType ?? 'Prefix'}\n`}        backend:
${backend}
`
}

function errorsOf(yaml: string): string[] {
  return snapshotOf(yaml).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.field ?? ''}: ${d.message}`)
}

const P = 'spec.rules[0].http.paths[0]'
const LONG_HOST = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`

const cases: Array<[string, string, string[]]> = [
  ['valid Ingress', ingress(), []],
  ['pathType missing', ingress({pathType: null}), [`${P}.pathType: Required value: pathType must be specified`]],
  ['pathType in the wrong case', ingress({pathType: 'prefix'}), [`${P}.pathType: Unsupported value: "prefix": supported values: "Exact", "ImplementationSpecific", "Prefix"`]],
  ['pathType unknown', ingress({pathType: 'Regex'}), [`${P}.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"`]],
  ['relative Prefix path', ingress({path: 'foo'}), [`${P}.path: Invalid value: "foo": must be an absolute path`]],
  ['relative Exact path', ingress({path: 'foo', pathType: 'Exact'}), [`${P}.path: Invalid value: "foo": must be an absolute path`]],
  ['empty Prefix path', ingress({path: '""'}), [`${P}.path: Invalid value: "": must be an absolute path`]],
  ['relative ImplementationSpecific path', ingress({path: 'foo', pathType: 'ImplementationSpecific'}), [`${P}.path: Invalid value: "foo": must be an absolute path`]],
  ['empty ImplementationSpecific path is fine', ingress({path: '""', pathType: 'ImplementationSpecific'}), []],
  ['// in a Prefix path', ingress({path: '/a//b'}), [`${P}.path: Invalid value: "/a//b": must not contain '//'`]],
  ['/./ in an Exact path', ingress({path: '/a/./b', pathType: 'Exact'}), [`${P}.path: Invalid value: "/a/./b": must not contain '/./'`]],
  ['/../ in a Prefix path', ingress({path: '/a/../b'}), [`${P}.path: Invalid value: "/a/../b": must not contain '/../'`]],
  ['%2f in a Prefix path', ingress({path: '/a%2fb'}), [`${P}.path: Invalid value: "/a%2fb": must not contain '%2f'`]],
  ['%2F in a Prefix path', ingress({path: '/a%2Fb'}), [`${P}.path: Invalid value: "/a%2Fb": must not contain '%2F'`]],
  ['path ending in /..', ingress({path: '/a/..'}), [`${P}.path: Invalid value: "/a/..": cannot end with '/..'`]],
  ['path ending in /.', ingress({path: '/a/.'}), [`${P}.path: Invalid value: "/a/.": cannot end with '/.'`]],
  ['relative path with //', ingress({path: 'foo//bar'}), [`${P}.path: Invalid value: "foo//bar": must be an absolute path`, `${P}.path: Invalid value: "foo//bar": must not contain '//'`]],
  ['ImplementationSpecific allows regex-like paths', ingress({path: '"/api/(.*)"', pathType: 'ImplementationSpecific'}), []],
  ['Prefix paths have no character check in the API server', ingress({path: '"/foo(.*)"'}), []],
  ['host is an IPv4 address', ingress({host: '1.2.3.4'}), ['spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address']],
  ['host in upper case', ingress({host: 'Demo.example.com'}), [`spec.rules[0].host: Invalid value: "Demo.example.com": ${SUBDOMAIN}`]],
  ['host with a port', ingress({host: '"demo.example.com:80"'}), [`spec.rules[0].host: Invalid value: "demo.example.com:80": ${SUBDOMAIN}`]],
  ['host with an underscore', ingress({host: 'my_app.example.com'}), [`spec.rules[0].host: Invalid value: "my_app.example.com": ${SUBDOMAIN}`]],
  ['wildcard not the whole first label', ingress({host: '"foo*.example.com"'}), [`spec.rules[0].host: Invalid value: "foo*.example.com": ${WILDCARD}`]],
  ['wildcard in the middle', ingress({host: '"foo.*.example.com"'}), [`spec.rules[0].host: Invalid value: "foo.*.example.com": ${WILDCARD}`]],
  ['two wildcards', ingress({host: '"*.*.example.com"'}), [`spec.rules[0].host: Invalid value: "*.*.example.com": ${WILDCARD}`]],
  ['valid wildcard host', ingress({host: '"*.example.com"'}), []],
  ['host too long', ingress({host: LONG_HOST}), [`spec.rules[0].host: Invalid value: "${LONG_HOST}": must be no more than 253 characters`]],
  ['both service and resource', ingress({backend: '          service:\n            name: web\n            port:\n              number: 80\n          resource:\n            kind: Bucket\n            name: b'}), [`${P}.backend: Invalid value: "": cannot set both resource and service backends`]],
  ['neither service nor resource', ingress({backend: '          {}'}), [`${P}.backend: Invalid value: "": resource or service backend is required`]],
  ['service name missing', ingress({backend: '          service:\n            port:\n              number: 80'}), [`${P}.backend.service.name: Required value`]],
  ['service name not a DNS-1035 label', ingress({backend: '          service:\n            name: 1web\n            port:\n              number: 80'}), [`${P}.backend.service.name: Invalid value: "1web": ${DNS1035}`]],
  ['port name and number', ingress({backend: '          service:\n            name: web\n            port:\n              number: 80\n              name: http'}), [`${P}.backend: Invalid value: "": cannot set both port name & port number`]],
  ['port missing', ingress({backend: '          service:\n            name: web'}), [`${P}.backend: Required value: port name or number is required`]],
  ['port number 0', ingress({backend: '          service:\n            name: web\n            port:\n              number: 0'}), [`${P}.backend: Required value: port name or number is required`]],
  ['port number too large', ingress({backend: '          service:\n            name: web\n            port:\n              number: 70000'}), [`${P}.backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive`]],
  ['negative port number', ingress({backend: '          service:\n            name: web\n            port:\n              number: -1'}), [`${P}.backend.service.port.number: Invalid value: -1: must be between 1 and 65535, inclusive`]],
  ['port name in upper case', ingress({backend: '          service:\n            name: web\n            port:\n              name: HTTP'}), [
    `${P}.backend.service.port.name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`,
    `${P}.backend.service.port.name: Invalid value: "HTTP": must contain at least one letter (a-z)`,
  ]],
  ['port name with double hyphen', ingress({backend: '          service:\n            name: web\n            port:\n              name: my--port'}), [`${P}.backend.service.port.name: Invalid value: "my--port": must not contain consecutive hyphens`]],
  ['port name too long', ingress({backend: '          service:\n            name: web\n            port:\n              name: a-very-long-port-name'}), [`${P}.backend.service.port.name: Invalid value: "a-very-long-port-name": must be no more than 15 characters`]],
  ['port number as a quoted string', ingress({backend: '          service:\n            name: web\n            port:\n              number: "80"'}), [`${P}.backend.service.port.number: found string "80", expected an integer (write 80 without quotes)`]],
  ['resource backend without kind', ingress({backend: '          resource:\n            name: static'}), [`${P}.backend.resource.kind: Required value`]],
  ['resource backend name with a slash', ingress({backend: '          resource:\n            kind: Bucket\n            name: a/b'}), [`${P}.backend.resource.name: Invalid value: "a/b": may not contain '/'`]],
  ['metadata.name missing', ingress({name: '""'}), ['metadata.name: Required value: name or generateName is required']],
  ['metadata.name with upper case', ingress({name: 'Demo'}), [`metadata.name: Invalid value: "Demo": ${SUBDOMAIN}`]],
  ['neither rules nor defaultBackend', 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: empty\nspec: {}\n', ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']],
  ['empty paths', 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: e\nspec:\n  rules:\n  - host: a.com\n    http:\n      paths: []\n', ['spec.rules[0].http.paths: Required value']],
  ['host-only rule is accepted', 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: e\nspec:\n  rules:\n  - host: a.com\n', []],
  ['TLS host invalid', ingress({extraSpec: '  tls:\n  - hosts:\n    - Demo.example.com\n'}), [`spec.tls[0].hosts[0]: Invalid value: "Demo.example.com": ${SUBDOMAIN}`]],
  ['TLS secretName invalid', ingress({extraSpec: '  tls:\n  - hosts:\n    - demo.example.com\n    secretName: My_Secret\n'}), [`spec.tls[0].secretName: Invalid value: "My_Secret": ${SUBDOMAIN}`]],
  ['ingressClassName invalid', ingress({extraSpec: '  ingressClassName: NGINX\n'}), [`spec.ingressClassName: Invalid value: "NGINX": ${SUBDOMAIN}`]],
  ['class annotation disagrees with ingressClassName', ingress({extraSpec: '  ingressClassName: nginx\n', annotations: '  annotations:\n    kubernetes.io/ingress.class: traefik\n'}), ['annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified']],
  ['class annotation agrees with ingressClassName', ingress({extraSpec: '  ingressClassName: nginx\n', annotations: '  annotations:\n    kubernetes.io/ingress.class: nginx\n'}), []],
  ['annotation key with two slashes', ingress({annotations: '  annotations:\n    a/b/c: "x"\n'}), [
    `metadata.annotations: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]],
  ['annotation value not a string', ingress({annotations: '  annotations:\n    nginx.ingress.kubernetes.io/use-regex: true\n'}), ['metadata.annotations[nginx.ingress.kubernetes.io/use-regex]: found boolean true, expected a string (quote it: "true")']],
  ['unknown field pathtype', ingress({pathType: null}).replace('        backend:', '        pathtype: Prefix\n        backend:'), [`${P}.pathtype: unknown field "pathtype" (did you mean "pathType"?)`]],
  ['unknown field in spec', ingress({extraSpec: '  defaultbackend: {}\n'}), ['spec.defaultbackend: unknown field "defaultbackend" (did you mean "defaultBackend"?)']],
  ['rules is not a list', 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: e\nspec:\n  rules:\n    host: a.com\n', ['spec.rules: found a mapping, expected a list (items start with "- ")']],
]

describe('Ingress validation (API-server rules and wording)', () => {
  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40))
  it.each(cases)('%s', (_name, yaml, expected) => {
    expect(errorsOf(yaml)).toEqual(expected)
  })
})

describe('positions', () => {
  it('prefixes every error with file:line:col of the offending field', () => {
    const {diagnostics} = snapshotOf(ingress({pathType: 'prefix'}), 'k8s/demo.yaml')
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      `k8s/demo.yaml:11:9: ${P}.pathType: Unsupported value: "prefix": supported values: "Exact", "ImplementationSpecific", "Prefix"`,
    ])
  })

  it('points a missing field at its parent', () => {
    const {diagnostics} = snapshotOf(ingress({pathType: null}), 'x.yaml')
    expect(formatDiagnostic(diagnostics[0]!)).toBe(`x.yaml:10:9: ${P}.pathType: Required value: pathType must be specified`)
  })

  it('counts lines per document in a multi-document file', () => {
    const yaml = ingress({name: 'first'}) + '---\n' + ingress({name: 'second', host: 'Bad.example.com'})
    const {diagnostics} = snapshotOf(yaml, 'multi.yaml')
    expect(formatDiagnostic(diagnostics[0]!)).toMatch(/^multi\.yaml:24:5: spec\.rules\[0\]\.host: Invalid value: "Bad\.example\.com"/)
  })
})

describe('legacy v1beta1 Ingresses', () => {
  const legacy = `apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: old
spec:
  rules:
  - host: old.example.com
    http:
      paths:
      - path: /api
        backend:
          serviceName: api
          servicePort: 8080
`
  it('says which version to write and shows the v1 backend form', () => {
    const [error] = snapshotOf(legacy, 'old.yaml').diagnostics
    expect(error?.severity).toBe('error')
    expect(error?.message).toContain('networking.k8s.io/v1beta1 Ingress was removed in Kubernetes 1.22; write apiVersion: networking.k8s.io/v1.')
    expect(error?.message).toContain('          name: api\n          port:\n            number: 8080')
    expect(error?.message).toContain('pathType: ImplementationSpecific')
  })

  it('also catches serviceName under apiVersion v1', () => {
    const [error] = snapshotOf(legacy.replace('networking.k8s.io/v1beta1', 'networking.k8s.io/v1'), 'old.yaml').diagnostics
    expect(error?.message).toContain('serviceName/servicePort is the removed v1beta1 backend form')
  })

  it('extensions/v1beta1 with a named port', () => {
    const [error] = snapshotOf(legacy.replace('networking.k8s.io/v1beta1', 'extensions/v1beta1').replace('8080', 'http'), 'old.yaml').diagnostics
    expect(error?.message).toContain('extensions/v1beta1 Ingress was removed')
    expect(error?.message).toContain('            name: http')
  })
})

describe('semantic warnings', () => {
  const warningsOf = async (yaml: string) => {
    const {compileYaml} = await import('../support/manifests.js')
    return compileYaml(yaml).all.filter((d) => d.severity === 'warning').map((d) => `${d.field}: ${d.message}`)
  }

  it('a TLS host that no rule serves', async () => {
    const warnings = await warningsOf(ingress({extraSpec: '  tls:\n  - hosts:\n    - other.example.com\n'}))
    expect(warnings).toEqual(['spec.tls[0].hosts[0]: TLS host "other.example.com" is not the host of any rule, so requests for it get only the 404 page. Add a rule with host: other.example.com, or remove it from spec.tls.'])
  })

  it('a wildcard TLS host covering a rule host is fine', async () => {
    expect(await warningsOf(ingress({extraSpec: '  tls:\n  - hosts:\n    - "*.example.com"\n'}))).toEqual([])
  })

  it('a backend port the loaded Service does not have', async () => {
    const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - name: http\n    port: 8080\n'
    const warnings = await warningsOf(ingress() + '---\n' + service)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.port: Service "web" \(test\.yaml:\d+\) has no port 80; it has 8080 \(http\)/)
  })

  it('hosts under .dev and .local', async () => {
    expect(await warningsOf(ingress({host: 'app.dev'}))).toEqual([expect.stringContaining('HSTS preload list')])
    expect(await warningsOf(ingress({host: 'printer.local'}))).toEqual([expect.stringContaining('multicast DNS')])
  })
})

describe('loading', () => {
  it('leaves Compose files out of a folder but reads them when named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kingress-load-'))
    try {
      for (const name of ['ingress.yaml', 'compose.yaml', 'docker-compose.yml', 'compose.override.yaml', 'svc.json', 'notes.txt']) {
        await writeFile(join(dir, name), '')
      }
      expect(await findManifestFiles([dir])).toEqual([join(dir, 'ingress.yaml'), join(dir, 'svc.json')])
      expect(await findManifestFiles([join(dir, 'compose.yaml')])).toEqual([join(dir, 'compose.yaml')])
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('reads kind: List items and JSON', () => {
    const list = JSON.stringify({apiVersion: 'v1', kind: 'List', items: [{apiVersion: 'v1', kind: 'Service', metadata: {name: 'web'}, spec: {ports: [{port: 80}]}}]})
    const {snapshot, diagnostics} = snapshotOf(list, 'list.json')
    expect(diagnostics).toEqual([])
    expect(snapshot.services.map((s) => s.meta.name)).toEqual(['web'])
  })

  it('notes and skips kinds it does not read', () => {
    const {diagnostics} = snapshotOf('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n', 'd.yaml')
    expect(diagnostics.map(formatDiagnostic)).toEqual(['d.yaml:1:1: note: skipped Deployment "web": kingress reads Ingress, Service, EndpointSlice, Endpoints and Secret objects'])
  })

  it('reports YAML syntax errors with their position', () => {
    const {diagnostics} = snapshotOf('apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n', 'bad.yaml')
    expect(diagnostics[0]?.severity).toBe('error')
    expect(formatDiagnostic(diagnostics[0]!)).toMatch(/^bad\.yaml:\d+:\d+: YAML: /)
  })

  it('an unquoted wildcard host (a YAML alias without anchor) is an error at its position, saying to quote it', () => {
    const {diagnostics} = snapshotOf('apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: default}\nspec:\n  hostnames: [*.wildcard.org]\n', 'alias.yaml')
    expect(diagnostics.map(formatDiagnostic)).toEqual(['alias.yaml:5:15: YAML: *.wildcard.org is read as an alias of an anchor ".wildcard.org" that is not defined; if it is a value (a wildcard hostname), quote it: "*.wildcard.org"'])
  })

  it('reads selector-less Services with EndpointSlices, and TLS Secrets', () => {
    const yaml = `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: dev-1
  labels:
    kubernetes.io/service-name: dev
addressType: IPv4
ports:
- name: http
  port: 3000
endpoints:
- addresses: ["127.0.0.1"]
- addresses: ["127.0.0.2"]
  conditions:
    ready: false
---
apiVersion: v1
kind: Secret
metadata:
  name: tls
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from('CERT').toString('base64')}
  tls.key: ${Buffer.from('KEY').toString('base64')}
`
    const {snapshot, diagnostics} = snapshotOf(yaml)
    expect(diagnostics).toEqual([])
    expect(snapshot.endpointSets[0]).toMatchObject({serviceName: 'dev', ports: [{name: 'http', port: 3000}], addresses: [{ip: '127.0.0.1', ready: true}, {ip: '127.0.0.2', ready: false}]})
    expect(snapshot.secrets[0]?.data).toEqual({'tls.crt': 'CERT', 'tls.key': 'KEY'})
  })
})
