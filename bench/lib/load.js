// The load generators: wrk (HTTP/1.1, closed loop), h2load (HTTP/2 over TLS, and TLS handshakes),
// and a paced client of our own (fixed request rate), plus the interleaving of rounds.
import {execFileSync} from 'node:child_process'

import {median} from './proc.js'

function toMs(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text)
  if (!m) return NaN
  const v = Number(m[1])
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v
}

/** One wrk run: requests/s, latency percentiles, errors. */
export function wrk(port, {seconds, connections = 64, threads = 1, host, path = '/', headers = []}) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`]
  for (const h of headers) args.push('-H', h)
  const out = execFileSync('wrk', [...args, `http://127.0.0.1:${port}${path}`], {encoding: 'utf8', timeout: (seconds + 30) * 1000})
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    p99: toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0'),
    socketErrors: /Socket errors: (.*)/.exec(out)?.[1] ?? null,
    requests: Number(/(\d+) requests in /.exec(out)?.[1]),
  }
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

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/**
 * Latency at a fixed request rate over 64 keep-alive connections (wrk2 is not packaged on Debian):
 * each request is timed from when it was due, not from when it was sent, so a stall of the proxy
 * counts against it (no coordinated omission). One Node process drives it; at 2,000 req/s it is far
 * from saturated, so what it measures is what the hop adds, not the client's own queueing.
 */
export async function paced(port, {seconds, rate, host, connections = 64}) {
  const {Pool} = await import('undici')
  const pool = new Pool(`http://127.0.0.1:${port}`, {connections})
  const total = Math.round(rate * seconds)
  const interval = 1000 / rate
  const latencies = []
  let errors = 0
  const begin = performance.now()
  await new Promise((resolve) => {
    let issued = 0
    let done = 0
    const finish = (due) => {
      latencies.push(performance.now() - due)
      if (++done === total) resolve()
    }
    const tick = () => {
      const due = Math.floor((performance.now() - begin) / interval)
      while (issued < total && issued <= due) {
        const intended = begin + issued * interval
        issued++
        pool
          .request({path: '/', method: 'GET', headers: {host}})
          .then((res) => res.body.dump())
          .catch(() => errors++)
          .finally(() => finish(intended))
      }
      if (issued < total) setTimeout(tick, 1)
    }
    tick()
  })
  await pool.close()
  latencies.sort((a, b) => a - b)
  return {p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors}
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
