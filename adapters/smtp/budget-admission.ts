import type { Socket } from "node:net"
import { Effect } from "effect"
import type { ConnectionBudgetShape } from "../../application/ports/connection-budget.ts"

type Run = <A, E>(effect: Effect.Effect<A, E>) => Promise<A>

/** Resolves when the client goes away, so that a held connection stops waiting for a slot. */
const socketClosed = (socket: Socket) =>
  Effect.callback<"gone">((resume) => {
    if (socket.destroyed) return resume(Effect.succeed("gone"))
    const onClose = () => resume(Effect.succeed("gone"))
    socket.once("close", onClose)
    return Effect.sync(() => socket.off("close", onClose))
  })

/**
 * SPEC §5: an incoming connection over budget is held (no greeting, nothing read) until a slot
 * frees, in arrival order; after the wait it gets 421 4.7.0 and is closed. Its slot is handed back
 * when it closes. Node cannot stop accepting on a listening socket, so "held" means accepted by the
 * kernel but not yet served. A budget held in this process admits at once when a slot is free,
 * without a fiber (the usual case, once per connection).
 */
export const budgetAdmission = (run: Run, budget: ConnectionBudgetShape, hostname: () => string, onRefused: (socket: Socket) => void) =>
(socket: Socket, id: string): Promise<boolean> => {
  const admitted = () => {
    const release = () => void run(budget.releaseIncoming(id)).catch(() => {})
    if (socket.destroyed) {
      release()
      return false
    }
    socket.once("close", release)
    return true
  }
  if (budget.admitAtOnce?.(id) === true) return Promise.resolve(admitted())
  return run(budget.admitIncoming(id).pipe(Effect.raceFirst(socketClosed(socket)))).then(
    (outcome) => {
      if (outcome === "admitted") return admitted()
      if (outcome === "refused") {
        onRefused(socket)
        if (!socket.destroyed) socket.end(`421 4.7.0 ${hostname()} Too many connections, try again later\r\n`)
      }
      return false
    }
  )
}
