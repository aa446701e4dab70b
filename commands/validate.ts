import type {Semantics} from '../src/routing/compile.js'
import {KingressCommand} from '../src/cli/base-command.js'
import {classFlag, manifestArgs, semanticsFlag} from '../src/cli/flags.js'
import {compileManifests} from '../src/cli/manifest-session.js'
import {renderAnnotationReports} from '../src/cli/render-annotations.js'
import {countBySeverity, plural, renderDiagnostics} from '../src/cli/render-diagnostics.js'

export default class Validate extends KingressCommand {
  static override description = 'Check Ingress manifests as the Kubernetes API server would, plus what would surprise you locally.'
  static override examples = ['<%= config.bin %> validate fixtures/virtual-host-ingress.yaml', '<%= config.bin %> validate k8s/ --class nginx']
  static override strict = false
  static override args = manifestArgs
  static override flags = {semantics: semanticsFlag, class: classFlag}

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Validate)
    const result = await compileManifests(argv as string[], {className: flags.class, semantics: flags.semantics as Semantics})
    if (result.diagnostics.length > 0) this.log(renderDiagnostics(result.diagnostics))
    const counts = countBySeverity(result.diagnostics)
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
        (counts.warning > 0 ? `, ${plural(counts.warning, 'warning')}` : ''),
    )
  }
}
