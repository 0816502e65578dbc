import type { Readable } from "node:stream"
import { emptyScan, finishLineEndings, scanLineEndings } from "../../domain/message/bare-line-endings.ts"

export interface ReadMessage {
  /** the bytes kept: the whole message, unless it went over the limit */
  readonly mime: Uint8Array
  /** every byte the client sent */
  readonly size: number
  /** a CR or LF outside a CRLF somewhere in the message (oversized ones included) */
  readonly bareLineEnding: boolean
}

/**
 * Reads the DATA stream, keeping at most `limit` bytes in memory; an oversized message is counted, not
 * buffered. Each chunk is scanned for bare CR/LF as it arrives, so the check costs no extra copy.
 */
export const readMessage = (stream: Readable, limit: number): Promise<ReadMessage> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let scan = emptyScan
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length
      scan = scanLineEndings(scan, chunk)
      if (size <= limit) chunks.push(chunk)
      else chunks.length = 0
    })
    stream.once("end", () =>
      resolve({
        mime: size <= limit ? Buffer.concat(chunks, size) : new Uint8Array(0),
        size,
        bareLineEnding: finishLineEndings(scan) !== undefined
      })
    )
    stream.once("error", reject)
  })
