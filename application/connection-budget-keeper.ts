import { Context, Deferred, Effect, Layer, Option } from "effect"
import {
  acquireOutgoing,
  changeLimits,
  emptyBudget,
  releaseIncoming,
  releaseOutgoing,
  requestIncoming,
  withdrawWaiting
} from "../domain/connections/connection-budget.ts"
import type { BudgetLimits, BudgetState } from "../domain/connections/connection-budget.ts"
import { ConnectionBudget } from "./ports/connection-budget.ts"
import type { Admission, ConnectionBudgetShape } from "./ports/connection-budget.ts"

export interface ConnectionBudgetLimitsShape {
  /**
   * Limits and wait bound from now on (a reload): connections in keep their slots, waiting ones
   * that now fit come in; a wait already running keeps the bound it started with.
   */
  setLimits(limits: BudgetLimits, maxWaitMs: number): Effect.Effect<void>
}

/** The limits of the budget this process holds (one process, or a cluster's primary), for a reload to change. */
export class ConnectionBudgetLimits extends Context.Service<ConnectionBudgetLimits, ConnectionBudgetLimitsShape>()(
  "smtp-intake/ConnectionBudgetLimits"
) {}

/**
 * Keeps the connection budget of this process: the domain's accounting, plus waking the
 * connections that wait for a slot, and refusing those that waited `maxWaitMs` in vain.
 */
export const makeConnectionBudget = (initialLimits: BudgetLimits, initialMaxWaitMs: number) =>
  Effect.sync((): ConnectionBudgetShape & ConnectionBudgetLimitsShape & { readonly admitAtOnce: (id: string) => boolean } => {
    let limits = initialLimits
    let maxWaitMs = initialMaxWaitMs
    let state: BudgetState = emptyBudget
    const waiters = new Map<string, Deferred.Deferred<void>>()
    /** who holds an incoming slot: a release of anyone else (twice, or never admitted) frees nothing */
    const holders = new Set<string>()
    const wake = (ids: ReadonlyArray<string>) => {
      for (const id of ids) {
        holders.add(id)
        const waiter = waiters.get(id)
        waiters.delete(id)
        if (waiter !== undefined) Deferred.doneUnsafe(waiter, Effect.void)
      }
    }

    // Only the wait itself can be interrupted (the client left): every other step is atomic.
    const admitIncoming = (id: string): Effect.Effect<Admission> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const waiter = yield* Deferred.make<void>()
          const verdict = yield* Effect.sync(() => {
            const step = requestIncoming(limits, state, id)
            state = step.state
            if (step.verdict === "admitted") holders.add(id)
            if (step.verdict === "waiting") waiters.set(id, waiter)
            return step.verdict
          })
          if (verdict !== "waiting") return verdict
          const woken = yield* restore(Deferred.await(waiter).pipe(Effect.timeoutOption(maxWaitMs))).pipe(
            Effect.onInterrupt(() => Effect.sync(() => leave(id)))
          )
          if (Option.isSome(woken)) return "admitted"
          // The wait ran out, unless the slot came in the same instant.
          return yield* Effect.sync((): Admission => (state.waiting.includes(id) ? (leave(id), "refused") : "admitted"))
        })
      )

    /** A waiting connection leaves: withdrawn if still waiting, or its slot handed on if it had just got one. */
    const leave = (id: string) => {
      waiters.delete(id)
      if (state.waiting.includes(id)) {
        state = withdrawWaiting(state, id)
        return
      }
      releaseSlotOf(id)
    }

    const releaseSlotOf = (id: string) => {
      if (!holders.delete(id)) return
      const next = releaseIncoming(limits, state)
      state = next.state
      wake(next.admitted)
    }

    const release = (step: (s: BudgetState) => { state: BudgetState; admitted: ReadonlyArray<string> }) =>
      Effect.sync(() => {
        const next = step(state)
        state = next.state
        wake(next.admitted)
      })

    const admitAtOnce = (id: string): boolean => {
      const step = requestIncoming(limits, state, id)
      if (step.verdict !== "admitted") return false
      state = step.state
      holders.add(id)
      return true
    }

    return {
      admitIncoming,
      admitAtOnce,
      releaseIncoming: (id) => Effect.sync(() => releaseSlotOf(id)),
      acquireOutgoing: Effect.sync(() => {
        const next = acquireOutgoing(limits, state)
        state = next.state
        return next.granted
      }),
      releaseOutgoing: release((s) => releaseOutgoing(limits, s)),
      usage: Effect.sync(() => ({ incoming: state.incoming, outgoing: state.outgoing, waiting: state.waiting.length })),
      setLimits: (next, nextMaxWaitMs) =>
        Effect.sync(() => {
          limits = next
          maxWaitMs = nextMaxWaitMs
          const step = changeLimits(limits, state)
          state = step.state
          wake(step.admitted)
        })
    }
  })

/** The budget of this process, and its limits for a reload to change. */
export const ConnectionBudgetLayer = (limits: BudgetLimits, maxWaitMs: number) =>
  Layer.effectContext(makeConnectionBudget(limits, maxWaitMs).pipe(Effect.map((budget) =>
    Context.make(ConnectionBudget, budget).pipe(Context.add(ConnectionBudgetLimits, budget))
  )))
