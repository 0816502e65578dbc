/**
 * What one message in progress is taken to cost in memory, per byte the client sent: the bytes kept,
 * the message joined in one piece, and the JSON documents built from it (measured: about 3.3 times
 * its size in all, issue 18).
 */
export const BYTES_PER_MESSAGE_BYTE = 3

/**
 * The memory budget for message data in flight (smtp-data-memory): every message being received or
 * published holds a share of it. A message that would go over stops being kept (it is counted to its
 * end and refused with 452 4.3.1); while the budget is spent, DATA gets 452 at once. So the daemon's
 * memory has a ceiling whatever clients send.
 */
export class DataMemory {
  private used = 0
  private readonly limit: number
  private readonly onRelease: (bytes: number, inUse: number) => void

  /** `onRelease`: told of every release, with what is still in use (to collect garbage after a burst) */
  constructor(limit: number, onRelease: (bytes: number, inUse: number) => void = () => {}) {
    this.limit = limit
    this.onRelease = onRelease
  }

  /** takes `bytes` of message data from the budget; false (and nothing taken) when they do not fit */
  reserve(bytes: number): boolean {
    const cost = bytes * BYTES_PER_MESSAGE_BYTE
    if (this.used + cost > this.limit) return false
    this.used += cost
    return true
  }

  release(bytes: number): void {
    if (bytes <= 0) return
    this.used = Math.max(0, this.used - bytes * BYTES_PER_MESSAGE_BYTE)
    this.onRelease(bytes * BYTES_PER_MESSAGE_BYTE, this.used)
  }

  /** nothing more fits: new messages are turned away at DATA */
  spent(): boolean {
    return this.used >= this.limit
  }

  get inUse(): number {
    return this.used
  }
}
