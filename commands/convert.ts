import {Flags} from '@oclif/core'

import {KingressCommand} from '../src/cli/base-command.js'
import {classFlag, manifestArgs} from '../src/cli/flags.js'
import {compileManifests} from '../src/cli/manifest-session.js'
import {renderDiagnostics} from '../src/cli/render-diagnostics.js'
import {convertIngresses} from '../src/convert/convert.js'
import {conversionYaml, reportLines} from '../src/convert/render.js'
import {writeObjects} from '../src/convert/write.js'
import {UserError} from '../src/errors.js'

export default class Convert extends KingressCommand {
  static override description =
    "Convert Ingresses (with their ingress-nginx annotations) to a Gateway and HTTPRoutes that keep what ingress-nginx did: regex mode, trailing-slash 301s, ssl-redirect, rewrites. Lists every annotation that has no Gateway API form."
  static override examples = ['<%= config.bin %> convert fixtures/ingress-nginx/', '<%= config.bin %> convert k8s/ -o gateway/', '<%= config.bin %> convert k8s/ --literal']
  static override strict = false
  static override args = manifestArgs
  static override flags = {
    class: classFlag,
    output: Flags.string({char: 'o', description: 'a folder to write one YAML file per object into, or - for standard output', default: '-', helpValue: 'DIR|-'}),
    literal: Flags.boolean({description: 'the naive one-to-one translation (what most tools write), to compare with'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Convert)
    const result = await compileManifests(argv as string[], {className: flags.class})
    if (!result.ok) {
      process.stderr.write(renderDiagnostics(result.diagnostics.filter((d) => d.severity === 'error')) + '\nFix the errors above (`kingress validate` lists them all).\n')
      this.exit(1)
    }
    if (result.compiled.ingresses.length === 0) throw new UserError('NOTHING_TO_CONVERT', 'no Ingress to convert in these files (or none of the selected --class).')
    const conversion = convertIngresses(result.compiled, result.snapshot, {literal: flags.literal})
    const report = reportLines(conversion.report)
    if (report.length > 0) process.stderr.write(`Annotations with no full Gateway API form:\n${report.join('\n')}\n`)
    if (flags.output === '-') {
      process.stdout.write(conversionYaml(conversion))
      return
    }
    const files = await writeObjects(flags.output, conversion.objects)
    process.stderr.write(`wrote ${files.length} file${files.length === 1 ? '' : 's'}:\n${files.map((f) => `  ${f}`).join('\n')}\n`)
  }
}
