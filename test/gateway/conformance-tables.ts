/**
 * Request tables of upstream conformance tests that more than one kingress test asks (the pure
 * evaluation and the real proxy): facts from kubernetes-sigs/gateway-api conformance/tests/*.go.
 */

export interface TableRequest {
  readonly host: string
  readonly path: string
  readonly headers?: Record<string, string>
}

/** httproute-matching-across-routes.go (HTTPRouteMatchingAcrossRoutes): request → backend. */
export const MATCHING_ACROSS_ROUTES: ReadonlyArray<readonly [TableRequest, string]> = [
  [{host: 'example.com', path: '/'}, 'infra-backend-v1'],
  [{host: 'example.com', path: '/example'}, 'infra-backend-v1'],
  [{host: 'example.net', path: '/example'}, 'infra-backend-v1'],
  [{host: 'example.com', path: '/example', headers: {Version: 'one'}}, 'infra-backend-v1'],
  [{host: 'example.com', path: '/v2'}, 'infra-backend-v2'],
  [{host: 'example.net', path: '/v2'}, 'infra-backend-v1'],
  [{host: 'example.com', path: '/v2/example'}, 'infra-backend-v2'],
  [{host: 'example.com', path: '/', headers: {Version: 'two'}}, 'infra-backend-v2'],
]

/** httproute-redirect-path.go (HTTPRouteRedirectPath): path → status, Location. */
export const REDIRECT_PATH: ReadonlyArray<readonly [string, number, string]> = [
  ['/original-prefix/lemon', 302, 'http://example.com/replacement-prefix/lemon'],
  ['/full/path/original', 302, 'http://example.com/full-path-replacement'],
  ['/path-and-host', 302, 'http://example.org/replacement-prefix'],
  ['/path-and-status', 301, 'http://example.com/replacement-prefix'],
  ['/full-path-and-host', 302, 'http://example.org/replacement-full'],
  ['/full-path-and-status', 301, 'http://example.com/replacement-full'],
]

/**
 * httproute-https-listener-detect-misdirected-requests.go
 * (HTTPRouteHTTPSListenerDetectMisdirectedRequests), on base.yaml's Gateway
 * same-namespace-with-https-listener (four HTTPS listeners on 443: `https` without a hostname,
 * second-example.org, *.wildcard.org, fourth-example.wildcard.org, one route each, the fourth's to
 * infra-backend-v1): [TLS server name, Host, status, backend or null]. Upstream asks over HTTP/2.
 */
export const MISDIRECTED_REQUESTS: ReadonlyArray<readonly [string, string, number, string | null]> = [
  ['example.org', 'example.org', 200, 'infra-backend-v1'],
  ['example.org', 'second-example.org', 421, null],
  ['example.org', 'unknown-example.org', 404, null],
  ['second-example.org', 'second-example.org', 200, 'infra-backend-v2'],
  ['second-example.org', 'example.org', 421, null],
  ['second-example.org', 'unknown-example.org', 421, null],
  ['third-example.wildcard.org', 'third-example.wildcard.org', 200, 'infra-backend-v3'],
  ['third-example.wildcard.org', 'fith-example.wildcard.org', 200, 'infra-backend-v3'],
  ['third-example.wildcard.org', 'fourth-example.wildcard.org', 421, null],
  ['third-example.wildcard.org', 'second-example.org', 421, null],
  ['third-example.wildcard.org', 'unknown-example.org', 421, null],
  ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', 200, 'infra-backend-v1'],
  ['fourth-example.wildcard.org', 'fith-example.wildcard.org', 421, null],
  ['unknown-example.org', 'example.org', 200, 'infra-backend-v1'],
  ['unknown-example.org', 'unknown-example.org', 404, null],
]
