import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { hardcodedAuthenticator } from "../../../adapters/auth/hardcoded/hardcoded-authenticator.ts"
import type { AuthenticatorShape } from "../../../application/ports/authenticator.ts"
import { parseAuthBackend } from "../../../domain/auth/auth-backend.ts"

const fromConfig = (url: string): AuthenticatorShape => {
  const spec = parseAuthBackend(url)
  if (spec?.kind !== "hardcoded") throw new Error(`not a hardcoded backend: ${url}`)
  return hardcodedAuthenticator(spec)
}

const verdicts = (auth: AuthenticatorShape, attempts: ReadonlyArray<readonly [string, string]>) =>
  Effect.forEach(attempts, ([username, password]) => auth.verify({ username, password }))

describe("hardcodedAuthenticator", () => {
  for (
    const url of [
      "hardcoded://alice:s3cret,bob:hunter2",
      "hardcoded://alice,s3cret,bob,hunter2",
      "hardcoded://alice:s3cret,bob,hunter2"
    ]
  ) {
    it.effect(`accepts each listed user with their own password only (${url})`, () =>
      Effect.gen(function*() {
        const got = yield* verdicts(fromConfig(url), [
          ["alice", "s3cret"],
          ["bob", "hunter2"],
          ["alice", "hunter2"],
          ["bob", "s3cret"],
          ["alice", "wrong"]
        ])
        assert.deepStrictEqual(got, ["accepted", "accepted", "rejected", "rejected", "rejected"])
      }))
  }

  it.effect("rejects a user that is not listed, even with a listed password", () =>
    Effect.gen(function*() {
      const got = yield* verdicts(fromConfig("hardcoded://alice:s3cret"), [["mallory", "s3cret"], ["", "s3cret"]])
      assert.deepStrictEqual(got, ["rejected", "rejected"])
    }))

  it.effect("matches the username case-sensitively", () =>
    Effect.gen(function*() {
      const got = yield* verdicts(fromConfig("hardcoded://alice:s3cret"), [["Alice", "s3cret"], ["ALICE", "s3cret"]])
      assert.deepStrictEqual(got, ["rejected", "rejected"])
    }))

  it.effect("rejects a prefix, an extension or an empty password", () =>
    Effect.gen(function*() {
      const got = yield* verdicts(fromConfig("hardcoded://alice:s3cret"), [
        ["alice", "s3cre"],
        ["alice", "s3cret!"],
        ["alice", "S3CRET"],
        ["alice", ""]
      ])
      assert.deepStrictEqual(got, ["rejected", "rejected", "rejected", "rejected"])
    }))

  it.effect("keeps everything after the first ':' as the password", () =>
    Effect.gen(function*() {
      const got = yield* verdicts(fromConfig("hardcoded://carol:pa:ss:word,dave:x"), [
        ["carol", "pa:ss:word"],
        ["carol", "pa"],
        ["carol:pa", "ss:word"],
        ["dave", "x"]
      ])
      assert.deepStrictEqual(got, ["accepted", "rejected", "rejected", "accepted"])
    }))

  it.effect("compares non-ASCII passwords as UTF-8", () =>
    Effect.gen(function*() {
      const got = yield* verdicts(fromConfig("hardcoded://zoë:päss wörd✓"), [
        ["zoë", "päss wörd✓"],
        ["zoë", "pass word✓"]
      ])
      assert.deepStrictEqual(got, ["accepted", "rejected"])
    }))
})
