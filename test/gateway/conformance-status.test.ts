import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {defaultGatewayAddresses} from '../../src/gateway/addresses.js'
import {CONTROLLER_NAME} from '../../src/gateway/conditions.js'
import {compileGatewayTable} from '../../src/gateway/route-table.js'
import {computeStatus} from '../../src/gateway/status.js'
import {CONFORMANCE, conformanceStatus, gatewayStatus, INFRA, listener, parentFor, routeParents, snapshotFrom, summary} from './support.js'

/**
 * The status parts of the Gateway API conformance suite (kubernetes-sigs/gateway-api,
 * conformance/tests/*.go with their *.yaml, on the shared conformance/base/manifests.yaml).
 * Each test is named after the upstream ShortName; the manifests are the upstream YAML, in
 * fixtures/gateway-conformance/; the expectations are the conditions and reasons the upstream
 * test asserts. Requests (the data-plane half of some of these tests) are in
 * test/proxy/gateway-conformance.test.ts and its neighbours; test/gateway/CONFORMANCE.md lists where each is.
 */

const HTTP_ROUTE_KIND = {group: 'gateway.networking.k8s.io', kind: 'HTTPRoute'}
const WEB = 'gateway-conformance-web-backend'

describe('Gateway API conformance: status', () => {
  // conformance/tests/gateway-invalid-route-kind.go
  it('GatewayInvalidRouteKind', () => {
    const result = conformanceStatus('gateway-invalid-route-kind.yaml')
    const only = listener(gatewayStatus(result, 'gateway-only-invalid-route-kind'), 'http')
    expect(only.supportedKinds).toEqual([])
    expect(summary(only.conditions).ResolvedRefs).toBe('False/InvalidRouteKinds')
    expect(only.attachedRoutes).toBe(0)

    const mixed = listener(gatewayStatus(result, 'gateway-supported-and-invalid-route-kind'), 'http')
    expect(mixed.supportedKinds).toEqual([HTTP_ROUTE_KIND])
    expect(summary(mixed.conditions).ResolvedRefs).toBe('False/InvalidRouteKinds')
    expect(mixed.attachedRoutes).toBe(0)
  })

  // conformance/tests/gateway-secret-missing-reference-grant.go
  it('GatewaySecretMissingReferenceGrant', () => {
    const https = listener(gatewayStatus(conformanceStatus('gateway-secret-missing-reference-grant.yaml'), 'gateway-secret-missing-reference-grant'), 'https')
    expect(https.supportedKinds).toEqual([HTTP_ROUTE_KIND])
    expect(summary(https.conditions).ResolvedRefs).toBe('False/RefNotPermitted')
    expect(https.attachedRoutes).toBe(0)
  })

  // conformance/tests/gateway-secret-reference-grant-all-in-namespace.go
  it('GatewaySecretReferenceGrantAllInNamespace', () => {
    const https = listener(gatewayStatus(conformanceStatus('gateway-secret-reference-grant-all-in-namespace.yaml'), 'gateway-secret-reference-grant-all-in-namespace'), 'https')
    expect(https.supportedKinds).toEqual([HTTP_ROUTE_KIND])
    expect(summary(https.conditions)).toMatchObject({Programmed: 'True/Programmed', ResolvedRefs: 'True/ResolvedRefs'})
    expect(https.attachedRoutes).toBe(0)
  })

  // conformance/tests/gateway-secret-reference-grant-specific.go
  it('GatewaySecretReferenceGrantSpecific', () => {
    const https = listener(gatewayStatus(conformanceStatus('gateway-secret-reference-grant-specific.yaml'), 'gateway-secret-reference-grant-specific'), 'https')
    expect(https.supportedKinds).toEqual([HTTP_ROUTE_KIND])
    expect(summary(https.conditions)).toMatchObject({Programmed: 'True/Programmed', ResolvedRefs: 'True/ResolvedRefs'})
    expect(https.attachedRoutes).toBe(0)
  })

  // conformance/tests/gateway-invalid-tls-configuration.go
  it('GatewayInvalidTLSConfiguration', () => {
    const result = conformanceStatus('gateway-invalid-tls-configuration.yaml')
    for (const name of ['gateway-certificate-nonexistent-secret', 'gateway-certificate-unsupported-group', 'gateway-certificate-unsupported-kind', 'gateway-certificate-malformed-secret']) {
      const https = listener(gatewayStatus(result, name), 'https')
      expect(https.supportedKinds, name).toEqual([HTTP_ROUTE_KIND])
      expect(summary(https.conditions).ResolvedRefs, name).toBe('False/InvalidCertificateRef')
      expect(https.attachedRoutes, name).toBe(0)
    }
  })

  // conformance/tests/gateway-with-attached-routes.go
  it('GatewayWithAttachedRoutes', () => {
    const result = conformanceStatus('gateway-with-attached-routes.yaml')
    const one = listener(gatewayStatus(result, 'gateway-with-one-attached-route'), 'http')
    expect(one.supportedKinds).toEqual([HTTP_ROUTE_KIND])
    expect(summary(one.conditions)).toMatchObject({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
    expect(one.attachedRoutes).toBe(1)

    const two = listener(gatewayStatus(result, 'gateway-with-two-attached-routes'), 'http')
    expect(summary(two.conditions)).toMatchObject({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
    expect(two.attachedRoutes).toBe(2)
    expect(summary(parentFor(result, 'http-route-not-accepted', 'gateway-with-two-attached-routes').conditions).Accepted).toBe('False/NoMatchingListenerHostname')

    // AttachedRoutes is set even when the Gateway has unresolved refs.
    const tls = listener(gatewayStatus(result, 'unresolved-gateway-with-one-attached-unresolved-route'), 'tls')
    expect(tls.supportedKinds).toEqual([HTTP_ROUTE_KIND])
    expect(summary(tls.conditions).Programmed).toMatch(/^False\//)
    expect(summary(tls.conditions).ResolvedRefs).toMatch(/^False\//)
    expect(tls.attachedRoutes).toBe(1)
    expect(summary(parentFor(result, 'http-route-4', 'unresolved-gateway-with-one-attached-unresolved-route').conditions).ResolvedRefs).toMatch(/^False\//)
  })

  // conformance/tests/gateway-with-attached-routes.go (second test in the file)
  it('GatewayWithAttachedRoutesWithPort8080', () => {
    const status = gatewayStatus(conformanceStatus('gateway-with-attached-routes-with-port-8080.yaml'), 'gateway-with-two-listeners-and-one-attached-route')
    for (const [name, routes] of [['http-unattached', 0], ['http', 1]] as const) {
      const l = listener(status, name)
      expect(l.supportedKinds).toEqual([HTTP_ROUTE_KIND])
      expect(summary(l.conditions)).toMatchObject({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
      expect(l.attachedRoutes, name).toBe(routes)
    }
  })

  // conformance/tests/httproute-invalid-cross-namespace-parent-ref.go
  it('HTTPRouteInvalidCrossNamespaceParentRef', () => {
    const result = conformanceStatus('httproute-invalid-cross-namespace-parent-ref.yaml')
    const parent = parentFor(result, 'invalid-cross-namespace-parent-ref', 'same-namespace', WEB)
    expect(summary(parent.conditions)).toEqual({Accepted: 'False/NotAllowedByListeners', ResolvedRefs: 'True/ResolvedRefs'})
    expect(routeParents(result, 'invalid-cross-namespace-parent-ref', WEB).some((p) => summary(p.conditions).Accepted?.startsWith('True'))).toBe(false)
    expect(listener(gatewayStatus(result, 'same-namespace'), 'http').attachedRoutes).toBe(0)
  })

  // conformance/tests/httproute-invalid-parentref-not-matching-listener-port.go
  it('HTTPRouteInvalidParentRefNotMatchingListenerPort', () => {
    const result = conformanceStatus('httproute-invalid-parentref-not-matching-listener-port.yaml')
    const parent = parentFor(result, 'httproute-listener-not-matching-route-port', 'same-namespace')
    expect(summary(parent.conditions)).toEqual({Accepted: 'False/NoMatchingParent', ResolvedRefs: 'True/ResolvedRefs'})
    expect(parent.parentRef).toEqual({group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: INFRA, name: 'same-namespace', port: 81})
    expect(listener(gatewayStatus(result, 'same-namespace'), 'http').attachedRoutes).toBe(0)
  })

  // conformance/tests/httproute-invalid-parentref-not-matching-section-name.go
  it('HTTPRouteInvalidParentRefNotMatchingSectionName', () => {
    const result = conformanceStatus('httproute-invalid-parentref-not-matching-section-name.yaml')
    expect(summary(parentFor(result, 'httproute-listener-not-matching-section-name', 'same-namespace').conditions).Accepted).toBe('False/NoMatchingParent')
    expect(listener(gatewayStatus(result, 'same-namespace'), 'http').attachedRoutes).toBe(0)
  })

  // conformance/tests/httproute-invalid-cross-namespace-backend-ref.go
  it('HTTPRouteInvalidCrossNamespaceBackendRef', () => {
    const result = conformanceStatus('httproute-invalid-cross-namespace-backend-ref.yaml')
    const parent = parentFor(result, 'invalid-cross-namespace-backend-ref', 'same-namespace')
    expect(parent.controllerName).toBe(CONTROLLER_NAME)
    expect(summary(parent.conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'False/RefNotPermitted'})
  })

  // conformance/tests/httproute-invalid-backendref-unknown-kind.go
  it('HTTPRouteInvalidBackendRefUnknownKind', () => {
    const parent = parentFor(conformanceStatus('httproute-invalid-backendref-unknown-kind.yaml'), 'invalid-backend-ref-unknown-kind', 'same-namespace')
    expect(summary(parent.conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'False/InvalidKind'})
  })

  // conformance/tests/httproute-invalid-nonexistent-backendref.go
  it('HTTPRouteInvalidNonExistentBackendRef', () => {
    const parent = parentFor(conformanceStatus('httproute-invalid-nonexistent-backendref.yaml'), 'invalid-nonexistent-backend-ref', 'same-namespace')
    expect(summary(parent.conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'False/BackendNotFound'})
  })

  // conformance/tests/httproute-invalid-reference-grant.go: seven grants, each wrong in one field.
  it('HTTPRouteInvalidReferenceGrant', () => {
    const parent = parentFor(conformanceStatus('httproute-invalid-reference-grant.yaml'), 'reference-grant', 'same-namespace')
    expect(summary(parent.conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'False/RefNotPermitted'})
  })

  // conformance/tests/httproute-partially-invalid-via-invalid-reference-grant.go
  it('HTTPRoutePartiallyInvalidViaInvalidReferenceGrant', () => {
    const parent = parentFor(conformanceStatus('httproute-partially-invalid-via-invalid-reference-grant.yaml'), 'invalid-reference-grant', 'same-namespace')
    expect(summary(parent.conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'False/RefNotPermitted'})
    // The grant covers app-backend-v1 (rule 1), not app-backend-v2 (rule 0): only rule 0's ref is named.
    const message = parent.conditions.find((c) => c.type === 'ResolvedRefs')!.message
    expect(message).toContain('spec.rules[0].backendRefs[0]')
    expect(message).not.toContain('spec.rules[1]')
  })

  // conformance/tests/httproute-reference-grant.go
  it('HTTPRouteReferenceGrant', () => {
    const parent = parentFor(conformanceStatus('httproute-reference-grant.yaml'), 'reference-grant', 'same-namespace')
    expect(summary(parent.conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
  })

  // conformance/tests/httproute-cross-namespace.go: the backend-namespaces Gateway selects namespaces by label.
  it('HTTPRouteCrossNamespace', () => {
    const result = conformanceStatus('httproute-cross-namespace.yaml')
    expect(summary(parentFor(result, 'cross-namespace', 'backend-namespaces', WEB).conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
    expect(listener(gatewayStatus(result, 'backend-namespaces'), 'http').attachedRoutes).toBe(1)
  })

  // conformance/tests/httproute-disallowed-kind.go
  it('HTTPRouteDisallowedKind', () => {
    const result = conformanceStatus('httproute-disallowed-kind.yaml')
    expect(summary(parentFor(result, 'disallowed-kind', 'tlsroutes-only').conditions)).toEqual({Accepted: 'False/NotAllowedByListeners', ResolvedRefs: 'True/ResolvedRefs'})
    expect(gatewayStatus(result, 'tlsroutes-only').listeners.every((l) => l.attachedRoutes === 0)).toBe(true)
  })

  // conformance/tests/httproute-hostname-intersection.go
  it('HTTPRouteHostnameIntersection', () => {
    const result = conformanceStatus('httproute-hostname-intersection.yaml')
    for (const route of ['specific-host-matches-listener-specific-host', 'specific-host-matches-listener-wildcard-host', 'wildcard-host-matches-listener-specific-host', 'wildcard-host-matches-listener-wildcard-host']) {
      expect(summary(parentFor(result, route, 'httproute-hostname-intersection').conditions), route).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
    }
    const none = routeParents(result, 'no-intersecting-hosts')
    expect(none).toHaveLength(1)
    expect(none[0]!.parentRef).toEqual({group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: INFRA, name: 'httproute-hostname-intersection'})
    expect(none[0]!.controllerName).toBe(CONTROLLER_NAME)
    expect(summary(none[0]!.conditions).Accepted).toBe('False/NoMatchingListenerHostname')

    // "HTTPRoutes have to be counted in AttachedRoutes only if they are Accepted"
    const gw = gatewayStatus(result, 'httproute-hostname-intersection')
    expect(gw.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['listener-1', 2],
      ['listener-2', 1],
      ['listener-3', 1],
    ])
    for (const l of gw.listeners) expect(summary(l.conditions)).toMatchObject({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})

    expect(summary(parentFor(result, 'httproute-hostname-intersection-all', 'httproute-hostname-intersection-all').conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
  })

  // conformance/tests/httproute-listener-hostname-matching.go
  it('HTTPRouteListenerHostnameMatching', () => {
    const result = conformanceStatus('httproute-listener-hostname-matching.yaml')
    for (const route of ['backend-v1', 'backend-v2']) {
      expect(summary(parentFor(result, route, 'httproute-listener-hostname-matching').conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
    }
    // backend-v3 names listener-3 and listener-4: one parent status per parentRef, both accepted.
    const v3 = routeParents(result, 'backend-v3')
    expect(v3.map((p) => [p.parentRef.sectionName, summary(p.conditions).Accepted])).toEqual([
      ['listener-3', 'True/Accepted'],
      ['listener-4', 'True/Accepted'],
    ])
    expect(gatewayStatus(result, 'httproute-listener-hostname-matching').listeners.map((l) => l.attachedRoutes)).toEqual([1, 1, 1, 1])
  })

  // conformance/tests/gateway-http-listener-isolation.go: every route Accepted with ResolvedRefs.
  it('GatewayHTTPListenerIsolation', () => {
    const result = conformanceStatus(['gateway-http-listener-isolation.yaml', 'gateway-http-listener-isolation-with-hostname-intersection.yaml'])
    const routes = result.items.filter((i) => i.kind === 'HTTPRoute')
    expect(routes.length).toBe(8)
    for (const item of routes) {
      if (item.kind !== 'HTTPRoute') continue
      for (const parent of item.status.parents) expect(summary(parent.conditions), item.object.meta.name).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
    }
    // Each route names its listener by sectionName: one route per listener.
    for (const name of ['http-listener-isolation', 'http-listener-isolation-with-hostname-intersection']) {
      expect(gatewayStatus(result, name).listeners.map((l) => l.attachedRoutes), name).toEqual([1, 1, 1, 1])
    }
  })
  // conformance/tests/gateway-invalid-listeners-unsupported-protocol.go
  it('GatewayListenerUnsupportedProtocol', () => {
    const result = conformanceStatus('gateway-invalid-listeners-unsupported-protocol.yaml')
    const only = gatewayStatus(result, 'gateway-only-unsupported-protocols')
    expect(summary(only.conditions).Accepted).toBe('False/ListenersNotValid')
    expect(only.listeners.map((l) => [l.name, l.supportedKinds, summary(l.conditions).Accepted, l.attachedRoutes])).toEqual([['invalid', [], 'False/UnsupportedProtocol', 0]])

    const mixed = gatewayStatus(result, 'gateway-supported-and-unsupported-protocols')
    expect(summary(mixed.conditions).Accepted).toBe('True/ListenersNotValid')
    expect(mixed.listeners.map((l) => [l.name, l.supportedKinds, summary(l.conditions).Accepted, l.attachedRoutes])).toEqual([
      ['http', [HTTP_ROUTE_KIND], 'True/Accepted', 0],
      ['invalid', [], 'False/UnsupportedProtocol', 0],
    ])
  })

  // conformance/tests/gateway-secret-invalid-reference-grant.go: four grants, each wrong in one field.
  it('GatewaySecretInvalidReferenceGrant', () => {
    const https = listener(gatewayStatus(conformanceStatus('gateway-secret-invalid-reference-grant.yaml'), 'gateway-secret-invalid-reference-grant'), 'https')
    expect(https.supportedKinds).toEqual([HTTP_ROUTE_KIND])
    expect(summary(https.conditions).ResolvedRefs).toBe('False/RefNotPermitted')
    expect(https.attachedRoutes).toBe(0)
  })

  // conformance/tests/httproute-invalid-parentref-section-name-not-matching-port.go
  it('HTTPRouteInvalidParentRefSectionNameNotMatchingPort', () => {
    const result = conformanceStatus('httproute-invalid-parentref-section-name-not-matching-port.yaml')
    expect(summary(parentFor(result, 'httproute-listener-section-name-not-matching-port', 'gateway-with-one-not-matching-port-and-section-name-route').conditions).Accepted).toBe('False/NoMatchingParent')
    expect(listener(gatewayStatus(result, 'gateway-with-one-not-matching-port-and-section-name-route'), 'http').attachedRoutes).toBe(0)
  })

  // conformance/tests/httproute-listener-port-matching.go: parentRef.port picks every listener on that port.
  it('HTTPRouteListenerPortMatching', () => {
    const result = conformanceStatus('httproute-listener-port-matching.yaml')
    for (const route of ['backend-v1', 'backend-v2', 'backend-v3']) {
      expect(summary(parentFor(result, route, 'httproute-listener-port-matching').conditions), route).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
    }
    expect(gatewayStatus(result, 'httproute-listener-port-matching').listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['listener-1', 1],
      ['listener-2', 1],
      ['listener-3', 1],
      ['listener-4', 1],
      ['listener-5', 0], // backend-v3 names port 8090 and sectionName listener-4: both must match
    ])
  })

  // conformance/tests/httproute-omitted-backendrefs.go: rules without backendRefs resolve (they answer 500).
  it('HTTPRouteNoBackendRefs', () => {
    expect(summary(parentFor(conformanceStatus('httproute-omitted-backendrefs.yaml'), 'omitted-backendrefs', 'same-namespace').conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
  })

  // conformance/tests/httproute-simple-same-namespace.go
  it('HTTPRouteSimpleSameNamespace', () => {
    const result = conformanceStatus('httproute-simple-same-namespace.yaml')
    expect(summary(parentFor(result, 'gateway-conformance-infra-test', 'same-namespace').conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
    expect(summary(gatewayStatus(result, 'same-namespace').conditions)).toEqual({Accepted: 'True/Accepted', Programmed: 'True/Programmed'})
  })

  // conformance/tests/httproute-multiple-gateways.go: one route, two parents, both accepted.
  it('HTTPRouteMultipleGateways', () => {
    const result = conformanceStatus('httproute-multiple-gateways.yaml')
    for (const [route, gateway] of [
      ['multiple-gateways-shared-route', 'same-namespace'],
      ['same-namespace-dedicated-route', 'same-namespace'],
      ['multiple-gateways-shared-route', 'all-namespaces'],
      ['all-namespaces-dedicated-route', 'all-namespaces'],
    ] as const) {
      expect(summary(parentFor(result, route, gateway).conditions), `${route} → ${gateway}`).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
    }
    expect(listener(gatewayStatus(result, 'same-namespace'), 'http').attachedRoutes).toBe(2)
    expect(listener(gatewayStatus(result, 'all-namespaces'), 'http').attachedRoutes).toBe(2)
  })

  // conformance/tests/httproute-named-rule.go
  it('HTTPRouteNamedRule', () => {
    expect(summary(parentFor(conformanceStatus('httproute-named-rule.yaml'), 'http-named-rules', 'same-namespace').conditions)).toEqual({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
  })

  // conformance/tests/gateway-name-maximum-length.go: a 253-character name is reconciled; every condition carries the latest generation.
  it('GatewayNameMaximumLength', () => {
    const result = conformanceStatus('gateway-name-maximum-length.yaml')
    const name = 'gateway-name-maximum-length-' + 'a'.repeat(253 - 'gateway-name-maximum-length-'.length)
    const status = gatewayStatus(result, name)
    expect(summary(status.conditions)).toEqual({Accepted: 'True/Accepted', Programmed: 'True/Programmed'})
    const item = result.items.find((i) => i.kind === 'Gateway' && i.object.meta.name === name)!
    for (const c of [...status.conditions, ...status.listeners.flatMap((l) => l.conditions)]) expect(c.observedGeneration).toBe(item.object.generation ?? undefined)
  })

  // conformance/tests/gateway-invalid-parameters-ref.go: a parametersRef that does not resolve: Accepted False, InvalidParameters.
  it('GatewayInvalidParametersRef', () => {
    const result = conformanceStatus('gateway-invalid-parameters-ref.yaml')
    expect(summary(gatewayStatus(result, 'gateway-invalid-parameters-ref').conditions).Accepted).toBe('False/InvalidParameters')
    expect(result.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({severity: 'warning', field: 'spec.infrastructure.parametersRef'})]))
  })

  // conformance/tests/gateway-static-addresses.go: the suite's three stages, each patch removing one
  // address. Usable here is a loopback address, unusable one outside 127.0.0.0/8 (TEST-NET-1).
  describe('GatewayStaticAddresses', () => {
    const INVALID = /^  - type: "test\/fake-invalid-type"\n    value: .*\n/m
    const UNUSABLE = /^  - value: "PLACEHOLDER_UNUSABLE_ADDRS"\n/m
    const stage = (without: readonly RegExp[]) => {
      let yaml = readFileSync(join(CONFORMANCE, 'gateway-static-addresses.yaml'), 'utf8')
      for (const entry of without) yaml = yaml.replace(entry, '')
      yaml = yaml.replace('PLACEHOLDER_UNUSABLE_ADDRS', '192.0.2.10').replace('PLACEHOLDER_USABLE_ADDRS', '127.0.0.77')
      const {snapshot} = snapshotFrom({'base.yaml': readFileSync(join(CONFORMANCE, 'base.yaml'), 'utf8'), 'static.yaml': yaml})
      return computeStatus(snapshot, {addresses: defaultGatewayAddresses(compileGatewayTable(snapshot), 'linux')})
    }

    it('an address of a type kingress does not support: Accepted False, UnsupportedAddress, and `up` does not serve it', () => {
      const result = stage([])
      const status = gatewayStatus(result, 'gateway-static-addresses')
      expect(summary(status.conditions).Accepted).toBe('False/UnsupportedAddress')
      expect(status.addresses).toBeUndefined()
      expect(result.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({severity: 'warning', field: 'spec.addresses[0]'})]))
    })

    it('without it: Accepted, but not Programmed (AddressNotUsable), the unusable address not in status.addresses', () => {
      const status = gatewayStatus(stage([INVALID]), 'gateway-static-addresses')
      expect(summary(status.conditions)).toEqual({Accepted: 'True/Accepted', Programmed: 'False/AddressNotUsable'})
      expect(status.conditions[1]!.message).toContain('spec.addresses[0] 192.0.2.10 (it is not a loopback address')
      expect(status.addresses).toEqual([{type: 'IPAddress', value: '127.0.0.77'}])
    })

    it('only the usable address: Accepted, Programmed, status.addresses that address alone; the listener Accepted with ResolvedRefs', () => {
      const status = gatewayStatus(stage([INVALID, UNUSABLE]), 'gateway-static-addresses')
      expect(summary(status.conditions)).toEqual({Accepted: 'True/Accepted', Programmed: 'True/Programmed'})
      expect(status.addresses).toEqual([{type: 'IPAddress', value: '127.0.0.77'}])
      const http = listener(status, 'http')
      expect(summary(http.conditions)).toMatchObject({Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs'})
      expect(http.supportedKinds).toEqual([HTTP_ROUTE_KIND])
      expect(http.attachedRoutes).toBe(0)
    })
  })

  // conformance/tests/gateway-optional-address-value.go: an IPAddress without a value; the Gateway gets an address all the same.
  it('GatewayOptionalAddressValue', () => {
    const read = (f: string) => readFileSync(join(CONFORMANCE, f), 'utf8')
    const {snapshot} = snapshotFrom({'base.yaml': read('base.yaml'), 'optional.yaml': read('gateway-optional-address-value.yaml')})
    const addresses = defaultGatewayAddresses(compileGatewayTable(snapshot), 'linux')
    const status = gatewayStatus(computeStatus(snapshot, {addresses}), 'gateway-without-address-value')
    expect(summary(status.conditions)).toEqual({Accepted: 'True/Accepted', Programmed: 'True/Programmed'})
    expect(status.addresses).toEqual([{type: 'IPAddress', value: addresses.get(`${INFRA}/gateway-without-address-value`)}])
    expect(status.addresses![0]!.value).toMatch(/^127\.0\.0\.\d+$/)
  })
})
