import { writeSync } from "node:fs"
import { Logger } from "effect"

/**
 * Log lines gathered during one turn of the event loop and written to stdout together: one
 * write instead of one per line (a busy daemon logs two lines per message). Whatever is still
 * pending when the process exits is written synchronously first, so an orderly exit or a crash
 * loses nothing; only a SIGKILL can lose the lines of the current turn.
 */
const pending: Array<string> = []
let scheduled = false

const flush = () => {
  scheduled = false
  if (pending.length === 0) return
  const text = pending.join("")
  pending.length = 0
  writeAll(text)
}

const writeAll = (text: string) => {
  const bytes = Buffer.from(text)
  let at = 0
  while (at < bytes.length) {
    try {
      at += writeSync(1, bytes, at)
    } catch (error) {
      // a non-blocking stdout (a terminal, some pipes) may be full for a moment
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") return
    }
  }
}

process.once("exit", flush)

export const writeLogLine = (line: string): void => {
  pending.push(line, "\n")
  if (scheduled) return
  scheduled = true
  setImmediate(flush)
}

/** The daemon's log: one JSON object per line on stdout. */
export const jsonLinesLogger = Logger.map(Logger.formatJson, writeLogLine)
