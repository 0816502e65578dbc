import { Effect, Layer } from "effect"
import { Authenticator } from "../application/ports/authenticator.ts"
import type { AuthenticatorShape } from "../application/ports/authenticator.ts"
import { parseAuthBackend } from "../domain/auth/auth-backend.ts"
import type { AuthBackend } from "../domain/auth/auth-backend.ts"

/** Each backend's module (and its library: ldapts, radius) is loaded only when smtp-auth names it. */
const forBackend = async (backend: AuthBackend): Promise<AuthenticatorShape> => {
  switch (backend.kind) {
    case "hardcoded":
      return (await import("../adapters/auth/hardcoded/hardcoded-authenticator.ts")).hardcodedAuthenticator(backend)
    case "ldap":
      return (await import("../adapters/auth/ldap/ldap-authenticator.ts")).ldapAuthenticator(backend)
    case "radius":
      return (await import("../adapters/auth/radius/radius-authenticator.ts")).radiusAuthenticator(backend)
    case "users":
      return (await import("../adapters/auth/users/users-authenticator.ts")).usersAuthenticator(backend)
    case "http":
      return (await import("../adapters/auth/http/http-authenticator.ts")).httpAuthenticator(backend)
    case "file":
      return (await import("../adapters/auth/file/file-authenticator.ts")).fileAuthenticator(backend)
    case "exec":
      return (await import("../adapters/auth/exec/exec-authenticator.ts")).execAuthenticator(backend)
  }
}

/** Without smtp-auth AUTH is not offered, so nothing can reach this; it still answers safely. */
const noBackend: AuthenticatorShape = { verify: () => Effect.succeed("rejected") }

/** The Authenticator for smtp-auth (already validated by the config, so it always names a backend). */
export const authenticatorLayer = (smtpAuth: string | undefined) => {
  const backend = smtpAuth === undefined ? undefined : parseAuthBackend(smtpAuth)
  return backend === undefined
    ? Layer.succeed(Authenticator, Authenticator.of(noBackend))
    : Layer.effect(Authenticator, Effect.promise(() => forBackend(backend)).pipe(Effect.map(Authenticator.of)))
}
