/**
 * Whatever the bench changed or started is undone when it ends, however it ends: a crash, ^C, or a
 * kill. The servers it started are stopped (none is left holding its port) and the CPU affinity it
 * gave the broker is put back (`--pin`). A first ^C stops the servers, so that the run under way
 * fails and the bench's own clean-up (its queues deleted) runs; a second one exits at once.
 */
import type { ChildProcess } from "node:child_process"

const running = new Set<ChildProcess>()
const undo: Array<() => void> = []
/** how long the bench's own clean-up may take after a signal */
const CLEAN_UP_MS = 15_000

const stopAll = () => {
  for (const child of running) child.kill("SIGTERM")
}

process.once("exit", () => {
  stopAll()
  for (const step of undo) step()
})
let stopping = false
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.on(signal, () => {
    if (stopping) return process.exit(code)
    stopping = true
    process.exitCode = code
    process.stderr.write(`bench: ${signal}, stopping (again to exit at once)\n`)
    stopAll()
    setTimeout(() => process.exit(code), CLEAN_UP_MS).unref()
  })
}

/** Stops `child` when the bench ends or is stopped, if it is still running then. */
export const stopOnExit = <C extends ChildProcess>(child: C): C => {
  running.add(child)
  child.once("exit", () => running.delete(child))
  return child
}

/** Runs `step` when the bench exits. */
export const atExit = (step: () => void): void => {
  undo.push(step)
}
