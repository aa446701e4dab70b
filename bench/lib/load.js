// The load generators: wrk (HTTP/1.1, closed loop), h2load (HTTP/2 over TLS, and TLS handshakes),
// and wrk again at a steady request rate (paced), plus the interleaving of rounds.
import {execFile, execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {median} from './proc.js'

const PACED_SCRIPT = fileURLToPath(new URL('./paced.lua', import.meta.url))

function toMs(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text)
  if (!m) return NaN
  const v = Number(m[1])
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v
}

/** What a `wrk --latency` run printed: requests/s, latency percentiles, errors. */
function parseWrk(out) {
  const sockets = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    p99: toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0'),
    socketErrors: /Socket errors: (.*)/.exec(out)?.[1] ?? null,
    socketErrorCount: sockets ? sockets.slice(1).reduce((n, x) => n + Number(x), 0) : 0,
    requests: Number(/(\d+) requests in /.exec(out)?.[1]),
  }
}

/** One wrk run: requests/s, latency percentiles, errors. */
export function wrk(port, {seconds, connections = 64, threads = 1, host, path = '/', headers = []}) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`]
  for (const h of headers) args.push('-H', h)
  return parseWrk(execFileSync('wrk', [...args, `http://127.0.0.1:${port}${path}`], {encoding: 'utf8', timeout: (seconds + 30) * 1000}))
}

function parseH2load(out) {
  const finished = /finished in ([\d.]+)(ms|s), ([\d.]+) req\/s/.exec(out)
  const requests = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out)
  const ok = Number(/status codes: (\d+) 2xx/.exec(out)?.[1] ?? 0)
  const seconds = finished ? Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1) : NaN
  return {seconds, rps: finished ? Number(finished[3]) : NaN, succeeded: requests ? Number(requests[4]) : 0, failed: requests ? Number(requests[5]) + Number(requests[6]) : NaN, ok}
}

/** h2load over TLS (ALPN h2) for `seconds`: `clients` connections × `streams` concurrent streams. */
export function h2load(port, {seconds, clients = 16, streams = 10, host}) {
  const out = execFileSync('h2load', ['-t1', `-c${clients}`, `-m${streams}`, `-D${seconds}`, `--connect-to=127.0.0.1:${port}`, `https://${host}:${port}/`], {encoding: 'utf8', timeout: (seconds + 30) * 1000})
  return parseH2load(out)
}

/**
 * New TLS connections per second: `count` clients open at once, each does a full handshake (no
 * session resumption across h2load's clients) and one request, then is done. The time covers
 * TCP connect, handshake and that one request, the way a burst of new clients arrives.
 */
export function handshakes(port, {count, host}) {
  const out = execFileSync('h2load', ['-t1', `-c${count}`, `-n${count}`, '-m1', `--connect-to=127.0.0.1:${port}`, `https://${host}:${port}/`], {encoding: 'utf8', timeout: 60_000})
  const r = parseH2load(out)
  return {...r, perSecond: r.ok / r.seconds}
}

/**
 * Latency at a steady request rate over `connections` keep-alive connections, from wrk: each
 * connection waits a random gap (exponential, bench/lib/paced.lua) before each request, so the
 * requests arrive as a Poisson stream of about `rate` per second (the rate reached is returned;
 * it is a little lower, since a connection also waits for each answer). The client is wrk, not a
 * Node process: on the 2-core machines this bench runs on, a Node client read its own direct p99
 * at 4-48 ms, so it measured itself. Timed from the send, as wrk does: a connection waiting for
 * an answer sends nothing more, but at this rate each is idle more than 90 % of the time, so the
 * others keep sending through a proxy stall and their requests show it.
 */
export function paced(port, {seconds, rate, host, connections = 64}) {
  if (!Number.isInteger(seconds)) throw new Error(`paced: wrk takes whole seconds, not ${seconds}`)
  const gapMs = (connections * 1000) / rate
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`, '-s', PACED_SCRIPT, `http://127.0.0.1:${port}/`]
  return new Promise((resolve, reject) => {
    execFile('wrk', args, {encoding: 'utf8', timeout: (seconds + 30) * 1000, env: {...process.env, PACED_GAP_MS: String(gapMs)}}, (error, out) => {
      if (error) return reject(error)
      const r = parseWrk(out)
      resolve({p50: r.p50, p99: r.p99, rps: r.rps, errors: r.non2xx + r.socketErrorCount})
    })
  })
}

/**
 * `rounds` rounds of A then B, B then A, ... (ABBA: neither side always runs second). The machine's
 * speed drifts within a run, so only the ratio of the two runs of one round is compared, and the
 * figure is the median of those ratios. `ratio(a, b)` says what is compared.
 */
export async function interleave(rounds, runA, runB, ratio, describe) {
  const as = []
  const bs = []
  const ratios = []
  for (let round = 1; round <= rounds; round++) {
    const aFirst = round % 2 === 1
    let a, b
    if (aFirst) {
      a = await runA()
      b = await runB()
    } else {
      b = await runB()
      a = await runA()
    }
    as.push(a)
    bs.push(b)
    ratios.push(ratio(a, b))
    if (describe) console.log(`    round ${round}/${rounds}: ${describe(a, b)}`)
  }
  return {a: as, b: bs, ratios, median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios)}
}
