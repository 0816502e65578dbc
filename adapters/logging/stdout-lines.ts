import { writeSync } from "node:fs"
import { Logger, References } from "effect"

/**
 * Log lines gathered for a few milliseconds and written to stdout together: one write instead of
 * one per line (a busy daemon logs one or two lines per message, and each write to a pipe wakes its
 * reader). Whatever is still pending when the process exits is written synchronously first, so an
 * orderly exit or a crash loses nothing; only a SIGKILL can lose the last few milliseconds.
 */
const FLUSH_AFTER_MS = 5
/** written at once past this much, so that a burst never holds much */
const FLUSH_AT_CHARS = 64 * 1024
const pending: Array<string> = []
let pendingChars = 0
let timer: ReturnType<typeof setTimeout> | undefined

const flush = () => {
  clearTimeout(timer)
  timer = undefined
  if (pending.length === 0) return
  const text = pending.join("")
  pending.length = 0
  pendingChars = 0
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
  pendingChars += line.length + 1
  if (pendingChars >= FLUSH_AT_CHARS) return flush()
  // unref'd: pending lines keep no process alive, the exit handler writes them
  timer ??= setTimeout(flush, FLUSH_AFTER_MS).unref()
}

const plain = (value: unknown): boolean => {
  const type = typeof value
  return type === "string" || type === "boolean" || (type === "number" && Number.isFinite(value))
}

/**
 * The daemon's log: one JSON object per line on stdout, as Effect's `Logger.formatJson` writes it
 * (message, level, timestamp, annotations, spans, fiberId). A line of a message and plain
 * annotations, which is every line the sessions write, is built here with one JSON.stringify: a
 * third of the time of Effect's cycle-safe formatter (5 against 17 µs a line, a few % of a
 * message's CPU). Anything else goes through Effect's.
 */
export const jsonLinesTo = (write: (line: string) => void) => {
  // Effect's own JSON formatting: for what is not plain (a cause, objects, spans), which it renders safely
  const formatted = Logger.map(Logger.formatJson, write)
  return Logger.make<unknown, void>((options) => {
    const { cause, date, fiber, logLevel, message } = options
    const text = Array.isArray(message) && message.length === 1 ? message[0] : message
    const annotations = fiber.getRef(References.CurrentLogAnnotations)
    const fast = typeof text === "string" && cause.reasons.length === 0 &&
      fiber.getRef(References.CurrentLogSpans).length === 0 && Object.values(annotations).every(plain)
    if (!fast) return formatted.log(options)
    write(JSON.stringify({
      message: text,
      level: logLevel.toUpperCase(),
      timestamp: date.toISOString(),
      annotations,
      spans: {},
      fiberId: `#${fiber.id}`
    }))
  })
}

export const jsonLinesLogger = jsonLinesTo(writeLogLine)
