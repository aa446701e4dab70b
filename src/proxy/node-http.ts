import {createRequire} from 'node:module'

/**
 * node:http, loaded the CommonJS way. An ESM import of node:http reads every export of the module,
 * and reading http.WebSocket (a lazy getter) loads Node's bundled copy of undici (fetch, WebSocket):
 * about 13 MB of memory the proxy never uses. Type-only imports from 'node:http' cost nothing.
 */
const http = createRequire(import.meta.url)('node:http') as typeof import('node:http')

export const {createServer, request, STATUS_CODES, validateHeaderName, validateHeaderValue} = http
/** The class, for `new`; its type is still `import type {ServerResponse} from 'node:http'`. */
export const ServerResponseClass = http.ServerResponse
