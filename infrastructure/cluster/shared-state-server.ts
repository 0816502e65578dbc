import { Effect } from "effect"
import type { MessageLink } from "../../adapters/cluster/message-link.ts"
import type { ConnectionBudgetShape } from "../../application/ports/connection-budget.ts"
import type { Settings } from "../../domain/config/settings.ts"
import { authBackendLabel } from "../daemon.ts"
import { makeAuthAttemptsServer } from "./auth-attempts-server.ts"
import { makeBudgetServer } from "./budget-server.ts"
import { makeConsoleServer } from "./console-server.ts"
import { makeJournalsServer } from "./journals-server.ts"
import { makeMetricsServer } from "./metrics-server.ts"

/**
 * What the primary shares with its workers (smtp-threads > 1), each answered over the worker's IPC
 * channel: the connection budget (`budget-server.ts`), the AUTH attempts (`auth-attempts-server.ts`)
 * the whole daemon's metrics (`metrics-server.ts`), its sessions' journals (`journals-server.ts`) and
 * what the console shows of each worker (`console-server.ts`).
 */
export const makeSharedStateServer = (settings: Settings, budget: ConnectionBudgetShape) =>
  Effect.gen(function*() {
    const budgetServer = yield* makeBudgetServer(budget)
    const attempts = yield* makeAuthAttemptsServer
    const metrics = yield* makeMetricsServer(budget, authBackendLabel(settings))
    const journals = yield* makeJournalsServer
    const consoleParts = yield* makeConsoleServer

    /** Serves one worker for as long as the calling scope lives; then gives back what it held. */
    const serve = (worker: string, link: MessageLink) =>
      Effect.gen(function*() {
        yield* budgetServer.serve(worker, link)
        yield* attempts.serve(link)
        yield* metrics.serve(worker, link)
        yield* journals.serve(worker, link)
        yield* consoleParts.serve(worker, link)
      })

    return { serve }
  })

export type SharedStateServer = Effect.Success<ReturnType<typeof makeSharedStateServer>>
