import { Effect, Layer } from "effect"
import { Authenticator, AuthUnavailable } from "../../../application/ports/authenticator.ts"
import type { Credentials } from "../../../application/ports/authenticator.ts"

/** An Authenticator that knows alice/right, is down for user "down", and counts what it was asked. */
export const fakeAuthenticator = () => {
  const asked: Array<Credentials> = []
  const layer = Layer.succeed(Authenticator, Authenticator.of({
    verify: (credentials) =>
      Effect.suspend(() => {
        asked.push(credentials)
        if (credentials.username === "down") return Effect.fail(new AuthUnavailable({ message: "backend down" }))
        return Effect.succeed(credentials.username === "alice" && credentials.password === "right" ? "accepted" : "rejected")
      })
  }))
  return { layer, asked }
}
