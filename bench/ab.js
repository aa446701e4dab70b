#!/usr/bin/env node
// A/B of two ways to start `kingress up` (node flags and environment), as interleaved rounds of
// HTTP/1.1 (wrk) and HTTP/2 over TLS (h2load), with RSS after each load. For choosing V8 and
// malloc settings:  node bench/ab.js '--max-semi-space-size=4' 'MALLOC_ARENA_MAX=2'  ['' '']
// (A: first pair, B: second pair, default: nothing; each pair is "node flags" "VAR=value ...").
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {startKingress} from './lib/kingress.js'
import {h2load, interleave, wrk} from './lib/load.js'
import {cpuMs, fmt, freePort, median, rssMb, start, stop, stopAll, waitFor, which} from './lib/proc.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const [aFlags = '', aEnv = '', bFlags = '', bEnv = ''] = process.argv.slice(2)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const HOST = 'bench.test'
const home = mkdtempSync(join(tmpdir(), 'kingress-ab-home-'))
const words = (s) => s.split(' ').filter(Boolean)
const envOf = (s) => Object.fromEntries(words(s).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))

try {
  const upstreamPort = await freePort()
  start(process.execPath, [join(ROOT, 'bench', 'upstream.js'), String(upstreamPort)])
  await waitFor(upstreamPort, HOST)
  const manifests = [join(ROOT, 'bench', 'ingress.yaml')]
  const common = {root: ROOT, home, manifests, upstreamPort, host: HOST}
  await stop((await startKingress(common)).child) // creates the CA: both sides start warm
  const a = await startKingress({...common, nodeArgs: words(aFlags), env: {KINGRESS_TUNED: '1', ...envOf(aEnv)}})
  const b = await startKingress({...common, nodeArgs: words(bFlags), env: {KINGRESS_TUNED: '1', ...envOf(bEnv)}})
  console.log(`A: ${aFlags} ${aEnv}  B: ${bFlags} ${bEnv}; idle RSS A ${fmt(rssMb(a.pid), 1)} MB, B ${fmt(rssMb(b.pid), 1)} MB`)
  // CPU time per request (from /proc) is far steadier than requests/s on a shared machine.
  const measured = (k, run) => {
    const before = cpuMs(k.pid)
    const x = run()
    return {...x, cpuUs: ((cpuMs(k.pid) - before) * 1000) / (x.requests ?? x.succeeded)}
  }
  const report = (name, res) => {
    const cpu = median(res.a.map((x, i) => res.b[i].cpuUs / x.cpuUs))
    console.log(`${name}: req/s A/B ${fmt(res.median, 3)}, CPU per request B/A ${fmt(cpu, 3)} (A ${fmt(median(res.a.map((x) => x.cpuUs)), 1)} µs, B ${fmt(median(res.b.map((x) => x.cpuUs)), 1)} µs); RSS after: A ${fmt(rssMb(a.pid), 1)} MB, B ${fmt(rssMb(b.pid), 1)} MB`)
  }
  const describe = (x, y) => `A ${fmt(x.rps)} req/s ${fmt(x.cpuUs, 1)} µs, B ${fmt(y.rps)} req/s ${fmt(y.cpuUs, 1)} µs`
  const h1 = (k) => measured(k, () => wrk(k.port, {seconds: SECONDS, host: HOST}))
  h1(a), h1(b)
  report('HTTP/1.1', await interleave(ROUNDS, () => h1(a), () => h1(b), (x, y) => x.rps / y.rps, describe))
  if (which('h2load')) {
    const h2 = (k) => measured(k, () => h2load(k.httpsPort, {seconds: SECONDS, host: HOST}))
    report('HTTP/2', await interleave(ROUNDS, () => h2(a), () => h2(b), (x, y) => x.rps / y.rps, describe))
  }
} finally {
  await stopAll()
  rmSync(home, {recursive: true, force: true})
}
