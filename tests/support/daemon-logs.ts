import type { RunningDaemon } from "./daemon.ts"

/** One JSON log line of the daemon: its message and annotations (a cluster worker's carry `worker` and `pid`). */
export interface LogLine {
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
}

export const logLines = (daemon: RunningDaemon): Array<LogLine> =>
  daemon.logs().flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as Partial<LogLine>
      return typeof parsed.message === "string" ? [{ message: parsed.message, annotations: parsed.annotations ?? {} }] : []
    } catch {
      return []
    }
  })

/** How many lines carry this message (e.g. how many messages were queued so far). */
export const countOf = (daemon: RunningDaemon, message: string) => logLines(daemon).filter((l) => l.message === message).length

/** The values one annotation took in the lines with this message (e.g. which worker pids queued a message). */
export const annotationOf = (daemon: RunningDaemon, message: string, annotation: string) =>
  new Set(logLines(daemon).filter((l) => l.message === message).map((l) => l.annotations[annotation]))

/** The pids of every worker that has listened so far (a restarted worker adds one). */
export const listeningPids = (daemon: RunningDaemon) => [...annotationOf(daemon, "listening", "pid")].map(Number)

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const waitFor = async (what: string, condition: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}
