import { Context, Schema } from "effect"
import type { Effect } from "effect"

export interface Credentials {
  readonly username: string
  readonly password: string
}

/** accepted: the credentials are right. rejected: they are wrong (535). */
export type AuthVerdict = "accepted" | "rejected"

/** The backend could not answer (down, timeout, broken reply): a temporary failure (454), not a rejection. */
export class AuthUnavailable extends Schema.TaggedError<AuthUnavailable>()("AuthUnavailable", {
  /** for the log: never contains the password */
  message: Schema.String
}) {}

export interface AuthenticatorShape {
  verify(credentials: Credentials): Effect.Effect<AuthVerdict, AuthUnavailable>
}

/** Checks a username and password against the configured smtp-auth backend. */
export class Authenticator extends Context.Service<Authenticator, AuthenticatorShape>()("smtp-intake/Authenticator") {}
