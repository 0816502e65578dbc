import { Clock, Effect, Option } from "effect"
import { CONSOLE_COLLECT, CONSOLE_READ } from "../../adapters/cluster/console-messages.ts"
import { answerRequests, makeRequester } from "../../adapters/cluster/ipc-requests.ts"
import type { Requester } from "../../adapters/cluster/ipc-requests.ts"
import type { MessageLink } from "../../adapters/cluster/message-link.ts"
import { daemonFactsOf } from "../../application/console/daemon-facts.ts"
import type { ProcessConsole } from "../../application/ports/daemon-facts.ts"

/** How long a console request waits for each worker's part: a stuck worker must not hang it. */
const COLLECT_TIMEOUT = "1500 millis"

/**
 * The primary's side of the console (smtp-threads > 1). A console request reaches one worker,
 * which asks the primary; the primary asks every worker for its part (settings, last reload,
 * refusals) and puts them together. A worker that does not answer in time is left out.
 */
export const makeConsoleServer = Effect.gen(function*() {
  const members = new Map<string, Requester>()

  const read = Effect.gen(function*() {
    const answers = yield* Effect.forEach([...members.values()], (member) =>
      member.request({}, COLLECT_TIMEOUT).pipe(
        // a worker answers with its own part
        Effect.map((result) => result as ProcessConsole),
        Effect.option
      ), { concurrency: "unbounded" })
    return daemonFactsOf(answers.flatMap(Option.toArray), yield* Clock.currentTimeMillis)
  })

  /** Takes part one worker in the console for as long as the calling scope lives. */
  const serve = (worker: string, link: MessageLink) =>
    Effect.gen(function*() {
      members.set(worker, yield* makeRequester(link, CONSOLE_COLLECT))
      yield* answerRequests(link, CONSOLE_READ, () => read)
      yield* Effect.addFinalizer(() => Effect.sync(() => void members.delete(worker)))
    })

  return { serve }
})
