import {Document, isMap, isSeq} from 'yaml'

import type {Conversion, IngressReport} from './convert.js'
import type {Commented} from './objects.js'

/** One object as a YAML document, its comments above it and above each rule. */
export function objectYaml(item: Commented): string {
  const doc = new Document(item.object)
  doc.commentBefore = item.comment.map((line) => ` ${line}`).join('\n')
  const rules = doc.getIn(['spec', 'rules'], true)
  if (isSeq(rules)) {
    rules.items.forEach((rule, i) => {
      const lines = item.ruleComments[i] ?? []
      if (lines.length > 0 && isMap(rule)) rule.commentBefore = lines.map((line) => ` ${line}`).join('\n')
    })
  }
  return doc.toString({lineWidth: 0})
}

/** Every object, `---` between them, and the annotation report as comments at the end. */
export function conversionYaml(conversion: Conversion): string {
  const docs = conversion.objects.map(objectYaml)
  const report = reportLines(conversion.report)
  return docs.join('---\n') + (report.length > 0 ? '---\n' + report.map((line) => `# ${line}`).join('\n') + '\n' : '')
}

/** Per Ingress, the annotations that do not convert or convert only partly: what is lost. */
export function reportLines(report: readonly IngressReport[]): string[] {
  const lines: string[] = []
  for (const ingress of report) {
    const notable = ingress.annotations.filter((a) => a.coverage !== 'converts')
    if (notable.length === 0) continue
    lines.push(`Ingress ${ingress.ingress} (${ingress.at.file}:${ingress.at.line}):`)
    for (const a of notable) lines.push(`  ${a.coverage === 'lost' ? 'lost  ' : 'partly'} ${a.key}: ${a.value} — ${a.note}`)
  }
  return lines
}
