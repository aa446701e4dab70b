import type {Ingress} from '../manifests/model.js'

/**
 * The order ingress-nginx merges Ingresses in, and so who wins a conflict (store.go,
 * sortIngressSlice): oldest creationTimestamp first; equal timestamps by `namespace/name`
 * *descending*. An Ingress without creationTimestamp has Go's zero time, the oldest of all, so
 * manifests written without timestamps are ordered by name, z before a.
 */
export function ingressNginxOrder(a: Ingress, b: Ingress): number {
  const ta = timestampOf(a)
  const tb = timestampOf(b)
  if (ta !== tb) return ta - tb
  const ka = `${a.meta.namespace}/${a.meta.name}`
  const kb = `${b.meta.namespace}/${b.meta.name}`
  return ka > kb ? -1 : ka < kb ? 1 : a.meta.loadIndex - b.meta.loadIndex
}

function timestampOf(ingress: Ingress): number {
  const t = ingress.meta.creationTimestamp
  if (t === null) return Number.NEGATIVE_INFINITY
  const ms = Date.parse(t)
  // ingress-nginx compares whole seconds (metav1.Time is serialised to the second).
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : Math.floor(ms / 1000)
}
