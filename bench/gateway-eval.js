#!/usr/bin/env node
// What the Gateway API's evaluation costs per request, without the proxy around it: the bench's two
// tables (bench/lib/manifests.js gatewayTables), each request answered by the last of 8 rules, run
// through evaluateGateway (matching, then the answer with its backends) in a loop, 5 bounded rounds
// with the tables' order swapped every other round. Needs a build (`npm run build`):
//   node bench/gateway-eval.js
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {GATEWAY_MATCH_HOST, GATEWAY_PATH_HOST, GATEWAY_REQUEST, gatewayTables} from './lib/manifests.js'
import {fmt, median} from './lib/proc.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = (path) => import(join(ROOT, 'dist', 'src', path)).catch(() => {
  console.error('bench/gateway-eval.js needs a build: run `npm run build` first.')
  process.exit(1)
})
const {loadSnapshot} = await dist('manifests/snapshot.js')
const {compileGatewayTable} = await dist('gateway/route-table.js')
const {evaluateGateway} = await dist('gateway/evaluate.js')

const dir = mkdtempSync(join(tmpdir(), 'kingress-gateway-eval-'))
try {
  const {snapshot} = await loadSnapshot([gatewayTables(dir)])
  const table = compileGatewayTable(snapshot)
  const [path, query] = GATEWAY_REQUEST.path.split('?')
  const [headerName, headerValue] = GATEWAY_REQUEST.headers[0].split(': ')
  const requestFor = (host) => ({scheme: 'http', port: 80, host, method: 'GET', path, query: `?${query}`, headers: {host, 'user-agent': 'wrk', [headerName.toLowerCase()]: headerValue}})
  const tables = {'path-only': requestFor(GATEWAY_PATH_HOST), 'header+query': requestFor(GATEWAY_MATCH_HOST)}
  for (const [name, request] of Object.entries(tables)) {
    const answer = evaluateGateway(table, snapshot, request)
    if (answer?.status !== 200) throw new Error(`${name}: the bench request is not answered 200 (${answer?.status}: ${answer?.reason})`)
  }
  const COUNT = 300_000
  const times = {'path-only': [], 'header+query': []}
  for (let round = 0; round < 5; round++) {
    const order = Object.entries(tables)
    if (round % 2 === 1) order.reverse()
    for (const [name, request] of order) {
      const start = performance.now()
      for (let i = 0; i < COUNT; i++) evaluateGateway(table, snapshot, request)
      times[name].push(((performance.now() - start) * 1000) / COUNT)
    }
  }
  const pathOnly = median(times['path-only'])
  const matched = median(times['header+query'])
  console.log(`path-only ${fmt(pathOnly, 2)} µs, header+query ${fmt(matched, 2)} µs per request (medians of 5 rounds of ${COUNT}); difference ${fmt(matched - pathOnly, 2)} µs`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
