#!/usr/bin/env node
// A/B of two ways to start `kingress up` (node flags and environment, and optionally two builds),
// as interleaved rounds of HTTP/1.1 (wrk) and HTTP/2 over TLS (h2load), with RSS after each load:
//   node bench/ab.js '--max-semi-space-size=4' 'MALLOC_ARENA_MAX=2'  ['' '']
// (A: first pair, B: second pair, default: nothing; each pair is "node flags" "VAR=value ...").
// AB_ROOT_A and AB_ROOT_B name built checkouts to compare (default: this one for both).
//
// On this kind of shared 2-core machine the process started second served 3-20 % more requests/s
// than the first, whichever build it ran. So the comparison runs twice, A started first and then B
// started first, and the figure is the geometric mean of the two legs: a start-order effect that is
// the same both ways cancels out, and the legs' spread shows how far to trust the result.
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
const sides = {
  A: {root: process.env.AB_ROOT_A ?? ROOT, flags: aFlags, env: aEnv},
  B: {root: process.env.AB_ROOT_B ?? ROOT, flags: bFlags, env: bEnv},
}
const geomean = (x, y) => Math.sqrt(x * y)

try {
  const upstreamPort = await freePort()
  start(process.execPath, [join(ROOT, 'bench', 'upstream.js'), String(upstreamPort)])
  await waitFor(upstreamPort, HOST)
  const manifests = [join(ROOT, 'bench', 'ingress.yaml')]
  const common = {home, manifests, upstreamPort, host: HOST}
  const launch = (side) => startKingress({...common, root: side.root, nodeArgs: words(side.flags), env: {KINGRESS_TUNED: '1', ...envOf(side.env)}})
  await stop((await startKingress({...common, root: sides.A.root})).child) // creates the CA: every start is warm
  for (const name of ['A', 'B']) console.log(`${name}: ${sides[name].root} ${sides[name].flags} ${sides[name].env}`)

  // CPU time per request (from /proc) is far steadier than requests/s on a shared machine.
  const measured = (k, run) => {
    const before = cpuMs(k.pid)
    const x = run()
    return {...x, cpuUs: ((cpuMs(k.pid) - before) * 1000) / (x.requests ?? x.succeeded)}
  }
  const loads = {'HTTP/1.1': (k) => measured(k, () => wrk(k.port, {seconds: SECONDS, host: HOST}))}
  if (which('h2load')) loads['HTTP/2'] = (k) => measured(k, () => h2load(k.httpsPort, {seconds: SECONDS, host: HOST}))

  const legs = {}
  for (const first of ['A', 'B']) {
    console.log(`leg: ${first} started first`)
    const started = {}
    started[first] = await launch(sides[first])
    const second = first === 'A' ? 'B' : 'A'
    started[second] = await launch(sides[second])
    const {A: a, B: b} = started
    console.log(`  idle RSS A ${fmt(rssMb(a.pid), 1)} MB, B ${fmt(rssMb(b.pid), 1)} MB`)
    for (const [name, load] of Object.entries(loads)) {
      // The side started first also runs first in a leg's odd rounds, so the legs mirror each other.
      const order = first === 'A' ? [a, b] : [b, a]
      load(order[0]), load(order[1])
      const describe = (x, y) => `${first} ${fmt(x.rps)} req/s ${fmt(x.cpuUs, 1)} µs, ${second} ${fmt(y.rps)} req/s ${fmt(y.cpuUs, 1)} µs`
      const res = await interleave(ROUNDS, () => load(order[0]), () => load(order[1]), (x, y) => x.rps / y.rps, describe)
      const [as, bs] = first === 'A' ? [res.a, res.b] : [res.b, res.a]
      const rps = median(as.map((x, i) => x.rps / bs[i].rps))
      const cpu = median(as.map((x, i) => bs[i].cpuUs / x.cpuUs))
      ;(legs[name] ??= []).push({rps, cpu})
      console.log(`  ${name}: req/s A/B ${fmt(rps, 3)}, CPU per request B/A ${fmt(cpu, 3)} (A ${fmt(median(as.map((x) => x.cpuUs)), 1)} µs, B ${fmt(median(bs.map((x) => x.cpuUs)), 1)} µs); RSS after: A ${fmt(rssMb(a.pid), 1)} MB, B ${fmt(rssMb(b.pid), 1)} MB`)
    }
    await stop(a.child)
    await stop(b.child)
  }
  for (const [name, [aFirst, bFirst]] of Object.entries(legs)) {
    console.log(`${name}: req/s A/B ${fmt(geomean(aFirst.rps, bFirst.rps), 3)} (A first ${fmt(aFirst.rps, 3)}, B first ${fmt(bFirst.rps, 3)}), CPU per request B/A ${fmt(geomean(aFirst.cpu, bFirst.cpu), 3)} (A first ${fmt(aFirst.cpu, 3)}, B first ${fmt(bFirst.cpu, 3)})`)
  }
} finally {
  await stopAll()
  rmSync(home, {recursive: true, force: true})
}
