import { connect } from "node:net"
import { Effect, Layer } from "effect"
import { SpamScanFailed, SpamScanner } from "../../application/ports/spam-scanner.ts"
import type { SpamVerdict } from "../../domain/checks/verdicts.ts"
import { parseSpamdReply, spamcRequest } from "./spamd-protocol.ts"

export interface SpamdOptions {
  /** spamassassin-host */
  readonly host: string
  /** spamassassin-port */
  readonly port: number
  /** for the whole exchange, connect included; default 30 s (the use case sets its own, shorter deadline) */
  readonly timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 30_000
/** a SYMBOLS reply is a few hundred bytes; more is not spamd */
const MAX_REPLY_BYTES = 64 * 1024

const describe = (error: Error): string => {
  const code = (error as { code?: unknown }).code
  return typeof code === "string" && !error.message.includes(code) ? `${code} ${error.message}` : error.message
}

/**
 * One SYMBOLS exchange per message over a fresh TCP connection, as spamc does: send the request,
 * half-close, read the reply to its end. The socket is destroyed however this ends.
 */
export const spamdScan = (options: SpamdOptions, mime: Uint8Array): Effect.Effect<SpamVerdict, SpamScanFailed> =>
  Effect.callback<SpamVerdict, SpamScanFailed>((resume) => {
    const where = `spamd at ${options.host}:${options.port}`
    const socket = connect({ host: options.host, port: options.port })
    const chunks: Array<Buffer> = []
    let received = 0
    const fail = (why: string) => {
      socket.destroy()
      resume(Effect.fail(new SpamScanFailed({ message: `${where}: ${why}` })))
    }
    socket.setTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => fail("no answer in time"))
    socket.on("error", (error) => fail(describe(error)))
    socket.once("connect", () => socket.end(spamcRequest(mime)))
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length
      if (received > MAX_REPLY_BYTES) return fail(`reply longer than ${MAX_REPLY_BYTES} bytes`)
      chunks.push(chunk)
    })
    socket.once("end", () => {
      socket.destroy()
      const reply = parseSpamdReply(Buffer.concat(chunks))
      resume(reply.ok ? Effect.succeed(reply.verdict) : Effect.fail(new SpamScanFailed({ message: `${where}: ${reply.reason}` })))
    })
    return Effect.sync(() => socket.destroy())
  })

/** Scans with the spamd that `options` names at the time of each scan (a reload may move it). */
export const SpamdScanner = (options: Effect.Effect<SpamdOptions>) =>
  Layer.succeed(SpamScanner, SpamScanner.of({ scan: (mime) => Effect.flatMap(options, (current) => spamdScan(current, mime)) }))
