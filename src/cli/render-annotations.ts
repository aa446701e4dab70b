import chalk from 'chalk'

import type {AnnotationReport} from '../annotations/policy.js'
import {objectKey, type Ingress} from '../manifests/model.js'

const MARK = {honoured: chalk.green('honoured'), partial: chalk.yellow('partial '), ignored: chalk.dim('ignored '), invalid: chalk.red('invalid '), denied: chalk.red('denied  '), rejected: chalk.red('rejected')}

/** Per Ingress, each ingress-nginx annotation and how kingress treats it. Empty when no Ingress has any. */
export function renderAnnotationReports(ingresses: readonly Ingress[], reports: ReadonlyMap<string, readonly AnnotationReport[]>): string {
  const blocks: string[] = []
  for (const ingress of ingresses) {
    const list = reports.get(objectKey(ingress.meta)) ?? []
    if (list.length === 0) continue
    const lines = [`annotations of Ingress ${objectKey(ingress.meta)} (${ingress.meta.at.file}:${ingress.meta.at.line}):`]
    for (const report of list) lines.push(`  ${MARK[report.status]}  ${report.key}: ${oneLine(report.value)}${report.note ? ` — ${report.note}` : ''}`)
    blocks.push(lines.join('\n'))
  }
  return blocks.join('\n')
}

export function annotationReportsAsJson(reports: ReadonlyMap<string, readonly AnnotationReport[]>): Record<string, readonly AnnotationReport[]> {
  return Object.fromEntries([...reports].filter(([, list]) => list.length > 0))
}

function oneLine(value: string): string {
  const flat = value.replace(/\s+/g, ' ').trim()
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat
}
