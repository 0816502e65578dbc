import { Effect, Layer } from "effect"
import { ConnectionBudget } from "../../application/ports/connection-budget.ts"
import { BUDGET } from "./budget-messages.ts"
import type { BudgetOp, BudgetResults } from "./budget-messages.ts"
import { makeRequester } from "./ipc-requests.ts"
import { primaryLink } from "./message-link.ts"
import type { MessageLink } from "./message-link.ts"

/**
 * The connection budget of a cluster worker (smtp-threads > 1): every question goes to the primary,
 * which holds the one real budget for all workers. A connection that stops waiting (the client
 * left) tells the primary, so that its place in the queue, or a slot granted in that instant, goes
 * back; so does a connection that ends (a release gets no reply). Without a channel (the primary is gone and this worker is about to exit) connections are refused.
 */
export const makeIpcConnectionBudget = (link: MessageLink) =>
  Effect.gen(function*() {
    const { request, tell } = yield* makeRequester(link, BUDGET)

    const ask = <Op extends BudgetOp>(op: Op, id: string, unanswered: BudgetResults[Op]) =>
      request({ op, id }).pipe(
        // The primary answers a request with the result of the op it names.
        Effect.map((result) => result as BudgetResults[Op]),
        Effect.catch(() => Effect.succeed(unanswered))
      )

    return ConnectionBudget.of({
      admitIncoming: (id) =>
        ask("admitIncoming", id, "refused").pipe(Effect.onInterrupt(() => Effect.sync(() => tell({ op: "releaseIncoming", id })))),
      // told, not asked: nothing waits on it, and the primary gives back a gone worker's slots anyway
      releaseIncoming: (id) => Effect.sync(() => void tell({ op: "releaseIncoming", id })),
      acquireOutgoing: ask("acquireOutgoing", "", false),
      releaseOutgoing: Effect.asVoid(ask("releaseOutgoing", "", null)),
      usage: ask("usage", "", { incoming: 0, outgoing: 0, waiting: 0 })
    })
  })

export const IpcConnectionBudget = (link: MessageLink = primaryLink) =>
  Layer.effect(ConnectionBudget, makeIpcConnectionBudget(link))
