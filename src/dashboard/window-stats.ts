/**
 * Sliding-window statistics over the last minute, in bounded memory and O(1) per sample.
 *
 * Time is cut into `slots` buckets of `bucketMs` (default 60 × 1 s). Each bucket keeps a count and,
 * for latencies, a log-scale histogram (8 bins per power of two of microseconds: a reported
 * percentile is within ~4.5% of the true value). A running total histogram is kept alongside, so a
 * percentile costs one scan of the bins, not of the samples. Buckets are recycled in place as time
 * moves on; histograms are allocated only for buckets that saw a sample.
 *
 * Pure: every method takes the current time, nothing reads a clock.
 */

const BINS_PER_OCTAVE = 8
/** Microsecond octaves covered: 2^28 µs ≈ 268 s; slower samples land in the last bin. */
const OCTAVES = 28
export const LATENCY_BINS = BINS_PER_OCTAVE * OCTAVES

export interface WindowOptions {
  /** Width of one bucket. Default 1000 ms. */
  readonly bucketMs?: number
  /** Number of buckets: the window is bucketMs × slots. Default 60. */
  readonly slots?: number
}

/** Latency (ms) → histogram bin. */
export function latencyBin(ms: number): number {
  const us = ms * 1000
  if (!(us >= 1)) return 0
  const bin = Math.floor(Math.log2(us) * BINS_PER_OCTAVE)
  return bin < LATENCY_BINS ? bin : LATENCY_BINS - 1
}

/** The value a bin stands for (its geometric middle), in ms. */
export function binValue(bin: number): number {
  return 2 ** ((bin + 0.5) / BINS_PER_OCTAVE) / 1000
}

/** Counts per time bucket: how many events in the window. */
export class SlidingCounter {
  protected readonly bucketMs: number
  protected readonly slots: number
  /** Bucket number (floor(time / bucketMs)) each slot holds, -1 when empty. */
  protected readonly epochs: Float64Array
  protected readonly counts: Uint32Array
  protected total = 0

  constructor(options: WindowOptions = {}) {
    this.bucketMs = options.bucketMs ?? 1000
    this.slots = options.slots ?? 60
    this.epochs = new Float64Array(this.slots).fill(-1)
    this.counts = new Uint32Array(this.slots)
  }

  get windowMs(): number {
    return this.bucketMs * this.slots
  }

  add(now: number): void {
    this.slotFor(now)
    this.total++
  }

  /** Events in the window ending at `now`. */
  count(now: number): number {
    this.expire(now)
    return this.total
  }

  /** Events per second over the window, or over `elapsedMs` when the window is not full yet (at least one bucket). */
  rate(now: number, elapsedMs: number = this.windowMs): number {
    const span = Math.max(this.bucketMs, Math.min(this.windowMs, elapsedMs))
    return (this.count(now) * 1000) / span
  }

  reset(): void {
    this.epochs.fill(-1)
    this.counts.fill(0)
    this.total = 0
  }

  /** The slot for `now`, recycled if it held an older bucket; counts the sample in it. */
  protected slotFor(now: number): number {
    const epoch = Math.floor(now / this.bucketMs)
    const slot = epoch % this.slots
    const held = this.epochs[slot]!
    // A clock that stepped back a whole window: count the sample in the newer bucket the slot holds.
    if (held > epoch) {
      this.counts[slot]!++
      return slot
    }
    if (held !== epoch) {
      this.drop(slot)
      this.epochs[slot] = epoch
    }
    this.counts[slot]!++
    return slot
  }

  /** Drops every bucket that has left the window ending at `now`. */
  protected expire(now: number): void {
    const oldest = Math.floor(now / this.bucketMs) - this.slots + 1
    for (let slot = 0; slot < this.slots; slot++) {
      const epoch = this.epochs[slot]!
      if (epoch !== -1 && epoch < oldest) {
        this.drop(slot)
        this.epochs[slot] = -1
      }
    }
  }

  protected drop(slot: number): void {
    this.total -= this.counts[slot]!
    this.counts[slot] = 0
  }
}

export interface LatencySummary {
  /** Samples in the window. */
  readonly count: number
  readonly ratePerSec: number
  /** Null when the window is empty. */
  readonly p50: number | null
  readonly p99: number | null
}

/** Counts plus latency percentiles over the window. */
export class LatencyWindow extends SlidingCounter {
  private readonly histograms: (Uint32Array | undefined)[]
  private readonly sum = new Uint32Array(LATENCY_BINS)

  constructor(options: WindowOptions = {}) {
    super(options)
    this.histograms = new Array<Uint32Array | undefined>(this.slots)
  }

  record(latencyMs: number, now: number): void {
    const slot = this.slotFor(now)
    this.total++
    const bin = latencyBin(latencyMs)
    let histogram = this.histograms[slot]
    if (!histogram) {
      histogram = new Uint32Array(LATENCY_BINS)
      this.histograms[slot] = histogram
    }
    histogram[bin]!++
    this.sum[bin]!++
  }

  /** The q-quantile (0 < q ≤ 1) of the latencies in the window, in ms, or null when empty. */
  percentile(q: number, now: number): number | null {
    const total = this.count(now)
    if (total === 0) return null
    const rank = Math.max(1, Math.ceil(q * total))
    let seen = 0
    for (let bin = 0; bin < LATENCY_BINS; bin++) {
      seen += this.sum[bin]!
      if (seen >= rank) return binValue(bin)
    }
    return binValue(LATENCY_BINS - 1)
  }

  summary(now: number, elapsedMs?: number): LatencySummary {
    const count = this.count(now)
    return {count, ratePerSec: this.rate(now, elapsedMs), p50: this.percentile(0.5, now), p99: this.percentile(0.99, now)}
  }

  override reset(): void {
    super.reset()
    for (const histogram of this.histograms) histogram?.fill(0)
    this.sum.fill(0)
  }

  protected override drop(slot: number): void {
    super.drop(slot)
    const histogram = this.histograms[slot]
    if (!histogram) return
    const sum = this.sum
    for (let bin = 0; bin < LATENCY_BINS; bin++) {
      const n = histogram[bin]!
      if (n !== 0) {
        sum[bin]! -= n
        histogram[bin] = 0
      }
    }
  }
}
