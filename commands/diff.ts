import {Flags} from '@oclif/core'

import {KingressCommand} from '../src/cli/base-command.js'
import {jsonFlag} from '../src/cli/flags.js'
import {compileManifests, type CompiledManifests} from '../src/cli/manifest-session.js'
import {renderDiagnostics} from '../src/cli/render-diagnostics.js'
import {sideOf} from '../src/diff/answer.js'
import {compareSides, diffAsText} from '../src/diff/compare.js'
import {generateProbes} from '../src/diff/probes.js'
import {readRequests} from '../src/diff/requests.js'
import {UserError} from '../src/errors.js'

export default class Diff extends KingressCommand {
  static override description =
    'Send the same requests through two sets of manifests, in process, and list every request answered differently (status, backend, the path it receives, redirect). Ingresses answer as ingress-nginx did, HTTPRoutes as the Gateway API says. Exit 1 when some differ: a CI gate for a migration.'
  static override examples = ['<%= config.bin %> diff k8s/ingress/ --against k8s/gateway/', '<%= config.bin %> diff old/ --against new/ --requests access.log --json']
  static override usage = 'diff OLD... --against NEW... [--requests FILE] [--json]'
  static override strict = false
  static override args = {}
  static override flags = {
    against: Flags.string({description: 'the new manifests (files or folders; repeat the flag for several)', required: true, multiple: true, helpValue: 'NEW'}),
    requests: Flags.string({description: 'more requests to compare: lines of "[METHOD] URL [Name=value ...]", or the access log of `kingress up --log-format json`', helpValue: 'FILE'}),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Diff)
    const oldInputs = argv as string[]
    if (oldInputs.length === 0) throw new UserError('NO_OLD_MANIFESTS', 'give the old manifests first: kingress diff OLD... --against NEW...')
    const old = await loaded(oldInputs)
    const neu = await loaded(flags.against)
    const probes = [...generateProbes([old, neu].map((s) => ({snapshot: s.snapshot, compiled: s.compiled}))), ...(flags.requests ? await readRequests(flags.requests) : [])]
    const result = compareSides(sideOf('old', old.snapshot, old.model), sideOf('new', neu.snapshot, neu.model), probes)
    if (flags.json) {
      process.stdout.write(JSON.stringify({probes: result.probes, differences: result.differences.map((d) => ({request: d.probe, cause: d.cause, fix: d.fix, counted: d.counted, fields: d.fields, old: d.old, new: d.new}))}, null, 2) + '\n')
    } else {
      this.log(diffAsText(result, `old (${oldInputs.join(' ')})`, `new (${flags.against.join(' ')})`))
    }
    if (result.unserved.length > 0) {
      const first = result.unserved[0]!
      process.stderr.write(`note: ${result.unserved.length} request${result.unserved.length === 1 ? ' is' : 's are'} on a port neither side serves (e.g. ${first.method} ${first.url}): Ingresses are served on 80 and 443, Gateways on their listeners' ports. Write the URL with the cluster's port (none for 80/443), not kingress's local one.\n`)
    }
    if (result.differences.some((d) => d.counted)) this.exit(1)
  }
}

async function loaded(inputs: readonly string[]): Promise<CompiledManifests> {
  const result = await compileManifests(inputs)
  if (!result.ok) {
    process.stderr.write(renderDiagnostics(result.diagnostics.filter((d) => d.severity === 'error')) + '\n')
    throw new UserError('INVALID_MANIFESTS', `the manifests in ${inputs.join(' ')} have errors; fix them (\`kingress validate\` lists them all) and run again.`)
  }
  return result
}
