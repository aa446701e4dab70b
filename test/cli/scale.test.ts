import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {compileManifests} from '../../src/cli/manifest-session.js'
import {runCli} from '../support/cli.js'
import {ingressYaml} from '../support/manifests.js'

const COUNT = 2000
let file = ''

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kingress-scale-'))
  file = join(dir, 'many.yaml')
  const docs: string[] = []
  for (let i = 0; i < COUNT; i++) {
    docs.push(ingressYaml(`app-${i}`, [{host: `app-${i}.example.com`, paths: [{path: '/', pathType: 'Prefix', service: `svc-${i}`}, {path: `/api/v${i % 7}`, pathType: 'Exact', service: `api-${i}`}]}]))
  }
  await writeFile(file, docs.join('---\n'))
})

describe(`a file of ${COUNT} Ingresses`, () => {
  it('loads, validates and compiles in under 2 s (in process, without Node start-up)', async () => {
    const started = performance.now()
    const result = await compileManifests([file])
    const ms = performance.now() - started
    expect(result.ok).toBe(true)
    expect(result.compiled.table.routes).toHaveLength(COUNT * 2)
    console.log(`validate pipeline for ${COUNT} Ingresses: ${ms.toFixed(0)} ms`)
    expect(ms).toBeLessThan(2000)
  })

  it('`kingress validate` accepts it', async () => {
    const result = await runCli(['validate', file], {timeoutMs: 30_000})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`${COUNT} Ingresses (${COUNT * 2} routes, ${COUNT} hosts)`)
    console.log(`kingress validate (whole process) for ${COUNT} Ingresses: ${result.ms.toFixed(0)} ms`)
  })

  it('matches by index: the last host is found as directly as the first', async () => {
    const {compiled} = await compileManifests([file])
    const match = compiled.table.match(`app-${COUNT - 1}.example.com`, '/api/v3')
    expect(match.route?.origin.name).toBe(`app-${COUNT - 1}`)
    expect(compiled.table.exactHosts.size).toBe(COUNT)
  })
})
