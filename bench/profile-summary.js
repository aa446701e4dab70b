#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof) as self time per category and the top functions:
//   node bench/profile-summary.js file.cpuprofile [top]
import {readFileSync} from 'node:fs'

const [file, topArg] = process.argv.slice(2)
const top = Number(topArg ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map()
// samples[i] was taken after timeDeltas[i] µs: each sample's node gets that much self time.
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0))

function category(frame) {
  const url = frame.url
  const name = frame.functionName
  if (name === '(idle)') return 'idle'
  if (name === '(garbage collector)') return 'GC'
  if (name === '(program)') return 'V8/native (program)'
  if (url.includes('/undici/')) return 'undici'
  if (url.includes('/dist/proxy/headers') || url.includes('/src/proxy/headers')) return 'kingress headers'
  if (url.includes('/dist/runtime/access-log') || url.includes('/dist/runtime/events')) return 'kingress access log'
  if (url.includes('/dist/')) return 'kingress other'
  if (/node:_http_(server|incoming|common)/.test(url) || url === 'node:_http_outgoing') return 'node:http'
  if (url.startsWith('node:internal/streams') || url === 'node:stream') return 'node streams'
  if (url.startsWith('node:net') || url.startsWith('node:internal/stream_base') || url.startsWith('node:internal/net')) return 'node net'
  if (url.startsWith('node:internal/http2') || url === 'node:http2') return 'node:http2'
  if (url.startsWith('node:_tls') || url.startsWith('node:tls')) return 'node tls'
  if (url.startsWith('node:')) return 'node other'
  if (url === '') return `native (${name || 'anonymous'})`.startsWith('native (') ? 'native builtins' : 'native'
  return 'other'
}

const total = [...self.values()].reduce((a, b) => a + b, 0)
const busy = total - [...self.entries()].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0)
const cats = new Map()
const fns = new Map()
for (const [id, us] of self) {
  const frame = byId.get(id).callFrame
  const c = category(frame)
  cats.set(c, (cats.get(c) ?? 0) + us)
  const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}`
  const f = fns.get(key) ?? {us: 0, c}
  f.us += us
  fns.set(key, f)
}
const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`
console.log(`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled; shares of busy time:`)
for (const [c, us] of [...cats].sort((a, b) => b[1] - a[1])) if (c !== 'idle') console.log(`  ${pct(us)}  ${c}`)
console.log(`top ${top} functions by self time:`)
for (const [key, f] of [...fns].filter(([, f]) => f.c !== 'idle').sort((a, b) => b[1].us - a[1].us).slice(0, top)) console.log(`  ${pct(f.us)}  ${key}  [${f.c}]`)
