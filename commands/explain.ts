import {Args} from '@oclif/core'

import {KingressCommand} from '../src/cli/base-command.js'
import {backendAsJson, describeBackend, resolveEndpointsOnce} from '../src/cli/endpoint-report.js'
import {backendFlag, classFlag, dockerFlag, jsonFlag} from '../src/cli/flags.js'
import {compileManifests} from '../src/cli/manifest-session.js'
import {explanationAsJson, explanationAsText} from '../src/cli/render-explanation.js'
import {renderDiagnostics} from '../src/cli/render-diagnostics.js'
import {UserError} from '../src/errors.js'
import {explain} from '../src/routing/explain.js'

export default class Explain extends KingressCommand {
  static override description = 'Say which Ingress rule would serve a URL, and why, without starting a proxy.'
  static override examples = [
    '<%= config.bin %> explain http://example.com/blue/index.html fixtures/',
    '<%= config.bin %> explain https://green.example.com/ fixtures/virtual-host-ingress.yaml --json',
  ]
  static override strict = false
  static override args = {
    url: Args.string({description: 'the URL a client would request (the scheme may be left out)', required: true}),
    files: Args.string({description: 'Ingress manifests: YAML or JSON files, or folders of them', required: true}),
  }
  static override flags = {class: classFlag, json: jsonFlag, backend: backendFlag, docker: dockerFlag}

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Explain)
    const [url, ...files] = argv as string[]
    const result = await compileManifests(files, {className: flags.class})
    if (!result.ok) {
      process.stderr.write(renderDiagnostics(result.diagnostics.filter((d) => d.severity === 'error')) + '\nFix the errors above (`kingress validate` lists them all).\n')
      this.exit(1)
    }
    let explanation
    try {
      explanation = explain(result.compiled.table, url!)
    } catch {
      throw new UserError('BAD_URL', `"${url}" is not a URL. Write it as a browser would, e.g. http://blue.example.com/path`)
    }
    const endpoints = await resolveEndpointsOnce(result.compiled.table, result.snapshot, {backends: flags.backend ?? [], docker: flags.docker})
    const backend = endpoints.table.forMatch(explanation.result)
    if (flags.json) {
      process.stdout.write(JSON.stringify({...explanationAsJson(explanation), backend: backend ? backendAsJson(backend) : null}, null, 2) + '\n')
      return
    }
    this.log(explanationAsText(explanation))
    if (backend) this.log(`  endpoints  ${describeBackend(backend)}`)
    for (const note of endpoints.notes) this.log(`  note: ${note}`)
  }
}
