import { Effect, FiberSet, Schema } from "effect"
import type { Duration } from "effect"
import type { MessageLink } from "./message-link.ts"

/**
 * Requests and replies over a MessageLink, for the state a cluster shares (AUTH attempts, metrics):
 * a request is `{ kind, requestId, ...fields }`, its reply `{ kind: <kind>-reply, requestId, result }`.
 * Each side numbers its own requests; the reply kind keeps one conversation's ids from another's.
 */
export const replyKind = (kind: string) => `${kind}-reply`

/** No answer: the channel is gone, or the other side did not reply in time. */
export class NoAnswer extends Schema.TaggedError<NoAnswer>()("NoAnswer", { message: Schema.String }) {}

export const isRecord = (message: unknown): message is Record<string, unknown> => typeof message === "object" && message !== null

const isMessageOf = (kind: string, message: unknown): message is Record<string, unknown> & { readonly requestId: number } =>
  isRecord(message) && message["kind"] === kind && typeof message["requestId"] === "number"

/**
 * The asking side of one kind of request, for as long as the calling scope lives. The result is
 * what the answering side sent, unchecked: both sides are this program, and each message file types it.
 * Without a timeout a request waits as long as its caller does (a connection waiting for a slot).
 * `tell` sends a request whose reply nobody waits for.
 */
export const makeRequester = (link: MessageLink, kind: string) =>
  Effect.gen(function*() {
    const answers = new Map<number, (result: unknown) => void>()
    let nextRequestId = 0
    const stopListening = link.listen((message) => {
      if (!isMessageOf(replyKind(kind), message)) return
      const answer = answers.get(message.requestId)
      answers.delete(message.requestId)
      answer?.(message["result"])
    })
    yield* Effect.addFinalizer(() => Effect.sync(stopListening))

    const tell = (fields: Readonly<Record<string, unknown>>): boolean => link.send({ ...fields, kind, requestId: nextRequestId++ })

    const request = (fields: Readonly<Record<string, unknown>>, timeout?: Duration.Input): Effect.Effect<unknown, NoAnswer> => {
      const asked = Effect.callback<unknown, NoAnswer>((resume) => {
        const requestId = nextRequestId++
        answers.set(requestId, (result) => resume(Effect.succeed(result)))
        if (!link.send({ ...fields, kind, requestId })) {
          answers.delete(requestId)
          return resume(Effect.fail(new NoAnswer({ message: `no channel for ${kind}` })))
        }
        return Effect.sync(() => answers.delete(requestId))
      })
      return timeout === undefined ? asked : asked.pipe(
        Effect.timeoutOrElse({
          duration: timeout,
          orElse: () => Effect.fail(new NoAnswer({ message: `no reply to ${kind} in time` }))
        })
      )
    }
    return { request, tell }
  })

export type Requester = Effect.Success<ReturnType<typeof makeRequester>>

/**
 * The answering side of one kind of request, for as long as the calling scope lives: `answer` turns
 * a request into its result, or into undefined for a malformed one, which gets no reply. Answers run
 * on fibers of their own, each replying once done; they stop with the scope.
 */
export const answerRequests = (
  link: MessageLink,
  kind: string,
  answer: (request: Readonly<Record<string, unknown>>) => Effect.Effect<unknown> | undefined
) =>
  Effect.gen(function*() {
    const run = yield* FiberSet.makeRuntime<never>()
    const stopListening = link.listen((message) => {
      if (!isMessageOf(kind, message)) return
      const result = answer(message)
      if (result === undefined) return
      run(result.pipe(Effect.tap((value) => Effect.sync(() => link.send({ kind: replyKind(kind), requestId: message.requestId, result: value })))))
    })
    yield* Effect.addFinalizer(() => Effect.sync(stopListening))
  })
