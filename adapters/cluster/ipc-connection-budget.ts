import { Effect, Layer } from "effect"
import { ConnectionBudget } from "../../application/ports/connection-budget.ts"
import { isBudgetReply } from "./budget-messages.ts"
import type { BudgetOp, BudgetResults } from "./budget-messages.ts"
import { primaryLink } from "./message-link.ts"
import type { MessageLink } from "./message-link.ts"

/**
 * The connection budget of a cluster worker (smtp-threads > 1): every question goes to the primary,
 * which holds the one real budget for all workers. A connection that stops waiting (the client
 * left) tells the primary, so that its place in the queue, or a slot granted in that instant, goes
 * back. Without a channel (the primary is gone and this worker is about to exit) connections are refused.
 */
export const makeIpcConnectionBudget = (link: MessageLink) =>
  Effect.gen(function*() {
    const answers = new Map<number, (result: BudgetResults[BudgetOp]) => void>()
    let nextRequestId = 0
    const stopListening = link.listen((message) => {
      if (!isBudgetReply(message)) return
      const answer = answers.get(message.requestId)
      answers.delete(message.requestId)
      answer?.(message.result)
    })
    yield* Effect.addFinalizer(() => Effect.sync(stopListening))

    const tell = (op: BudgetOp, id: string) => link.send({ kind: "budget", op, id, requestId: nextRequestId++ })

    const ask = <Op extends BudgetOp>(op: Op, id: string, unanswered: BudgetResults[Op]) =>
      Effect.callback<BudgetResults[Op]>((resume) => {
        const requestId = nextRequestId++
        // The primary answers a request with the result of the op it names.
        answers.set(requestId, (result) => resume(Effect.succeed(result as BudgetResults[Op])))
        if (!link.send({ kind: "budget", op, id, requestId })) {
          answers.delete(requestId)
          return resume(Effect.succeed(unanswered))
        }
        return Effect.sync(() => answers.delete(requestId))
      })

    return ConnectionBudget.of({
      admitIncoming: (id) =>
        ask("admitIncoming", id, "refused").pipe(Effect.onInterrupt(() => Effect.sync(() => tell("releaseIncoming", id)))),
      releaseIncoming: (id) => Effect.asVoid(ask("releaseIncoming", id, null)),
      acquireOutgoing: ask("acquireOutgoing", "", false),
      releaseOutgoing: Effect.asVoid(ask("releaseOutgoing", "", null)),
      usage: ask("usage", "", { incoming: 0, outgoing: 0, waiting: 0 })
    })
  })

export const IpcConnectionBudget = (link: MessageLink = primaryLink) =>
  Layer.effect(ConnectionBudget, makeIpcConnectionBudget(link))
