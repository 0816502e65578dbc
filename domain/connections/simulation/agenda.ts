/** A binary heap of events by time, then by the order they were scheduled in: one run's agenda. */
interface Timed<E> {
  readonly atMs: number
  readonly seq: number
  readonly event: E
}

export class Agenda<E> {
  private readonly heap: Array<Timed<E>> = []
  private seq = 0

  get size() {
    return this.heap.length
  }

  add(atMs: number, event: E): void {
    const heap = this.heap
    heap.push({ atMs, seq: this.seq++, event })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  next(): Timed<E> | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    heap[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let least = i
      if (l < heap.length && before(heap[l]!, heap[least]!)) least = l
      if (r < heap.length && before(heap[r]!, heap[least]!)) least = r
      if (least === i) return top
      ;[heap[i], heap[least]] = [heap[least]!, heap[i]!]
      i = least
    }
  }
}

const before = <E>(a: Timed<E>, b: Timed<E>) => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)
