import {connect, type Socket} from 'node:net'

export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface RawResult {
  readonly responses: RawResponse[]
  /** Bytes after the last response that are no response (a desync shows here). */
  readonly garbage: string
  /** The proxy closed the connection (rather than the client giving up waiting). */
  readonly closed: boolean
  readonly raw: string
}

export interface RawOptions {
  /** Stop waiting once nothing arrived for this long (ms). */
  readonly quietMs?: number
  /** Upper bound for the whole exchange (ms). */
  readonly maxMs?: number
  /** Methods of the requests in order (HEAD responses have no body). */
  readonly methods?: readonly string[]
  /** Written after the first response arrives, on the same connection (a canary). */
  readonly then?: string | Buffer
  /** Stop as soon as this many responses were parsed. */
  readonly expect?: number
}

/** Opens a TCP connection to 127.0.0.1:port, writes `payload`, reads until close or quiet. */
export function rawExchange(port: number, payload: string | Buffer | readonly (string | Buffer)[], options: RawOptions = {}): Promise<RawResult> {
  const quietMs = options.quietMs ?? 300
  const maxMs = options.maxMs ?? 5000
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1')
    let data = Buffer.alloc(0)
    let closed = false
    let sentThen = false
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      clearTimeout(quiet)
      clearTimeout(max)
      socket.destroy()
      const parsed = parseResponses(data, options.methods ?? [])
      resolve({...parsed, closed, raw: data.toString('latin1')})
    }
    let quiet = setTimeout(finish, quietMs)
    const max = setTimeout(finish, maxMs)
    socket.setNoDelay(true)
    socket.on('error', () => {
      closed = true
      finish()
    })
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk])
      clearTimeout(quiet)
      quiet = setTimeout(finish, quietMs)
      const count = parseResponses(data, options.methods ?? []).responses.length
      if (options.then !== undefined && !sentThen && count >= 1) {
        sentThen = true
        socket.write(options.then)
      }
      if (options.expect !== undefined && count >= options.expect) finish()
    })
    socket.on('end', () => {
      closed = true
      finish()
    })
    socket.on('connect', () => {
      for (const part of Array.isArray(payload) ? payload : [payload]) socket.write(part as string | Buffer)
    })
  })
}

/** Successive HTTP/1.1 responses in `data`: Content-Length, chunked, bodiless statuses and HEAD, else until close. */
export function parseResponses(data: Buffer, methods: readonly string[]): {responses: RawResponse[]; garbage: string} {
  const responses: RawResponse[] = []
  let at = 0
  for (let guard = 0; guard < 100 && at < data.length; guard++) {
    const end = data.indexOf('\r\n\r\n', at)
    if (end === -1) break
    const lines = data.toString('latin1', at, end).split('\r\n')
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!)
    if (status === null) break
    const headers: Record<string, string> = {}
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':')
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    const code = Number(status[1])
    let bodyStart = end + 4
    if (code >= 100 && code < 200 && code !== 101) {
      at = bodyStart
      continue
    }
    const method = methods[responses.length] ?? 'GET'
    let body = ''
    if (code === 101 || code === 204 || code === 304 || method === 'HEAD') {
      // no body
    } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      let p = bodyStart
      let complete = false
      for (let g = 0; g < 10_000; g++) {
        const eol = data.indexOf('\r\n', p)
        if (eol === -1) break
        const n = parseInt(data.toString('latin1', p, eol), 16)
        if (Number.isNaN(n)) break
        if (n === 0) {
          const close = data.indexOf('\r\n\r\n', eol)
          if (close === -1) break
          p = close + 4
          complete = true
          break
        }
        body += data.toString('utf8', eol + 2, eol + 2 + n)
        p = eol + 4 + n
      }
      if (!complete) break
      bodyStart = p
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length'])
      if (data.length < bodyStart + n) break
      body = data.toString('utf8', bodyStart, bodyStart + n)
      bodyStart += n
    } else {
      body = data.toString('utf8', bodyStart)
      bodyStart = data.length
    }
    responses.push({status: code, headers, body})
    at = bodyStart
  }
  return {responses, garbage: data.toString('latin1', at)}
}
