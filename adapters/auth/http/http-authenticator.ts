import { Effect } from "effect"
import { AuthUnavailable } from "../../../application/ports/authenticator.ts"
import type { AuthenticatorShape, AuthVerdict } from "../../../application/ports/authenticator.ts"
import type { AuthBackend } from "../../../domain/auth/auth-backend.ts"

export type HttpBackend = Extract<AuthBackend, { readonly kind: "http" }>

export interface HttpAuthenticatorOptions {
  /** for the whole request, connect included; default 5000 */
  readonly timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 5_000

/** fetch refuses URLs with user:pass@, and the log must not show them: drop them (Basic auth replaces them anyway). */
const withoutCredentials = (text: string): URL => {
  const url = new URL(text)
  url.username = ""
  url.password = ""
  url.hash = ""
  return url
}

const basicAuthorization = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`

const verdictFor = (status: number): AuthVerdict | undefined =>
  status >= 200 && status < 300 ? "accepted" : status === 401 || status === 403 ? "rejected" : undefined

const describeFailure = (cause: unknown, timeoutMs: number): string => {
  if (cause instanceof Error && cause.name === "TimeoutError") return `no answer within ${timeoutMs} ms`
  // fetch wraps the socket error ("fetch failed") and keeps the useful part in .cause
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause
  const code = (inner as { code?: unknown } | null)?.code
  const text = inner instanceof Error ? inner.message : String(inner)
  return typeof code === "string" && !text.includes(code) ? `${code} ${text}` : text
}

/** `http(s)://host:port/path`: GET with Basic auth; 2xx accepts, 401/403 rejects, anything else is a 454. */
export const httpAuthenticator = (spec: HttpBackend, options: HttpAuthenticatorOptions = {}): AuthenticatorShape => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const target = withoutCredentials(spec.url)
  // the query may carry an API key of the endpoint: the log names origin and path only
  const shown = `${target.origin}${target.pathname}`
  const unavailable = (why: string) => new AuthUnavailable({ message: `auth endpoint ${shown}: ${why}` })

  const ask = (username: string, password: string) =>
    Effect.tryPromise({
      try: async (interrupted) => {
        const response = await fetch(target, {
          method: "GET",
          headers: { authorization: basicAuthorization(username, password) },
          redirect: "manual",
          signal: AbortSignal.any([interrupted, AbortSignal.timeout(timeoutMs)])
        })
        // only the status matters; cancelling frees the connection without reading a body of any size
        await response.body?.cancel().catch(() => undefined)
        return response.status
      },
      catch: (cause) => unavailable(describeFailure(cause, timeoutMs))
    })

  return {
    verify: ({ username, password }) => {
      // Basic auth splits user from password at the first ':'; such a username cannot be sent
      if (username.includes(":")) return Effect.succeed("rejected")
      return Effect.flatMap(ask(username, password), (status) => {
        const verdict = verdictFor(status)
        return verdict === undefined ? Effect.fail(unavailable(`answered HTTP ${status}`)) : Effect.succeed(verdict)
      })
    }
  }
}
