import {Args, Flags} from '@oclif/core'

import type {Semantics} from '../src/routing/compile.js'
import {KingressCommand} from '../src/cli/base-command.js'
import {backendAsJson, describeBackend, resolveEndpointsOnce} from '../src/cli/endpoint-report.js'
import {backendFlag, classFlag, dockerFlag, jsonFlag, semanticsFlag} from '../src/cli/flags.js'
import {compileManifests} from '../src/cli/manifest-session.js'
import {explanationAsJson, explanationAsText} from '../src/cli/render-explanation.js'
import {renderDiagnostics} from '../src/cli/render-diagnostics.js'
import {UserError} from '../src/errors.js'
import {explain} from '../src/routing/explain.js'

export default class Explain extends KingressCommand {
  static override description = 'Say what kingress — and ingress-nginx — answers for a URL, without starting a proxy: the nginx location that serves it and why each other lost, the status (200, a redirect with its Location, 400, 403, 404, 503), and notes on what the Ingress API would not lead you to expect.'
  static override examples = [
    '<%= config.bin %> explain http://example.com/blue/index.html fixtures/',
    '<%= config.bin %> explain https://green.example.com/ fixtures/virtual-host-ingress.yaml --json',
  ]
  static override strict = false
  static override args = {
    url: Args.string({description: 'the URL a client would request (the scheme may be left out)', required: true}),
    files: Args.string({description: 'Ingress manifests: YAML or JSON files, or folders of them', required: true}),
  }
  static override flags = {
    semantics: semanticsFlag,
    class: classFlag,
    json: jsonFlag,
    backend: backendFlag,
    docker: dockerFlag,
    method: Flags.string({description: 'the request method', default: 'GET', helpValue: 'M'}),
    header: Flags.string({description: 'a request header, e.g. Origin=https://app.test (repeatable)', multiple: true, helpValue: 'K=V'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Explain)
    const [url, ...files] = argv as string[]
    const result = await compileManifests(files, {className: flags.class, semantics: flags.semantics as Semantics})
    if (!result.ok) {
      process.stderr.write(renderDiagnostics(result.diagnostics.filter((d) => d.severity === 'error')) + '\nFix the errors above (`kingress validate` lists them all).\n')
      this.exit(1)
    }
    let explanation
    try {
      explanation = explain(result.compiled.table, url!, {method: flags.method, headers: headerFlags(flags.header ?? [])})
    } catch {
      throw new UserError('BAD_URL', `"${url}" is not a URL. Write it as a browser would, e.g. http://blue.example.com/path`)
    }
    const endpoints = await resolveEndpointsOnce(result.compiled.table, result.snapshot, {backends: flags.backend ?? [], docker: flags.docker})
    const backend = explanation.status === 200 ? endpoints.table.forMatch(explanation.result) : undefined
    // The proxy's 503: the rule chose a Service with no ready endpoint.
    if (backend && backend.balancer.members.length === 0) explanation = {...explanation, status: 503, verdict: `${explanation.verdict}, but Service ${backend.label} has no ready endpoint: kingress answers 503`}
    if (flags.json) {
      process.stdout.write(JSON.stringify({...explanationAsJson(explanation), backend: backend ? backendAsJson(backend) : null}, null, 2) + '\n')
      return
    }
    this.log(explanationAsText(explanation))
    if (backend) this.log(`  endpoints  ${describeBackend(backend)}`)
    for (const note of endpoints.notes) this.log(`  note: ${note}`)
  }
}

function headerFlags(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const value of values) {
    const eq = value.indexOf('=')
    if (eq <= 0) throw new UserError('BAD_HEADER', `--header "${value}" is not NAME=VALUE. Write it like --header Origin=https://app.test`)
    out[value.slice(0, eq).trim().toLowerCase()] = value.slice(eq + 1)
  }
  return out
}
