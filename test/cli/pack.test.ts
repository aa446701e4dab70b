import {execFile} from 'node:child_process'
import {mkdtemp, readdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../support/cli.js'

const run = promisify(execFile)

// The published package must be complete: built dist, no dev-only imports, fixtures included.
describe('npm pack → global install', () => {
  it('gives a working `kingress`', {timeout: 240_000}, async () => {
    const work = await mkdtemp(join(tmpdir(), 'kingress-pack-'))
    // --ignore-scripts: `npm test` has just built dist; rebuilding here would pull it from under the other tests.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {cwd: REPO_ROOT})
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'))
    expect(tarball).toBeDefined()
    const prefix = join(work, 'prefix')
    await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', join(work, tarball!)], {cwd: work, timeout: 200_000})
    const bin = join(prefix, 'bin', 'kingress')
    const env = {...process.env, NODE_ENV: 'production'}

    const help = await run(bin, ['--help'], {cwd: work, env})
    expect(help.stdout).toContain('validate')
    expect(help.stdout).toContain('explain')

    const fixtures = join(prefix, 'lib', 'node_modules', 'kingress', 'fixtures')
    const validate = await run(bin, ['validate', fixtures], {cwd: work, env})
    expect(validate.stdout).toContain('valid: 2 Ingresses')
  })
})
