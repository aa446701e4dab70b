import type {RequestEvent} from '../../src/runtime/events.js'
import type {DashboardRequest, RouteRow} from '../../src/dashboard/types.js'

let counter = 0

export function request(overrides: Partial<DashboardRequest> = {}): DashboardRequest {
  counter++
  const base: RequestEvent = {
    time: Date.UTC(2024, 0, 1, 12, 0, 0),
    requestId: `req-${String(counter).padStart(4, '0')}`,
    method: 'GET',
    host: 'blue.example.com',
    path: '/',
    scheme: 'http',
    status: 200,
    bytes: 123,
    durationMs: 5,
    upstream: '127.0.0.1:8081',
    routeId: 0,
    service: 'webserver-blue-svc:80',
    error: null,
    upgrade: false,
  }
  return {...base, ...overrides}
}

export const ROWS: RouteRow[] = [
  {
    routeId: 0,
    host: 'blue.example.com',
    path: '/',
    pathType: 'Prefix',
    service: 'webserver-blue-svc:80',
    serviceKey: 'default/webserver-blue-svc:80',
    endpoints: [
      {name: 'blue-1', address: '127.0.0.1:8081', state: 'ready', reason: null},
      {name: 'blue-2', address: '127.0.0.1:8082', state: 'ready', reason: null},
    ],
  },
  {
    routeId: 1,
    host: 'green.example.com',
    path: '/api',
    pathType: 'Exact',
    service: 'webserver-green-svc:8080',
    serviceKey: 'default/webserver-green-svc:8080',
    endpoints: [{name: 'green-1', address: '127.0.0.1:9091', state: 'starting', reason: 'healthcheck is "starting"'}],
  },
]

/** Strips ANSI escapes. */
export function plain(text: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (text ?? '').replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '')
}

export const tick = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
