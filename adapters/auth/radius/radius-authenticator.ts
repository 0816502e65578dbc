import { Effect } from "effect"
import { lookup } from "node:dns/promises"
import { AuthUnavailable } from "../../../application/ports/authenticator.ts"
import type { AuthenticatorShape, AuthVerdict, Credentials } from "../../../application/ports/authenticator.ts"
import type { AuthBackend } from "../../../domain/auth/auth-backend.ts"
import { encodeAccessRequest, fitsAccessRequest, verdictOf } from "./radius-packets.ts"
import { requestIdentifiers } from "./request-identifiers.ts"
import { udpExchange } from "./udp-exchange.ts"

export type RadiusBackend = Extract<AuthBackend, { kind: "radius" }>

export interface RadiusAuthenticatorOptions {
  /** how long each try waits for the answer; default 2000 */
  readonly timeoutMs?: number
  /** tries after the first one that got no answer; default 2 */
  readonly retries?: number
}

export const DEFAULT_RADIUS_TIMEOUT_MS = 2000
export const DEFAULT_RADIUS_RETRIES = 2

/**
 * SPEC §4 `radius://identifier:secret@host:port`: one Access-Request per check (User-Name,
 * User-Password, NAS-Identifier = identifier), sent over UDP and retried while unanswered.
 * Only a reply signed with the shared secret counts: Access-Accept accepts, Access-Reject
 * (or a Challenge) rejects, and no such reply is a temporary failure.
 */
export const radiusAuthenticator = (
  spec: RadiusBackend,
  options: RadiusAuthenticatorOptions = {}
): AuthenticatorShape => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RADIUS_TIMEOUT_MS
  const tries = 1 + Math.max(0, options.retries ?? DEFAULT_RADIUS_RETRIES)
  const server = spec.host.includes(":") ? `[${spec.host}]:${spec.port}` : `${spec.host}:${spec.port}`
  // texts come from node (dns, sockets) and from us, never with the password or the secret
  const unavailable = (why: string) => new AuthUnavailable({ message: `RADIUS server ${server}: ${why}` })
  const identifiers = requestIdentifiers()

  const resolve = Effect.tryPromise({
    try: () => lookup(spec.host),
    catch: (error) => unavailable(`cannot resolve the host (${(error as { code?: unknown }).code ?? "lookup failed"})`)
  })

  const ask = (credentials: Credentials, identifier: number) =>
    Effect.gen(function*() {
      const target = yield* resolve
      const request = yield* Effect.try({
        try: () => encodeAccessRequest(credentials, spec.identifier, spec.secret, identifier),
        catch: () => unavailable("cannot encode the Access-Request (is the identifier longer than 253 bytes?)")
      })
      return yield* udpExchange<AuthVerdict>({
        packet: request,
        address: target.address,
        family: target.family === 6 ? 6 : 4,
        port: spec.port,
        tries,
        timeoutMs,
        answer: (datagram) => verdictOf(request, datagram, spec.secret)
      }).pipe(Effect.mapError((failure) => unavailable(failure.message)))
    })

  return {
    verify: (credentials) =>
      // such a name or password cannot travel in RADIUS, so no server could accept it
      fitsAccessRequest(credentials)
        ? identifiers.with((identifier) => ask(credentials, identifier))
        : Effect.succeed("rejected")
  }
}
