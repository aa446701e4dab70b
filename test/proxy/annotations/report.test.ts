import {describe, expect, it} from 'vitest'

import {compileYaml} from '../../support/manifests.js'
import {N, yamlOf, type IngressSpec} from './support.js'

/** The annotation report says what the proxy does: honoured, partial (how), ignored (why). */

function report(spec: IngressSpec, ...more: IngressSpec[]) {
  const compiled = compileYaml([spec, ...more].map(yamlOf).join('---\n'))
  const list = compiled.annotationReports.get(`default/${spec.name}`) ?? []
  return {statuses: Object.fromEntries(list.map((r) => [r.key.slice(N.length), r.status])), notes: Object.fromEntries(list.map((r) => [r.key.slice(N.length), r.note])), diagnostics: compiled.all.map((d) => d.message)}
}

const rules = (service = 'web', path = '/', pathType = 'Prefix') => [{host: 'app.test', paths: [{path, pathType, service}]}]

describe('annotation report', () => {
  it.each([
    ['rewrite-target', '/$2', 'honoured'],
    ['use-regex', 'true', 'honoured'],
    ['app-root', '/app', 'honoured'],
    ['x-forwarded-prefix', '/p', 'honoured'],
    ['upstream-vhost', 'x.internal', 'honoured'],
    ['permanent-redirect', 'https://x.test', 'honoured'],
    ['temporal-redirect', 'https://x.test', 'honoured'],
    ['from-to-www-redirect', 'true', 'honoured'],
    ['ssl-redirect', 'false', 'honoured'],
    ['force-ssl-redirect', 'true', 'honoured'],
    ['backend-protocol', 'HTTP', 'honoured'],
    ['backend-protocol', 'HTTPS', 'partial'],
    ['backend-protocol', 'GRPC', 'partial'],
    ['backend-protocol', 'GRPCS', 'partial'],
    ['backend-protocol', 'FCGI', 'ignored'],
    ['proxy-connect-timeout', '10', 'honoured'],
    ['proxy-read-timeout', '120', 'honoured'],
    ['proxy-send-timeout', '120', 'partial'],
    ['proxy-body-size', '8m', 'honoured'],
    ['proxy-buffering', 'on', 'partial'],
    ['proxy-buffering', 'off', 'honoured'],
    ['service-upstream', 'true', 'partial'],
    ['load-balance', 'ewma', 'honoured'],
    ['upstream-hash-by', '$request_uri', 'honoured'],
    ['affinity', 'cookie', 'honoured'],
    ['whitelist-source-range', '10.0.0.0/8', 'honoured'],
    ['denylist-source-range', '10.0.0.0/8', 'honoured'],
    ['limit-rps', '5', 'partial'],
    ['limit-connections', '5', 'honoured'],
    ['enable-cors', 'true', 'honoured'],
    ['auth-url', 'http://auth.test/verify', 'honoured'],
    ['configuration-snippet', 'more_set_headers "X: y";', 'ignored'],
    ['server-snippet', 'location /x {}', 'ignored'],
    ['enable-modsecurity', 'true', 'ignored'],
  ])('%s: %s → %s', (key, value, status) => {
    const r = report({name: 'one', annotations: {[key]: value}, rules: rules()})
    expect(r.statuses[key]).toBe(status)
    if (status !== 'honoured') expect(r.notes[key]).toBeTruthy()
  })

  it('a canary Ingress: its non-canary annotations are inherited from the main one, so reported ignored', () => {
    const r = report(
      {name: 'canary', annotations: {canary: 'true', 'canary-weight': '10', 'rewrite-target': '/', 'load-balance': 'ewma'}, rules: rules('next')},
      {name: 'main', rules: rules()},
    )
    expect(r.statuses).toEqual({canary: 'honoured', 'canary-weight': 'honoured', 'rewrite-target': 'ignored', 'load-balance': 'honoured'})
    expect(r.notes['rewrite-target']).toContain('main Ingress')
  })

  it('flags rewrite-target without a capture group on regex paths, and regex paths without use-regex', () => {
    const noCapture = report({name: 'a', annotations: {'rewrite-target': '/'}, rules: rules('web', '/api(/|$)(.*)', 'ImplementationSpecific')})
    expect(noCapture.diagnostics.join('\n')).toContain('uses no capture group')
    const noRegex = compileYaml(yamlOf({name: 'b', rules: [{host: 'b.test', paths: [{path: '/api/v[0-9]+', pathType: 'ImplementationSpecific', service: 'web'}]}]}))
    expect(noRegex.all.map((d) => d.message).join('\n')).toContain('use-regex')
  })
})
