import {KingressCommand} from '../src/cli/base-command.js'
import {classFlag, jsonFlag, manifestArgs} from '../src/cli/flags.js'
import {compileManifests} from '../src/cli/manifest-session.js'
import {annotationReportsAsJson, renderAnnotationReports} from '../src/cli/render-annotations.js'
import {renderDiagnostics} from '../src/cli/render-diagnostics.js'
import {routesAsJson, routesAsText} from '../src/cli/render-routes.js'

export default class Routes extends KingressCommand {
  static override description = 'Print the route table compiled from Ingress manifests, in the order requests are matched.'
  static override examples = ['<%= config.bin %> routes fixtures/', '<%= config.bin %> routes fixtures/fan-out-ingress.yaml --json']
  static override strict = false
  static override args = manifestArgs
  static override flags = {class: classFlag, json: jsonFlag}

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Routes)
    const result = await compileManifests(argv as string[], {className: flags.class})
    const problems = result.diagnostics.filter((d) => d.severity !== 'note')
    if (!result.ok) {
      process.stderr.write(renderDiagnostics(problems) + '\nFix the errors above (`kingress validate` lists them all).\n')
      this.exit(1)
    }
    if (flags.json) {
      const json = {...routesAsJson(result.compiled.table), annotations: annotationReportsAsJson(result.compiled.annotationReports)}
      process.stdout.write(JSON.stringify(json, null, 2) + '\n')
      return
    }
    if (problems.length > 0) process.stderr.write(renderDiagnostics(problems) + '\n')
    this.log(routesAsText(result.compiled.table))
    const annotations = renderAnnotationReports(result.compiled.ingresses, result.compiled.annotationReports)
    if (annotations) this.log('\n' + annotations)
  }
}
