import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {Diagnostic} from '../../src/manifests/diagnostic.js'
import {parseManifestText, type RawObject} from '../../src/manifests/load.js'
import type {Snapshot} from '../../src/manifests/model.js'
import {decodeObjects} from '../../src/manifests/snapshot.js'
import type {Condition} from '../../src/gateway/conditions.js'
import {computeStatus, type GatewayStatus, type RouteParentStatus, type StatusOptions, type StatusResult} from '../../src/gateway/status.js'
import {REPO_ROOT} from '../support/cli.js'

export const CONFORMANCE = join(REPO_ROOT, 'fixtures/gateway-conformance')
export const INFRA = 'gateway-conformance-infra'

/** Parses YAML texts (each its own "file") into a Snapshot, as loadSnapshot does. */
export function snapshotFrom(files: Readonly<Record<string, string>>): {snapshot: Snapshot; diagnostics: Diagnostic[]} {
  const objects: RawObject[] = []
  const diagnostics: Diagnostic[] = []
  for (const [file, text] of Object.entries(files)) parseManifestText(text, file, objects, diagnostics)
  return {snapshot: decodeObjects(objects, diagnostics), diagnostics}
}

/** The conformance base (namespaces, shared Gateways, Services, Secrets) plus one test's manifests. */
export function conformanceStatus(testFiles: string | readonly string[], options: StatusOptions = {}): StatusResult & {load: Diagnostic[]} {
  const read = (name: string): string => readFileSync(join(CONFORMANCE, name), 'utf8')
  const files = typeof testFiles === 'string' ? [testFiles] : testFiles
  const {snapshot, diagnostics} = snapshotFrom(Object.fromEntries([['base.yaml', read('base.yaml')], ...files.map((f) => [f, read(f)])]))
  const errors = diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new Error(`fixtures do not load: ${errors.map((d) => `${d.at.file}:${d.at.line}: ${d.field ?? ''} ${d.message}`).join('\n')}`)
  return {...computeStatus(snapshot, options), load: diagnostics}
}

export function statusOf(yaml: string, options: StatusOptions = {}): StatusResult & {load: Diagnostic[]} {
  const {snapshot, diagnostics} = snapshotFrom({'test.yaml': yaml})
  return {...computeStatus(snapshot, options), load: diagnostics}
}

export function gatewayStatus(result: StatusResult, name: string, namespace = INFRA): GatewayStatus {
  const item = result.items.find((i) => i.kind === 'Gateway' && i.object.meta.name === name && i.object.meta.namespace === namespace)
  if (!item || item.kind !== 'Gateway') throw new Error(`no status for Gateway ${namespace}/${name}`)
  return item.status
}

export function routeParents(result: StatusResult, name: string, namespace = INFRA): readonly RouteParentStatus[] {
  const item = result.items.find((i) => i.kind === 'HTTPRoute' && i.object.meta.name === name && i.object.meta.namespace === namespace)
  if (!item || item.kind !== 'HTTPRoute') throw new Error(`no status for HTTPRoute ${namespace}/${name}`)
  return item.status.parents
}

/** The parent entry for Gateway `gateway` (in INFRA unless given). */
export function parentFor(result: StatusResult, route: string, gateway: string, routeNamespace = INFRA): RouteParentStatus {
  const parent = routeParents(result, route, routeNamespace).find((p) => p.parentRef.name === gateway)
  if (!parent) throw new Error(`HTTPRoute ${route} has no parent status for Gateway ${gateway}`)
  return parent
}

/** type → "Status/Reason", the part of a condition the conformance suite asserts. */
export function summary(conditions: readonly Condition[]): Record<string, string> {
  return Object.fromEntries(conditions.map((c) => [c.type, `${c.status}/${c.reason}`]))
}

export function listener(status: GatewayStatus, name: string): GatewayStatus['listeners'][number] {
  const hit = status.listeners.find((l) => l.name === name)
  if (!hit) throw new Error(`no listener ${name}`)
  return hit
}
