import {afterAll, beforeAll} from 'vitest'

import type {Profile} from '../../../src/proxy/profile.js'
import {ingressYaml, type RuleSpec} from '../../support/manifests.js'
import {echoUpstream, startProxy, type ProxyUnderTest, type Upstream} from '../helpers.js'

export const N = 'nginx.ingress.kubernetes.io/'

/** `{'rewrite-target': '/$2'}` → the full annotation keys. */
export function nginx(annotations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [N + k, v]))
}

export interface IngressSpec {
  readonly name: string
  readonly rules: RuleSpec[]
  readonly annotations?: Record<string, string>
  readonly tls?: string[]
  readonly defaultBackend?: string
}

export function yamlOf(spec: IngressSpec): string {
  return ingressYaml(spec.name, spec.rules, {annotations: spec.annotations ? nginx(spec.annotations) : undefined, tls: spec.tls, defaultBackend: spec.defaultBackend})
}

export interface Fixture {
  proxy: ProxyUnderTest
  upstreams: Record<string, Upstream>
}

/**
 * Starts echo upstreams named after services (or custom ones), and the real proxy serving the
 * given Ingresses, for one describe block. Fields are filled in beforeAll.
 */
export function useProxy(options: {ingresses: IngressSpec[]; endpoints?: string[]; extraYaml?: string[]; services?: string[]; upstreams?: Record<string, () => Promise<Upstream>>; profile?: Profile; httpsPort?: number}): Fixture {
  const fixture = {upstreams: {}} as Fixture
  beforeAll(async () => {
    for (const name of options.services ?? []) fixture.upstreams[name] = await echoUpstream(name)
    for (const name of options.endpoints ?? []) fixture.upstreams[name] = await echoUpstream(name)
    for (const [name, start] of Object.entries(options.upstreams ?? {})) fixture.upstreams[name] = await start()
    fixture.proxy = await startProxy({
      yaml: [...options.ingresses.map(yamlOf), ...(options.extraYaml ?? [])],
      // `svc#1`, `svc#2`: two endpoints of Service svc.
      backends: Object.entries(fixture.upstreams).map(([name, u]) => `${name.split('#')[0]}=127.0.0.1:${u.port}`),
      profile: options.profile,
    })
    if (options.httpsPort !== undefined) fixture.proxy.session.runtime.httpsPort = options.httpsPort
  })
  afterAll(async () => {
    await fixture.proxy?.close()
    await Promise.all(Object.values(fixture.upstreams).map((u) => u.close()))
  })
  return fixture
}
