import type {Semantics} from '../src/routing/compile.js'
import {KingressCommand} from '../src/cli/base-command.js'
import {classFlag, manifestArgs, semanticsFlag} from '../src/cli/flags.js'
import {compileManifests} from '../src/cli/manifest-session.js'
import {renderAnnotationReports} from '../src/cli/render-annotations.js'
import {countBySeverity, plural, renderDiagnostics} from '../src/cli/render-diagnostics.js'
import {computeStatus} from '../src/gateway/status.js'

export default class Validate extends KingressCommand {
  static override description = 'Check Ingress and Gateway API manifests as the Kubernetes API server would, plus what would surprise you locally (for Gateways and HTTPRoutes: what a controller would report in their status).'
  static override examples = ['<%= config.bin %> validate fixtures/virtual-host-ingress.yaml', '<%= config.bin %> validate k8s/ --class nginx']
  static override strict = false
  static override args = manifestArgs
  static override flags = {semantics: semanticsFlag, class: classFlag}

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Validate)
    const result = await compileManifests(argv as string[], {className: flags.class, semantics: flags.semantics as Semantics}, false)
    // The status problems that are user mistakes (unresolved refs, routes no listener takes), located.
    const gateway = computeStatus(result.snapshot, {className: flags.class})
    const diagnostics = [...result.diagnostics, ...gateway.diagnostics]
    if (diagnostics.length > 0) this.log(renderDiagnostics(diagnostics))
    const counts = countBySeverity(diagnostics)
    const files = plural(result.files.length, 'file')
    if (!result.ok) {
      this.log(`✗ ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')} in ${files}`)
      this.exit(1)
    }
    const {snapshot, compiled} = result
    const annotations = renderAnnotationReports(compiled.ingresses, compiled.annotationReports)
    if (annotations) this.log(annotations)
    const hosts = compiled.table.virtualHosts.length
    this.log(
      `✓ ${files} valid: ${plural(snapshot.ingresses.length, "Ingress", "Ingresses")} (${plural(compiled.table.routes.length, 'route')}, ${plural(hosts, 'host')}), ` +
        `${plural(snapshot.services.length, 'Service')}` +
        gatewaySummary(snapshot.gateways.length, snapshot.httpRoutes.length) +
        (counts.warning > 0 ? `, ${plural(counts.warning, 'warning')}` : ''),
    )
  }
}

/** Said only when there are Gateway API objects, so Ingress-only output stays as it was. */
function gatewaySummary(gateways: number, routes: number): string {
  if (gateways === 0 && routes === 0) return ''
  return `, ${plural(gateways, 'Gateway')}, ${plural(routes, 'HTTPRoute')}`
}
