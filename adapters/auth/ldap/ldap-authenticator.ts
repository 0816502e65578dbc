import { Effect } from "effect"
import { Client, InvalidCredentialsError, InvalidDNSyntaxError, NoSuchObjectError, ResultCodeError } from "ldapts"
import { AuthUnavailable } from "../../../application/ports/authenticator.ts"
import type { AuthenticatorShape, AuthVerdict, Credentials } from "../../../application/ports/authenticator.ts"
import type { AuthBackend } from "../../../domain/auth/auth-backend.ts"
import { bindDn } from "../../../domain/auth/ldap-dn.ts"

export type LdapBackend = Extract<AuthBackend, { kind: "ldap" }>

export interface LdapAuthenticatorOptions {
  /** the whole check (connect, bind, unbind) must finish within this; default 5000 */
  readonly timeoutMs?: number
}

export const DEFAULT_LDAP_TIMEOUT_MS = 5000

/** The server's way of saying "no user with this name and password". */
const isRejection = (error: unknown): boolean =>
  error instanceof InvalidCredentialsError || error instanceof NoSuchObjectError || error instanceof InvalidDNSyntaxError

const describe = (error: unknown): string => {
  if (error instanceof ResultCodeError) return `answered ${error.constructor.name} (result code ${error.code})`
  if (error instanceof Error && "code" in error && typeof error.code === "string") return `could not be reached (${error.code})`
  return `failed: ${error instanceof Error ? error.message : String(error)}`
}

/** Our texts never hold the password; this guards against a library message that might. */
const redact = (text: string, password: string): string => text.split(password).join("<password>")

/**
 * SPEC §4 `ldap://host:port/base_dn`: a simple bind as `uid=<user>,<base_dn>` on a fresh
 * connection per check. A bind that succeeds accepts the user.
 */
export const ldapAuthenticator = (spec: LdapBackend, options: LdapAuthenticatorOptions = {}): AuthenticatorShape => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LDAP_TIMEOUT_MS
  const unavailable = (what: string, password: string) =>
    new AuthUnavailable({ message: redact(`LDAP server ${spec.url} ${what}`, password) })

  const bind = (dn: string, password: string): Effect.Effect<AuthVerdict, AuthUnavailable> =>
    Effect.acquireUseRelease(
      Effect.try({
        try: () => new Client({ url: spec.url, timeout: timeoutMs, connectTimeout: timeoutMs }),
        catch: (error) => unavailable(describe(error), password)
      }),
      (client) =>
        Effect.tryPromise({ try: () => client.bind(dn, password), catch: (error) => error }).pipe(
          Effect.as<AuthVerdict>("accepted"),
          Effect.catch((error) =>
            isRejection(error) ? Effect.succeed<AuthVerdict>("rejected") : Effect.fail(unavailable(describe(error), password))
          )
        ),
      // unbind also destroys the socket, even when the bind never finished connecting
      (client) => Effect.promise(() => client.unbind().catch(() => undefined))
    ).pipe(
      Effect.timeoutOrElse({
        duration: timeoutMs,
        orElse: () => Effect.fail(unavailable(`did not answer within ${timeoutMs} ms`, password))
      })
    )

  return {
    verify: ({ username, password }: Credentials) => {
      const dn = bindDn(username, spec.baseDn)
      // A simple bind with an empty password is an anonymous bind (RFC 4513 §5.1.2): many
      // servers let it succeed whatever the DN, so it must never reach the server.
      if (dn === undefined || password === "") return Effect.succeed("rejected")
      return bind(dn, password)
    }
  }
}
