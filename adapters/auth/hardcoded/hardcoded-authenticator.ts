import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"
import type { AuthenticatorShape } from "../../../application/ports/authenticator.ts"
import type { AuthBackend } from "../../../domain/auth/auth-backend.ts"

export type HardcodedBackend = Extract<AuthBackend, { readonly kind: "hardcoded" }>

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest()

/** Checks against the users listed in the smtp-auth URL itself (`hardcoded://user:pass,...`). */
export const hardcodedAuthenticator = (spec: HardcodedBackend): AuthenticatorShape => {
  const digests = new Map<string, Buffer>()
  for (const { user, password } of spec.users) {
    if (!digests.has(user)) digests.set(user, sha256(password))
  }
  // An unknown user is still compared (against a digest nobody can match), so the
  // response time does not tell a client which usernames exist.
  const nobody = sha256(randomBytes(32).toString("hex"))
  return {
    verify: ({ username, password }) =>
      Effect.sync(() => {
        const stored = digests.get(username)
        const same = timingSafeEqual(sha256(password), stored ?? nobody)
        return stored !== undefined && same ? "accepted" : "rejected"
      })
  }
}
