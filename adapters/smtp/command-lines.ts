import { CR, LF } from "../../domain/message/ascii.ts"

/** RFC 5321 §4.5.3.1.4 allows 512 octets for a command line; extensions and SASL responses need more. */
export const MAX_COMMAND_LINE = 4096

export const TOO_LONG = Symbol("too long")

/**
 * The client's bytes between commands, cut into lines at LF (a CR before it is dropped). Holds at
 * most one incomplete line of `MAX_COMMAND_LINE` bytes, so a client that never ends its line
 * cannot make it grow.
 */
export class CommandLines {
  private buffer: Uint8Array = new Uint8Array(0)
  private start = 0

  push(chunk: Uint8Array): void {
    if (this.start >= this.buffer.length) {
      this.buffer = chunk
    } else {
      const rest = this.buffer.length - this.start
      const joined = new Uint8Array(rest + chunk.length)
      joined.set(this.buffer.subarray(this.start))
      joined.set(chunk, rest)
      this.buffer = joined
    }
    this.start = 0
  }

  /** The next whole line without its line ending; undefined until one is complete; TOO_LONG for a line over the limit. */
  next(): Uint8Array | typeof TOO_LONG | undefined {
    const lf = this.buffer.indexOf(LF, this.start)
    if (lf === -1) return this.buffer.length - this.start > MAX_COMMAND_LINE ? TOO_LONG : undefined
    const end = lf > this.start && this.buffer[lf - 1] === CR ? lf - 1 : lf
    const line = this.buffer.subarray(this.start, end)
    this.start = lf + 1
    return line.length > MAX_COMMAND_LINE ? TOO_LONG : line
  }

  /** Everything not read as a line yet (the start of a message after DATA), taken out. */
  takeAll(): Uint8Array {
    const rest = this.buffer.subarray(this.start)
    this.clear()
    return rest
  }

  /** Puts back bytes read past the end of a message, ahead of anything buffered. */
  unshift(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    const rest = this.buffer.subarray(this.start)
    this.buffer = new Uint8Array(0)
    this.start = 0
    this.push(bytes)
    if (rest.length > 0) this.push(rest)
  }

  clear(): void {
    this.buffer = new Uint8Array(0)
    this.start = 0
  }

  get buffered(): number {
    return this.buffer.length - this.start
  }
}
