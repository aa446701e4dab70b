#!/usr/bin/env node
// The bench's memory figures alone, for trying a setting: RSS 10 s after start, then 10 s of
// wrk -c64 (HTTP/1.1), RSS 10 s after it, and where the RSS is (smaps: the node binary's own
// pages, the malloc heap, the rest anonymous). One kingress per variant, started one after the
// other so they do not share the CPU:
//   node bench/memory.js                                   (as `kingress up` starts)
//   node bench/memory.js '--max-old-space-size=64' ''      (node flags, then "VAR=value ...")
//   node bench/memory.js '' 'KINGRESS_TUNED=1'             (serving in the CLI's process, Node's defaults)
// BENCH_REPEAT (default 1) runs each variant that many times.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {startKingress} from './lib/kingress.js'
import {wrk} from './lib/load.js'
import {fmt, freePort, rssMb, sleep, start, stop, stopAll, waitFor} from './lib/proc.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const HOST = 'bench.test'
const REPEAT = Number(process.env.BENCH_REPEAT ?? 1)
const words = (s) => s.split(' ').filter(Boolean)
const envOf = (s) => Object.fromEntries(words(s).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
const args = process.argv.slice(2)
const variants = []
for (let i = 0; i < Math.max(2, args.length); i += 2) variants.push({flags: args[i] ?? '', env: args[i + 1] ?? ''})

/** Resident MB by kind of mapping, from /proc/PID/smaps (Linux). */
function residentByKind(pid) {
  const kinds = {node: 0, heap: 0, anon: 0, other: 0}
  let kind = 'other'
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (head) {
      const name = head[1]
      kind = name === '' ? 'anon' : name === '[heap]' ? 'heap' : name.endsWith('/node') ? 'node' : 'other'
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss) kinds[kind] += Number(rss[1]) / 1024
  }
  return Object.entries(kinds).map(([k, mb]) => `${k} ${fmt(mb, 1)}`).join(', ')
}

const home = mkdtempSync(join(tmpdir(), 'kingress-mem-home-'))
try {
  const upstreamPort = await freePort()
  start(process.execPath, [join(ROOT, 'bench', 'upstream.js'), String(upstreamPort)])
  await waitFor(upstreamPort, HOST)
  const common = {root: ROOT, home, manifests: [join(ROOT, 'bench', 'ingress.yaml')], upstreamPort, host: HOST}
  await stop((await startKingress(common)).child) // mints the certificates: every start below finds them
  for (let round = 0; round < REPEAT; round++) {
    for (const v of variants) {
      const k = await startKingress({...common, nodeArgs: words(v.flags), env: envOf(v.env)})
      const started = Date.now()
      await sleep(10_000)
      const idle = rssMb(k.pid)
      const idleKinds = residentByKind(k.pid)
      const load = wrk(k.port, {seconds: 10, connections: 64, host: HOST})
      const right = rssMb(k.pid)
      await sleep(10_000)
      const after = rssMb(k.pid)
      console.log(`[${v.flags || '-'}] [${v.env || '-'}] idle ${fmt(idle, 1)} MB (${idleKinds}); ${fmt(load.rps)} req/s; right after ${fmt(right, 1)} MB; 10 s after ${fmt(after, 1)} MB (${residentByKind(k.pid)}); ${fmt((Date.now() - started) / 1000)} s`)
      await stop(k.child)
    }
  }
} finally {
  await stopAll()
  rmSync(home, {recursive: true, force: true})
}
