import {randomFillSync} from 'node:crypto'

// nginx's $request_id, which ingress-nginx sends as X-Request-ID when the client sent none
// (ngx_http_variables.c, ngx_http_variable_request_id): 16 random bytes as 32 lower-case hex digits.
const ID_BYTES = 16
const POOL_IDS = 256

const pool = Buffer.allocUnsafe(ID_BYTES * POOL_IDS)
let offset = pool.length

/** A fresh request id in nginx's format. Random bytes are drawn 4 KiB at a time, not per request. */
export function newRequestId(): string {
  if (offset === pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  const id = pool.toString('hex', offset, offset + ID_BYTES)
  offset += ID_BYTES
  return id
}
