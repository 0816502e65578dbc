import type { Readable } from "node:stream"

export interface ReadMessage {
  /** the bytes kept: the whole message, unless it went over the limit */
  readonly mime: Uint8Array
  /** every byte the client sent */
  readonly size: number
}

/** Reads the DATA stream, keeping at most `limit` bytes in memory; an oversized message is counted, not buffered. */
export const readMessage = (stream: Readable, limit: number): Promise<ReadMessage> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
      else chunks.length = 0
    })
    stream.once("end", () => resolve({ mime: size <= limit ? Buffer.concat(chunks, size) : new Uint8Array(0), size }))
    stream.once("error", reject)
  })
