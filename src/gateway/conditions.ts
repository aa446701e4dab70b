/** metav1.Condition as a Gateway API controller writes it, and the names kingress writes them under. */

/** The controllerName kingress writes in HTTPRoute status.parents[] (a GatewayController: domain/path). */
export const CONTROLLER_NAME = 'kingress.dev/gateway-controller'

export type ConditionStatus = 'True' | 'False' | 'Unknown'

export interface Condition {
  readonly type: string
  readonly status: ConditionStatus
  readonly reason: string
  readonly message: string
  /**
   * metadata.generation of the object when the manifest gives one; omitted otherwise (a file has no
   * generation, and inventing 1 would claim an API server assigned it). lastTransitionTime is never
   * written: kingress has no history to date a transition by, and the output stays reproducible.
   */
  readonly observedGeneration?: number
}

export function condition(type: string, status: ConditionStatus, reason: string, message: string, generation: number | null): Condition {
  return generation === null ? {type, status, reason, message} : {type, status, reason, message, observedGeneration: generation}
}

export function isTrue(conditions: readonly Condition[], type: string): boolean {
  return conditions.some((c) => c.type === type && c.status === 'True')
}

/** A message that starts with `field: ` (condition messages name the field), without it (a diagnostic shows the field already). */
export function withoutField(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message
}
