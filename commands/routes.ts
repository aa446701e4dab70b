import type {Semantics} from '../src/routing/compile.js'
import {KingressCommand} from '../src/cli/base-command.js'
import {backendAsJson, backendsAsText, resolveEndpointsOnce} from '../src/cli/endpoint-report.js'
import {backendFlag, classFlag, dockerFlag, jsonFlag, manifestArgs, semanticsFlag} from '../src/cli/flags.js'
import {compileManifests} from '../src/cli/manifest-session.js'
import {annotationReportsAsJson, renderAnnotationReports} from '../src/cli/render-annotations.js'
import {renderDiagnostics} from '../src/cli/render-diagnostics.js'
import {gatewayRoutesAsJson, gatewayRoutesAsText} from '../src/cli/render-gateway-routes.js'
import {routesAsJson, routesAsText} from '../src/cli/render-routes.js'

export default class Routes extends KingressCommand {
  static override description =
    'Print the route tables compiled from the manifests (Ingress locations in nginx.conf order, then each Gateway listener\'s HTTPRoute matches in precedence order), and the endpoints each backend resolves to (from --backend flags, EndpointSlices and Docker containers, as `up` would find them).'
  static override examples = ['<%= config.bin %> routes fixtures/', '<%= config.bin %> routes fixtures/fan-out-ingress.yaml --json', '<%= config.bin %> routes k8s/ --no-docker --backend web=127.0.0.1:5173']
  static override strict = false
  static override args = manifestArgs
  static override flags = {semantics: semanticsFlag, class: classFlag, json: jsonFlag, backend: backendFlag, docker: dockerFlag}

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Routes)
    const result = await compileManifests(argv as string[], {className: flags.class, semantics: flags.semantics as Semantics})
    const problems = result.diagnostics.filter((d) => d.severity !== 'note')
    if (!result.ok) {
      process.stderr.write(renderDiagnostics(problems) + '\nFix the errors above (`kingress validate` lists them all).\n')
      this.exit(1)
    }
    const {gateways} = result.model
    const endpoints = await resolveEndpointsOnce(result.compiled.table, result.snapshot, {backends: flags.backend ?? [], docker: flags.docker}, gateways)
    if (flags.json) {
      const json = {...routesAsJson(result.compiled.table), gateways: gatewayRoutesAsJson(gateways), backends: endpoints.table.all.map(backendAsJson), annotations: annotationReportsAsJson(result.compiled.annotationReports)}
      process.stdout.write(JSON.stringify(json, null, 2) + '\n')
      return
    }
    if (problems.length > 0) process.stderr.write(renderDiagnostics(problems) + '\n')
    const gatewayText = gatewayRoutesAsText(gateways)
    const table = result.compiled.table
    const ingressShown = table.routes.length > 0 || table.catchAllDefault !== null || gatewayText === ''
    if (ingressShown) this.log(routesAsText(table))
    if (gatewayText !== '') this.log((ingressShown ? '\n' : '') + gatewayText)
    this.log('\n' + backendsAsText(endpoints))
    const annotations = renderAnnotationReports(result.compiled.ingresses, result.compiled.annotationReports)
    if (annotations) this.log('\n' + annotations)
  }
}
