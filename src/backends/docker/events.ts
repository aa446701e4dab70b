/**
 * The engine's `/events` stream is newline-delimited JSON, and HTTP chunks do not respect either
 * lines or UTF-8 sequences (a container name with `é` can be split between two chunks). The
 * parser buffers bytes up to each newline and only then decodes, so both are handled.
 */

export interface DockerEvent {
  /** `container` | `network` | ... */
  readonly type: string
  /** Normalised: `health_status: healthy` → `health_status`, Podman `died` → `die`, `remove` → `destroy`. */
  readonly action: string
  /** The action as the engine sent it. */
  readonly rawAction: string
  /** Container id for container events; for network events the container id in `Actor.Attributes.container`. */
  readonly containerId: string | null
  readonly attributes: Readonly<Record<string, string>>
  /** Seconds since the epoch, engine clock (0 when absent). */
  readonly time: number
  readonly timeNano: number
}

export class EventStreamParser {
  private pending: Buffer[] = []
  private pendingLength = 0
  /** Lines that were not JSON (a proxy's error page, garbage); kept for diagnostics. */
  malformed = 0

  /** Feeds one chunk; returns every complete event it finished. */
  push(chunk: Buffer | string): DockerEvent[] {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    const events: DockerEvent[] = []
    let start = 0
    for (;;) {
      const newline = buffer.indexOf(0x0a, start)
      if (newline === -1) break
      const piece = buffer.subarray(start, newline)
      let line: Buffer
      if (this.pendingLength > 0) {
        line = Buffer.concat([...this.pending, piece], this.pendingLength + piece.length)
        this.pending = []
        this.pendingLength = 0
      } else {
        line = piece
      }
      this.parseLine(line, events)
      start = newline + 1
    }
    if (start < buffer.length) {
      // Copy: the caller may reuse its buffer.
      const rest = Buffer.from(buffer.subarray(start))
      this.pending.push(rest)
      this.pendingLength += rest.length
    }
    return events
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): DockerEvent[] {
    if (this.pendingLength === 0) return []
    const line = Buffer.concat(this.pending, this.pendingLength)
    this.pending = []
    this.pendingLength = 0
    const events: DockerEvent[] = []
    this.parseLine(line, events)
    return events
  }

  private parseLine(line: Buffer, into: DockerEvent[]): void {
    const text = line.toString('utf8').trim()
    if (text === '') return
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch {
      this.malformed++
      return
    }
    const event = normalizeEvent(raw)
    if (event === undefined) this.malformed++
    else into.push(event)
  }
}

const ACTION_ALIASES: Readonly<Record<string, string>> = {
  // Podman's Docker-compatible API forwards some libpod names.
  died: 'die',
  remove: 'destroy',
  cleanup: 'die',
}

export function normalizeAction(action: string): string {
  // `health_status: healthy`, `exec_start: sh -c ...`
  const head = action.split(':', 1)[0]?.trim().toLowerCase() ?? ''
  return ACTION_ALIASES[head] ?? head
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (value === null || typeof value !== 'object') return out
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item === 'string') out[key] = item
    else if (typeof item === 'number' || typeof item === 'boolean') out[key] = String(item)
  }
  return out
}

/** Accepts the modern shape (Type/Action/Actor) and the pre-1.22 one (status/id/from). */
export function normalizeEvent(raw: unknown): DockerEvent | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined
  const object = raw as Record<string, unknown>
  const actor = (object.Actor ?? object.actor) as {ID?: unknown; Attributes?: unknown} | undefined
  const attributes = stringRecord(actor?.Attributes)
  const rawAction =
    typeof object.Action === 'string' ? object.Action : typeof object.status === 'string' ? object.status : undefined
  if (rawAction === undefined) return undefined
  const type = typeof object.Type === 'string' ? object.Type.toLowerCase() : typeof object.id === 'string' ? 'container' : ''
  const actorId = typeof actor?.ID === 'string' ? actor.ID : typeof object.id === 'string' ? object.id : null
  const containerId = type === 'container' ? actorId : type === 'network' ? attributes.container ?? null : null
  const time = typeof object.time === 'number' ? object.time : 0
  const timeNano = typeof object.timeNano === 'number' ? object.timeNano : time * 1e9
  return {type, action: normalizeAction(rawAction), rawAction, containerId, attributes, time, timeNano}
}

const CONTAINER_ACTIONS = new Set([
  'start',
  'die',
  'stop',
  'kill',
  'pause',
  'unpause',
  'health_status',
  'rename',
  'destroy',
  'restart',
  'update',
])
const NETWORK_ACTIONS = new Set(['connect', 'disconnect'])

/**
 * Whether an event can change what resolve() answers. Healthchecks produce exec_create/exec_start/
 * exec_die every interval, and Podman sends extra names: all filtered here, on the client.
 */
export function isRelevantEvent(event: DockerEvent): boolean {
  if (event.type === 'container') return CONTAINER_ACTIONS.has(event.action)
  if (event.type === 'network') return NETWORK_ACTIONS.has(event.action)
  return false
}
