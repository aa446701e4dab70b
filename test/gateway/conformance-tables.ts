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
