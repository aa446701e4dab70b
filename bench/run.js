#!/usr/bin/env node
// `npm run bench`: requests/s and latency of a 100-byte upstream reached directly, through nginx
// (when installed) and through `kingress up` (with --no-dashboard, then with its dashboard drawn in
// a tmux pseudo-terminal when tmux is installed), with the same load generator (wrk), 64 keep-alive
// connections, on loopback. Installs nothing; says what it skips. Bounded: about two minutes in all.
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, request} from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10)
const WARMUP_S = 3
const CONNECTIONS = 64
const THREADS = Number(process.env.BENCH_THREADS ?? 1)
const HOST = 'bench.test'
const PACED_RATE = Number(process.env.BENCH_RATE ?? 2000)
const PACED_SECONDS = 5
const children = new Set()
// kingress up mints certificates at start: keep them (and its CA) out of the user's own KINGRESS_HOME.
const KINGRESS_HOME = mkdtempSync(join(tmpdir(), 'kingress-bench-home-'))

function which(command) {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], {encoding: 'utf8'}).trim() || null
  } catch {
    return null
  }
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address()
      server.close(() => resolve(port))
    })
  })
}

function start(command, args, options = {}) {
  const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe'], ...options})
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

function stop(child) {
  if (!child || child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', resolve)
    child.kill('SIGTERM')
    setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref()
  })
}

/** Polls until a GET answers 200 (at most 15 s). */
async function waitFor(port, host = HOST) {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const req = request({host: '127.0.0.1', port, path: '/', headers: {host}, agent: false}, (res) => {
        res.resume()
        resolve(res.statusCode === 200)
      })
      req.on('error', () => resolve(false))
      req.setTimeout(1000, () => req.destroy())
      req.end()
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`nothing answered 200 on port ${port} within 15 s`)
}

function toMs(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text)
  if (!m) return NaN
  const v = Number(m[1])
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v
}

function wrk(port, seconds) {
  const out = execFileSync('wrk', [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-H', `Host: ${HOST}`, `http://127.0.0.1:${port}/`], {encoding: 'utf8', timeout: (seconds + 30) * 1000})
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '')
  const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '')
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0'
  const socketErrors = /Socket errors: (.*)/.exec(out)?.[1] ?? null
  const requests = Number(/(\d+) requests in /.exec(out)?.[1])
  return {rps, p50, p99, non2xx: Number(errors), socketErrors, requests}
}

/** CPU time (user + system, ms) the process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return NaN
  }
}

/** The pid of the node process serving `--http-port port` (inside tmux's shell). */
function pidServing(port) {
  const out = execFileSync('pgrep', ['-f', '--', `--http-port ${port} `], {encoding: 'utf8'}).trim().split('\n')
  return Number(out.find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node'))
}

/** Requests/s and kingress's CPU per request for one wrk run. */
function loadRound(port, pid) {
  const before = cpuMs(pid)
  const r = wrk(port, ROUND_SECONDS)
  return {rps: r.rps, cpuUsPerRequest: ((cpuMs(pid) - before) * 1000) / r.requests}
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/**
 * Latency at a fixed request rate (64 connections, PACED_RATE requests/s in all), timed from when each
 * request was due, so a stall counts against the target (no coordinated omission). Unlike wrk's
 * closed loop, this shows what one proxy hop adds when the proxy is not saturated.
 */
async function paced(port, seconds = PACED_SECONDS) {
  const {Pool} = await import('undici')
  const pool = new Pool(`http://127.0.0.1:${port}`, {connections: CONNECTIONS})
  const total = PACED_RATE * seconds
  const interval = 1000 / PACED_RATE
  const latencies = []
  let errors = 0
  const start = performance.now()
  await new Promise((resolve) => {
    let issued = 0
    let done = 0
    const finish = (due) => {
      latencies.push(performance.now() - due)
      if (++done === total) resolve()
    }
    const tick = () => {
      const due = Math.floor((performance.now() - start) / interval)
      while (issued < total && issued <= due) {
        const intended = start + issued * interval
        issued++
        pool
          .request({path: '/', method: 'GET', headers: {host: HOST}})
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

async function measure(name, port) {
  process.stdout.write(`  ${name}: warming up ${WARMUP_S}s, measuring ${DURATION_S}s ... `)
  wrk(port, WARMUP_S)
  const r = wrk(port, DURATION_S)
  process.stdout.write(`${Math.round(r.rps)} req/s; at ${PACED_RATE} req/s ... `)
  await paced(port, 1) // warm-up: connections and JIT, discarded
  r.paced = await paced(port)
  process.stdout.write(`p99 ${r.paced.p99.toFixed(2)} ms\n`)
  return r
}

function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024
  } catch {
    try {
      return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], {encoding: 'utf8'}).trim()) / 1024
    } catch {
      return NaN
    }
  }
}

function nginxConfig(dir, listen, upstream) {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream bench { server 127.0.0.1:${upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${listen};
    server_name ${HOST};
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Real-IP $remote_addr;
    }
  }
}
`
}

function upArgs(port, httpsPort, upstreamPort) {
  return ['up', join(ROOT, 'bench', 'ingress.yaml'), '--http-port', String(port), '--https-port', String(httpsPort), '--bind', '127.0.0.1', '--backend', `bench-svc=127.0.0.1:${upstreamPort}`, '--no-docker']
}

function quote(word) {
  return `'${word.replaceAll("'", "'\\''")}'`
}

const DASHBOARD_ROUNDS = 6
const ROUND_SECONDS = 5

/**
 * The same `kingress up`, drawing its dashboard in a 120x40 tmux pseudo-terminal (as on a
 * developer's terminal: CI unset), so the cost of rendering under load is measured side by side.
 * A shared machine's speed drifts by tens of percent within a minute, so the ratio comes from
 * rounds that alternate between the plain `up` (still running on `plainPort`) and this one, and is
 * the median of the per-round ratios.
 */
async function withDashboard(upstreamPort, plainPort, plainPid) {
  const port = await freePort()
  const session = `kingress-bench-${process.pid}`
  const command = ['env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', 'NODE_ENV=production', 'TERM=xterm-256color', `KINGRESS_HOME=${KINGRESS_HOME}`, process.execPath, join(ROOT, 'bin', 'run.js'), ...upArgs(port, await freePort(), upstreamPort)].map(quote).join(' ')
  execFileSync('tmux', ['-L', session, 'new-session', '-d', '-s', session, '-x', '120', '-y', '40', command])
  try {
    await waitFor(port)
    await new Promise((r) => setTimeout(r, 1000))
    const screen = execFileSync('tmux', ['-L', session, 'capture-pane', '-p', '-t', session], {encoding: 'utf8'})
    if (!screen.includes('Routes')) throw new Error(`the dashboard is not on screen:\n${screen}`)
    const result = await measure('kingress up with the dashboard (tmux pty)', port)
    const dashboardPid = pidServing(port)
    const ratios = []
    const cpuRatios = []
    for (let round = 1; round <= DASHBOARD_ROUNDS; round++) {
      // ABBA order: whichever runs second in a round must not always be the same one.
      const dashboardFirst = round % 2 === 0
      const first = dashboardFirst ? loadRound(port, dashboardPid) : loadRound(plainPort, plainPid)
      const second = dashboardFirst ? loadRound(plainPort, plainPid) : loadRound(port, dashboardPid)
      const plain = dashboardFirst ? second : first
      const dashboard = dashboardFirst ? first : second
      ratios.push(dashboard.rps / plain.rps)
      cpuRatios.push(plain.cpuUsPerRequest / dashboard.cpuUsPerRequest)
      console.log(
        `  round ${round}/${DASHBOARD_ROUNDS}: --no-dashboard ${Math.round(plain.rps)} req/s, ${fmt(plain.cpuUsPerRequest)} µs CPU/request; ` +
          `dashboard ${Math.round(dashboard.rps)} req/s, ${fmt(dashboard.cpuUsPerRequest)} µs CPU/request`,
      )
    }
    result.ratioMedian = median(ratios)
    result.cpuRatioMedian = median(cpuRatios)
    result.ratios = ratios
    result.cpuRatios = cpuRatios
    return result
  } finally {
    try {
      execFileSync('tmux', ['-L', session, 'send-keys', '-t', session, 'q'])
      const deadline = Date.now() + 10_000
      while (Date.now() < deadline && (await answers(port))) await new Promise((r) => setTimeout(r, 100))
    } catch {
      // already gone
    }
    try {
      execFileSync('tmux', ['-L', session, 'kill-server'], {stdio: 'ignore'})
    } catch {
      // no server left
    }
  }
}

function answers(port) {
  return new Promise((resolve) => {
    const req = request({host: '127.0.0.1', port, path: '/', headers: {host: HOST}, agent: false}, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('error', () => resolve(false))
    req.setTimeout(1000, () => req.destroy())
    req.end()
  })
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

function fmt(n, digits = 0) {
  return Number.isFinite(n) ? n.toFixed(digits) : '-'
}

async function main() {
  if (!which('wrk')) {
    console.error('bench: wrk is not installed (Debian/Ubuntu: sudo apt-get install -y wrk; macOS: brew install wrk). Nothing measured.')
    process.exitCode = 1
    return
  }
  if (!existsSync(join(ROOT, 'dist', 'commands', 'up.js'))) {
    console.log('bench: building kingress (npm run build) ...')
    execFileSync('npm', ['run', 'build'], {cwd: ROOT, stdio: 'inherit'})
  }
  console.log(`bench: wrk -t${THREADS} -c${CONNECTIONS}, ${DURATION_S}s per target, 100-byte responses, loopback`)
  const results = {}

  const upstreamPort = await freePort()
  const upstream = start(process.execPath, [join(ROOT, 'bench', 'upstream.js'), String(upstreamPort)])
  await waitFor(upstreamPort)
  results.direct = await measure('direct', upstreamPort)

  const nginx = which('nginx')
  if (nginx) {
    const dir = mkdtempSync(join(tmpdir(), 'kingress-bench-nginx-'))
    const port = await freePort()
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreamPort))
    const child = start(nginx, ['-c', join(dir, 'nginx.conf'), '-p', dir])
    await waitFor(port)
    results.nginx = await measure('nginx (1 worker, upstream keepalive)', port)
    await stop(child)
  } else {
    console.log('  nginx: not installed, skipped (sudo apt-get install -y nginx to compare)')
  }

  const devNull = openSync('/dev/null', 'w')
  // A first start creates the CA and mints certificates (node-forge, about 12 MB, stays loaded);
  // every later start finds them cached. Measured once, then the warm start is the one benchmarked.
  const coldPort = await freePort()
  const cold = start(process.execPath, [join(ROOT, 'bin', 'run.js'), ...upArgs(coldPort, await freePort(), upstreamPort), '--no-dashboard'], {
    stdio: ['ignore', devNull, 'ignore'],
    env: {...process.env, NODE_ENV: 'production', KINGRESS_HOME},
  })
  await waitFor(coldPort)
  await new Promise((r) => setTimeout(r, 1000))
  const coldRss = rssMb(cold.pid)
  await stop(cold)

  const port = await freePort()
  const kingress = start(process.execPath, [join(ROOT, 'bin', 'run.js'), ...upArgs(port, await freePort(), upstreamPort), '--no-dashboard'], {
    stdio: ['ignore', devNull, 'pipe'],
    env: {...process.env, NODE_ENV: 'production', KINGRESS_HOME},
  })
  let stderr = ''
  kingress.stderr.on('data', (d) => (stderr += d))
  try {
    await waitFor(port)
  } catch (error) {
    console.error(`bench: kingress did not start: ${stderr}`)
    throw error
  }
  await new Promise((r) => setTimeout(r, 1000))
  const startupRss = rssMb(kingress.pid)
  // V8's memory reducer returns startup garbage after some idle seconds: what an idle `up` holds.
  await new Promise((r) => setTimeout(r, 10_000))
  const idleRss = rssMb(kingress.pid)
  results.kingress = await measure('kingress up --no-dashboard', port)
  const loadedRss = rssMb(kingress.pid)

  if (which('tmux')) {
    results.dashboard = await withDashboard(upstreamPort, port, kingress.pid)
  } else {
    console.log('  kingress up with the dashboard: tmux is not installed, skipped (sudo apt-get install -y tmux to measure it)')
  }
  await stop(kingress)
  await stop(upstream)

  const rows = [['target', 'req/s (wrk)', 'p50 ms', 'p99 ms', `p50 @${PACED_RATE}/s`, `p99 @${PACED_RATE}/s`]]
  for (const [name, r] of Object.entries(results)) rows.push([name, fmt(r.rps), fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.paced.p50, 2), fmt(r.paced.p99, 2)])
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  console.log('')
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
  const k = results.kingress
  const summary = {coldStartRssMb: coldRss, startupRssMb: startupRss, idleRssMb: idleRss, loadedRssMb: loadedRss, addedP99Ms: k.p99 - results.direct.p99, addedP99AtRateMs: k.paced.p99 - results.direct.paced.p99}
  console.log('')
  if (results.nginx) {
    summary.ratio = k.rps / results.nginx.rps
    console.log(`kingress/nginx throughput: ${fmt(summary.ratio, 2)}x (target >= 0.35)`)
  }
  console.log(`kingress p99 added over direct at ${PACED_RATE} req/s: ${fmt(summary.addedP99AtRateMs, 2)} ms (target < 2 ms); at saturation (wrk): ${fmt(summary.addedP99Ms, 2)} ms`)
  if (results.dashboard) {
    summary.dashboardRatio = results.dashboard.ratioMedian
    summary.dashboardCpuRatio = results.dashboard.cpuRatioMedian
    console.log(`kingress with the dashboard / --no-dashboard throughput: ${fmt(summary.dashboardRatio, 2)}x, median of ${DASHBOARD_ROUNDS} alternating rounds (target >= 0.90)`)
    console.log(`  the same as CPU per request (--no-dashboard / dashboard, what a CPU-bound proxy can serve): ${fmt(summary.dashboardCpuRatio, 2)}x (steadier than req/s on a shared machine)`)
  }
  console.log(`kingress RSS (certificates cached): 1 s after start ${fmt(startupRss, 1)} MB, idle ${fmt(idleRss, 1)} MB (target < 80), after load ${fmt(loadedRss, 1)} MB`)
  console.log(`kingress RSS of a first start (creates the CA, mints certificates): ${fmt(coldRss, 1)} MB`)
  for (const [name, r] of Object.entries(results)) {
    if (r.non2xx > 0 || r.socketErrors || r.paced.errors > 0) console.log(`warning: ${name}: ${r.non2xx} non-2xx responses${r.socketErrors ? `, socket errors: ${r.socketErrors}` : ''}${r.paced.errors ? `, ${r.paced.errors} failed paced requests` : ''}`)
  }
  mkdirSync(join(ROOT, 'bench', 'results'), {recursive: true})
  writeFileSync(join(ROOT, 'bench', 'results', `${new Date().toISOString().replaceAll(':', '-')}.json`), JSON.stringify({results, summary, threads: THREADS, connections: CONNECTIONS, seconds: DURATION_S}, null, 2))
}

process.on('SIGINT', () => {
  for (const child of children) child.kill('SIGKILL')
  process.exit(130)
})

main()
  .catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(async () => {
    await Promise.all([...children].map(stop))
    rmSync(KINGRESS_HOME, {recursive: true, force: true})
  })
