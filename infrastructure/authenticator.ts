import { Effect, Layer } from "effect"
import { execAuthenticator } from "../adapters/auth/exec/exec-authenticator.ts"
import { fileAuthenticator } from "../adapters/auth/file/file-authenticator.ts"
import { hardcodedAuthenticator } from "../adapters/auth/hardcoded/hardcoded-authenticator.ts"
import { httpAuthenticator } from "../adapters/auth/http/http-authenticator.ts"
import { ldapAuthenticator } from "../adapters/auth/ldap/ldap-authenticator.ts"
import { radiusAuthenticator } from "../adapters/auth/radius/radius-authenticator.ts"
import { usersAuthenticator } from "../adapters/auth/users/users-authenticator.ts"
import { Authenticator } from "../application/ports/authenticator.ts"
import type { AuthenticatorShape } from "../application/ports/authenticator.ts"
import { parseAuthBackend } from "../domain/auth/auth-backend.ts"
import type { AuthBackend } from "../domain/auth/auth-backend.ts"

const forBackend = (backend: AuthBackend): AuthenticatorShape => {
  switch (backend.kind) {
    case "hardcoded":
      return hardcodedAuthenticator(backend)
    case "ldap":
      return ldapAuthenticator(backend)
    case "radius":
      return radiusAuthenticator(backend)
    case "users":
      return usersAuthenticator(backend)
    case "http":
      return httpAuthenticator(backend)
    case "file":
      return fileAuthenticator(backend)
    case "exec":
      return execAuthenticator(backend)
  }
}

/** Without smtp-auth AUTH is not offered, so nothing can reach this; it still answers safely. */
const noBackend: AuthenticatorShape = { verify: () => Effect.succeed("rejected") }

/** The Authenticator for smtp-auth (already validated by the config, so it always names a backend). */
export const authenticatorLayer = (smtpAuth: string | undefined) => {
  const backend = smtpAuth === undefined ? undefined : parseAuthBackend(smtpAuth)
  return Layer.succeed(Authenticator, Authenticator.of(backend === undefined ? noBackend : forBackend(backend)))
}
