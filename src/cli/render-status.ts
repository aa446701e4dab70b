import type {Condition} from '../gateway/conditions.js'
import type {StatusItem} from '../gateway/status.js'
import {GATEWAY_GROUP} from '../manifests/model.js'
import {formatPosition} from '../manifests/position.js'
import {plural} from './render-diagnostics.js'

/** `kingress status` output: a `v1` List of objects as the API returns them, or text per object. */

export function statusAsJson(items: readonly StatusItem[]): {apiVersion: 'v1'; kind: 'List'; items: unknown[]} {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: items.map((item) => ({
      apiVersion: item.kind === 'GatewayClass' ? `${GATEWAY_GROUP}/v1` : item.object.apiVersion,
      kind: item.kind,
      metadata: item.kind === 'GatewayClass' ? {name: item.object.meta.name} : {name: item.object.meta.name, namespace: item.object.meta.namespace},
      status: item.status,
    })),
  }
}

export function statusAsText(items: readonly StatusItem[]): string {
  return items.map(itemText).join('\n\n')
}

function itemText(item: StatusItem): string {
  const meta = item.object.meta
  const name = item.kind === 'GatewayClass' ? meta.name : `${meta.namespace}/${meta.name}`
  const lines = [`${item.kind} ${name}  (${formatPosition(meta.at)})`]
  if (item.kind === 'GatewayClass') {
    lines.push(...conditionLines(item.status.conditions, '  '))
  } else if (item.kind === 'Gateway') {
    if (item.status.addresses !== undefined) lines.push(`  address ${item.status.addresses.map((a) => a.value).join(', ')}`)
    lines.push(...conditionLines(item.status.conditions, '  '))
    for (const l of item.status.listeners) {
      const kinds = l.supportedKinds.map((k) => k.kind).join(', ') || 'none'
      lines.push(`  listener ${l.name}: ${plural(l.attachedRoutes, 'route')} attached, supported kinds: ${kinds}`)
      lines.push(...conditionLines(l.conditions, '    '))
    }
  } else {
    if (item.status.parents.length === 0) lines.push('  no parent status: no parentRef names a Gateway kingress controls')
    for (const p of item.status.parents) {
      const ref = p.parentRef
      const section = [ref.sectionName !== undefined ? `sectionName ${ref.sectionName}` : null, ref.port !== undefined ? `port ${ref.port}` : null].filter(Boolean).join(', ')
      lines.push(`  parent ${ref.kind} ${ref.namespace}/${ref.name}${section ? ` (${section})` : ''}, controller ${p.controllerName}`)
      lines.push(...conditionLines(p.conditions, '    '))
    }
  }
  return lines.join('\n')
}

function conditionLines(conditions: readonly Condition[], indent: string): string[] {
  const typeWidth = Math.max(...conditions.map((c) => c.type.length))
  const reasonWidth = Math.max(...conditions.map((c) => c.reason.length))
  return conditions.map((c) => `${indent}${c.type.padEnd(typeWidth)}  ${c.status.padEnd(5)}  ${c.reason.padEnd(reasonWidth)}  ${c.message}`.trimEnd())
}
