import { Deferred, Effect, Option, Schema } from "effect"
import { createSocket } from "node:dgram"
import type { Socket } from "node:dgram"

export class UdpExchangeFailed extends Schema.TaggedError<UdpExchangeFailed>()("UdpExchangeFailed", {
  message: Schema.String
}) {}

export interface UdpExchange<A> {
  readonly packet: Buffer
  readonly address: string
  readonly family: 4 | 6
  readonly port: number
  /** tries in all, each waiting this long for the answer */
  readonly tries: number
  readonly timeoutMs: number
  /** what a datagram from the peer answers, or undefined when it answers nothing */
  readonly answer: (datagram: Buffer) => A | undefined
}

const describe = (error: Error): string => {
  const code = (error as { code?: unknown }).code
  return typeof code === "string" && !error.message.includes(code) ? `${code} ${error.message}` : error.message
}

/**
 * Sends `packet` from a fresh socket and resends the same bytes while no answer comes,
 * so the peer sees retransmissions, not new requests. An answer to an earlier try still
 * counts. The socket is closed however this ends (answer, failure, interruption).
 */
export const udpExchange = <A>(exchange: UdpExchange<A>): Effect.Effect<A, UdpExchangeFailed> =>
  Effect.scoped(Effect.gen(function*() {
    const answered = yield* Deferred.make<A, UdpExchangeFailed>()
    const socket = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const socket = createSocket(exchange.family === 6 ? "udp6" : "udp4")
        // a socket 'error' without a listener would crash the process
        socket.on("error", (error) => {
          Deferred.doneUnsafe(answered, Effect.fail(new UdpExchangeFailed({ message: describe(error) })))
        })
        socket.on("message", (datagram, from) => {
          if (from.port !== exchange.port) return
          const answer = exchange.answer(datagram)
          if (answer !== undefined) Deferred.doneUnsafe(answered, Effect.succeed(answer))
        })
        return socket
      }),
      (socket) => Effect.sync(() => closeQuietly(socket))
    )
    const send = Effect.callback<void, UdpExchangeFailed>((resume) => {
      socket.send(exchange.packet, exchange.port, exchange.address, (error) => {
        resume(error === null ? Effect.void : Effect.fail(new UdpExchangeFailed({ message: describe(error) })))
      })
    })
    for (let attempt = 1; attempt <= exchange.tries; attempt++) {
      yield* send
      const answer = yield* Deferred.await(answered).pipe(Effect.timeoutOption(exchange.timeoutMs))
      if (Option.isSome(answer)) return answer.value
    }
    return yield* new UdpExchangeFailed({
      message: `no answer after ${exchange.tries} ${exchange.tries === 1 ? "try" : "tries"} of ${exchange.timeoutMs} ms`
    })
  }))

const closeQuietly = (socket: Socket): void => {
  try {
    socket.close()
  } catch {
    // already closed: nothing left to free
  }
}
