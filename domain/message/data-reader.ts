import { CR, DOT, LF, NUL, searchableText } from "./ascii.ts"
import { emptyScan, finishLineEndings, scanTextLineEndings } from "./bare-line-endings.ts"
import type { LineEndingScan } from "./bare-line-endings.ts"
import { concatBytes } from "./json-bytes.ts"


/** A message as DATA delivered it, once its end arrived. */
export interface ReceivedData {
  /** the message after dot-unstuffing; empty when it went over the limit (only counted, not kept) */
  readonly mime: Uint8Array
  /** its size after dot-unstuffing, every byte counted, kept or not */
  readonly size: number
  /** a CR or LF outside a CRLF somewhere in it (RFC 5321 §2.3.8) */
  readonly bareLineEnding: boolean
  /** a NUL byte somewhere in it (RFC 5322 §2.1, RFC 6152) */
  readonly nul: boolean
  /** it was told to keep nothing (the memory budget ran out): counted, not kept */
  readonly overBudget: boolean
}

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => (parts.length === 1 ? parts[0]! : concatBytes(parts))

/**
 * The DATA stream of RFC 5321 §4.1.1.4 and §4.5.2, read as it arrives in chunks of any size.
 * The data ends at CRLF "." CRLF; the CRLF is the last line's own, and the data may also end at
 * once with "." CRLF. A line that starts with "." loses that first "." (transparency). A line
 * starts only after a CRLF: after a bare LF or CR nothing ends the data, so `<LF>.<CR><LF>` can
 * smuggle no second message past a hop that reads it otherwise (and the message is refused for
 * its bare LF anyway). At most `limit` bytes are kept; past it they are only counted.
 *
 * Pure: no I/O, only the state of one message in progress.
 */
export class DataReader {
  private readonly kept: Array<Uint8Array> = []
  private size = 0
  private scan: LineEndingScan = emptyScan
  private nul = false
  private keeping = true
  /** the next byte starts a line: after 354, and after every CRLF */
  private atLineStart = true
  /** the last byte taken ended in CR: an LF at the start of the next chunk completes a CRLF */
  private lastWasCr = false
  /** up to two bytes at a line start ("." or ".\r") that the next chunk decides */
  private carry: Uint8Array = new Uint8Array(0)

  private readonly limit: number

  constructor(limit: number) {
    this.limit = limit
  }

  /**
   * Takes the next chunk. Returns the offset in `chunk` just past the end of the data once it is
   * there (what follows belongs to the commands after it), else -1: all of it was taken.
   */
  push(chunk: Uint8Array): number {
    const carried = this.carry.length
    const data = carried === 0 ? chunk : concat([this.carry, chunk])
    this.carry = new Uint8Array(0)
    // read once as text, for the native searches below (a line that starts with a dot, a bare CR or LF)
    const text = searchableText(data)
    let pos = 0
    for (;;) {
      if (this.atLineStart) {
        if (pos >= data.length) return -1
        if (data[pos] === DOT) {
          if (pos + 1 >= data.length || (data[pos + 1] === CR && pos + 2 >= data.length)) {
            this.carry = data.slice(pos)
            return -1
          }
          if (data[pos + 1] === CR && data[pos + 2] === LF) return pos + 3 - carried
          pos += 1
        }
        this.atLineStart = false
      }
      // Taken in spans up to the next line that starts with a dot (or may: the chunk ends after a CRLF),
      // so that ordinary lines cost one indexOf each and nothing more.
      const cut = this.nextDotLine(data, text, pos)
      if (cut === -1) {
        if (pos < data.length) this.take(data.subarray(pos), text.slice(pos))
        return -1
      }
      if (cut > pos) this.take(data.subarray(pos, cut), text.slice(pos, cut))
      pos = cut
      this.atLineStart = true
    }
  }

  /**
   * Just past the first CRLF from `from` on that is followed by a dot or by the end of the chunk
   * (where a dot may come next), else -1. The byte before an LF at `from` was taken before it.
   */
  private nextDotLine(data: Uint8Array, text: string, from: number): number {
    let at = from
    if (data[from] === LF && this.lastWasCr) {
      if (from + 1 >= data.length || data[from + 1] === DOT) return from + 1
      at = from + 1
    }
    const dotLine = text.indexOf("\r\n.", at)
    if (dotLine !== -1) return dotLine + 2
    const end = data.length
    return end - 2 >= at && data[end - 2] === CR && data[end - 1] === LF ? end : -1
  }

  /** the bytes kept so far (0 once over the limit, or once told to keep nothing) */
  get keptBytes(): number {
    return this.keeping && this.size <= this.limit ? this.size : 0
  }

  /** From now on the message is only counted, as if over the limit (the memory budget is spent). */
  keepNothing(): void {
    this.keeping = false
    this.kept.length = 0
  }

  /** The message, once `push` found its end. */
  finish(): ReceivedData {
    const within = this.keeping && this.size <= this.limit
    return {
      mime: within ? concat(this.kept) : new Uint8Array(0),
      size: this.size,
      bareLineEnding: finishLineEndings(this.scan) !== undefined,
      nul: this.nul,
      overBudget: !this.keeping
    }
  }

  private take(bytes: Uint8Array, text: string) {
    this.size += bytes.length
    this.scan = scanTextLineEndings(this.scan, bytes, text)
    if (!this.nul && bytes.indexOf(NUL) !== -1) this.nul = true
    this.lastWasCr = bytes[bytes.length - 1] === CR
    if (this.keeping && this.size <= this.limit) this.kept.push(bytes)
    else this.kept.length = 0
  }
}
