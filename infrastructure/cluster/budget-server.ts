import { Effect, FiberMap, FiberSet } from "effect"
import { BUDGET, isBudgetRequest } from "../../adapters/cluster/budget-messages.ts"
import { replyKind } from "../../adapters/cluster/ipc-requests.ts"
import type { BudgetOp, BudgetRequest, BudgetResults, MessageLink } from "../../adapters/cluster/budget-messages.ts"
import type { Admission, ConnectionBudgetShape } from "../../application/ports/connection-budget.ts"

/**
 * The primary's side of the connection budget (smtp-threads > 1): answers every worker's requests
 * from the one real budget. Each worker's slots are booked under its name, so that when a worker is
 * gone every slot it held goes back and its connections still waiting for one are withdrawn.
 */
export const makeBudgetServer = (budget: ConnectionBudgetShape) =>
  Effect.gen(function*() {
    // Releases run on the primary's own fibers: a release in flight must finish even if its worker dies.
    const run = yield* FiberSet.makeRuntime<never>()

    /** Answers one worker's requests for as long as the calling scope lives, and then gives back all it held. */
    const serve = (worker: string, link: MessageLink) =>
      Effect.gen(function*() {
        const waiting = yield* FiberMap.make<string>()
        const admit = yield* FiberMap.runtime(waiting)<never>()
        const held = new Set<string>()
        let outgoing = 0
        const key = (id: string) => `${worker}/${id}`

        const reply = <Op extends BudgetOp>(request: BudgetRequest, result: BudgetResults[Op]) =>
          void link.send({ kind: replyKind(BUDGET), requestId: request.requestId, result })
        const answer = <Op extends BudgetOp>(request: BudgetRequest, effect: Effect.Effect<BudgetResults[Op]>) =>
          void run(effect.pipe(Effect.tap((result) => Effect.sync(() => reply(request, result)))))

        /** A held slot goes back; a connection still waiting is withdrawn (the keeper hands on a slot it got meanwhile). */
        const giveBack = (id: string) => held.delete(id) ? budget.releaseIncoming(key(id)) : FiberMap.remove(waiting, id)

        const settle = (request: BudgetRequest, admission: Admission) => {
          if (admission === "admitted") held.add(request.id)
          reply(request, admission)
        }

        const handle = (request: BudgetRequest) => {
          switch (request.op) {
            case "admitIncoming":
              // a free slot is answered at once, with no fiber; a wait is a fiber, keyed to be withdrawn
              if (budget.admitAtOnce?.(key(request.id)) === true) return settle(request, "admitted")
              return void admit(
                request.id,
                budget.admitIncoming(key(request.id)).pipe(Effect.tap((admission) => Effect.sync(() => settle(request, admission))))
              )
            case "releaseIncoming":
              // a worker tells, and waits for no reply
              return void run(giveBack(request.id))
            case "acquireOutgoing":
              return answer(request, budget.acquireOutgoing.pipe(Effect.tap((granted) => Effect.sync(() => {
                if (granted) outgoing++
              }))))
            case "releaseOutgoing":
              if (outgoing === 0) return reply(request, null)
              outgoing--
              return answer(request, budget.releaseOutgoing.pipe(Effect.as(null)))
            case "usage":
              return answer(request, budget.usage)
          }
        }

        const stopListening = link.listen((message) => {
          if (isBudgetRequest(message)) handle(message)
        })
        yield* Effect.addFinalizer(() =>
          Effect.gen(function*() {
            stopListening()
            yield* FiberMap.clear(waiting)
            for (const id of [...held]) yield* giveBack(id)
            for (; outgoing > 0; outgoing--) yield* budget.releaseOutgoing
          })
        )
      })

    return { serve }
  })

export type BudgetServer = Effect.Success<ReturnType<typeof makeBudgetServer>>
