import {NGINX_PREFIX} from '../annotations/parse.js'
import type {AnnotationReport, IngressPolicy} from '../annotations/policy.js'
import type {Diagnostic} from '../manifests/diagnostic.js'
import {objectKey, type Ingress} from '../manifests/model.js'

const REGEX_LOOKING = /[()[\]*+?^$|\\]/
const CAPTURE_REFERENCE = /\$\d/

/** The annotation mistakes ingress-nginx users hit, found before they cost an afternoon. */
export function annotationWarnings(
  ingresses: readonly Ingress[],
  policies: ReadonlyMap<Ingress, IngressPolicy>,
  reports: ReadonlyMap<string, readonly AnnotationReport[]>,
  regexHosts: ReadonlySet<string>,
): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const ingress of ingresses) {
    const policy = policies.get(ingress)!
    const annotationField = (key: string) => `metadata.annotations[${key}]`
    const annotationAt = (key: string) => ingress.meta.annotationPositions[key] ?? ingress.meta.at
    for (const report of reports.get(objectKey(ingress.meta)) ?? []) {
      const at = annotationAt(report.key)
      const field = annotationField(report.key)
      const value = JSON.stringify(report.value)
      if (report.status === 'rejected') {
        out.push({severity: 'error', at, field, message: `${value}: ${report.note}. ingress-nginx refuses the whole Ingress over this value: its admission webhook rejects it, and the controller does not load it. Fix the value.`})
      } else if (report.status === 'denied') {
        out.push({severity: 'warning', at, field, message: `${value}: ${report.note}. ingress-nginx denies every path of this Ingress over it: they answer 503, and so does kingress.`})
      } else if (report.status === 'invalid' || (policy.denied?.by === 'kingress' && policy.denied.annotation === report.key)) {
        // The note says what happens instead: ingress-nginx's default, or kingress's own 503.
        out.push({severity: 'warning', at, field, message: `${value}: ${report.note}.`})
      } else if (report.key.endsWith('-snippet')) {
        out.push({severity: 'warning', at, field, message: report.note ?? 'snippets are not emulated'})
      }
    }
    const paths = ingress.rules.flatMap((rule) => rule.paths.map((path) => ({rule, path})))
    if (policy.rewriteTarget !== null) {
      const hasCaptureGroup = paths.some(({path}) => path.path.includes('('))
      if (hasCaptureGroup && !CAPTURE_REFERENCE.test(policy.rewriteTarget)) {
        out.push({
          severity: 'warning',
          at: annotationAt(`${NGINX_PREFIX}rewrite-target`),
          field: annotationField(`${NGINX_PREFIX}rewrite-target`),
          message: `rewrite-target "${policy.rewriteTarget}" uses no capture group while the paths capture some: every request is rewritten to exactly "${policy.rewriteTarget}". Write e.g. /$2 with a path like /api(/|$)(.*).`,
        })
      }
      if (!hasCaptureGroup && CAPTURE_REFERENCE.test(policy.rewriteTarget)) {
        out.push({
          severity: 'warning',
          at: annotationAt(`${NGINX_PREFIX}rewrite-target`),
          field: annotationField(`${NGINX_PREFIX}rewrite-target`),
          message: `rewrite-target "${policy.rewriteTarget}" refers to a capture group, but no path has one, so it is replaced by an empty string. Capture in the path, e.g. path: /api(/|$)(.*) with rewrite-target: /$2.`,
        })
      }
    }
    for (const {rule, path} of paths) {
      if (regexHosts.has(rule.host ?? '') || path.pathType === 'Exact' || !REGEX_LOOKING.test(path.path)) continue
      out.push({
        severity: 'warning',
        at: path.at,
        field: `${path.field}.path`,
        message: `"${path.path}" looks like a regular expression, but no Ingress for this host sets nginx.ingress.kubernetes.io/use-regex: "true", so it is matched as a literal prefix.`,
      })
    }
  }
  return out
}
