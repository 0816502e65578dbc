import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { rename, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { afterAll, describe, expect, it } from "vitest"
import { fileAuthenticator, parsePasswordFile } from "../../adapters/auth/file/file-authenticator.ts"
import type { AuthenticatorShape } from "../../application/ports/authenticator.ts"

const root = mkdtempSync(join(tmpdir(), "file-auth-test-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let files = 0
const freshPath = () => join(root, `users-${++files}.txt`)

const opensslPasswd = (method: "-6" | "-5", password: string) =>
  execFileSync("openssl", ["passwd", method, "-stdin"], { input: password, encoding: "utf8" }).trim()
const bcrypt2y = (password: string) =>
  execFileSync("perl", ["-e", "local $/; print crypt(<STDIN>, '$2y$08$GhvMmNVjRW29ulnudl.LbO')"], {
    input: password,
    encoding: "utf8"
  })

const alice = { username: "alice", password: "al1ce's secret" }
const bob = { username: "bob", password: "b0b pass" }
const carol = { username: "carol", password: "carol-\u00e9t\u00e9" }
const dave = { username: "dave", password: "dave pw" }

const passwordFile = [
  "# smtp-auth users, made with openssl passwd -6",
  `alice:${opensslPasswd("-6", alice.password)}`,
  "",
  `bob:${opensslPasswd("-5", bob.password)}   \r`,
  `carol:${bcrypt2y(carol.password)}`,
  "locked:!",
  "no colon on this line",
  ""
].join("\n")

/** What the client would be told: 235 (accepted), 535 (rejected) or 454 (AuthUnavailable, with the log text). */
const attempt = (auth: AuthenticatorShape, credentials: { username: string; password: string }) =>
  Effect.runPromise(
    auth.verify(credentials).pipe(Effect.catchTag("AuthUnavailable", (e) => Effect.succeed(`unavailable: ${e.message}`)))
  )
/** Longer than the authenticator's one-second look at the file. */
const afterRecheck = () => sleep(1100)

describe("file:// authenticator", () => {
  it("accepts the right password for sha512crypt, sha256crypt and bcrypt $2y$ lines", async () => {
    const path = freshPath()
    await writeFile(path, passwordFile)
    const auth = fileAuthenticator({ path })
    expect(passwordFile).toMatch(/^alice:\$6\$.*\nbob:\$5\$.*\ncarol:\$2y\$08\$/ms)
    for (const user of [alice, bob, carol]) expect(await attempt(auth, user), user.username).toBe("accepted")
  })

  it("rejects a wrong password, another user's password, an unknown user and a locked one", async () => {
    const path = freshPath()
    await writeFile(path, passwordFile)
    const auth = fileAuthenticator({ path })
    expect(await attempt(auth, { username: "alice", password: "wrong" })).toBe("rejected")
    expect(await attempt(auth, { username: "alice", password: `${alice.password} ` })).toBe("rejected")
    expect(await attempt(auth, { username: "alice", password: bob.password })).toBe("rejected")
    expect(await attempt(auth, { username: "Alice", password: alice.password })).toBe("rejected")
    expect(await attempt(auth, { username: "mallory", password: alice.password })).toBe("rejected")
    expect(await attempt(auth, { username: "locked", password: "" })).toBe("rejected")
    expect(await attempt(auth, { username: "locked", password: "!" })).toBe("rejected")
    expect(await attempt(auth, { username: "# smtp-auth users, made with openssl passwd -6", password: "" })).toBe("rejected")
    expect(await attempt(auth, { username: "", password: "" })).toBe("rejected")
  })

  it("a user added to the file works without a restart, a removed one stops working", async () => {
    const path = freshPath()
    await writeFile(path, passwordFile)
    const auth = fileAuthenticator({ path })
    expect(await attempt(auth, dave)).toBe("rejected")

    await writeFile(path, `${passwordFile}dave:${opensslPasswd("-6", dave.password)}\n`)
    await afterRecheck()
    expect(await attempt(auth, dave)).toBe("accepted")
    expect(await attempt(auth, alice)).toBe("accepted")

    await writeFile(path, passwordFile.replace(/^alice:.*\n/m, ""))
    await afterRecheck()
    expect(await attempt(auth, alice)).toBe("rejected")
    expect(await attempt(auth, dave)).toBe("rejected")
    expect(await attempt(auth, bob)).toBe("accepted")
  })

  it("a file replaced by rename (as editors and config tools do) is picked up", async () => {
    const path = freshPath()
    await writeFile(path, `alice:${opensslPasswd("-6", alice.password)}\n`)
    const auth = fileAuthenticator({ path })
    expect(await attempt(auth, alice)).toBe("accepted")

    const next = `${path}.new`
    await writeFile(next, `alice:${opensslPasswd("-6", "changed password")}\n`)
    await rename(next, path)
    await afterRecheck()
    expect(await attempt(auth, alice)).toBe("rejected")
    expect(await attempt(auth, { username: "alice", password: "changed password" })).toBe("accepted")
  })

  it("a deleted file makes every attempt a temporary failure naming the file, and recovers when it returns", async () => {
    const path = freshPath()
    await writeFile(path, passwordFile)
    const auth = fileAuthenticator({ path })
    expect(await attempt(auth, alice)).toBe("accepted")

    await rm(path)
    await afterRecheck()
    for (const user of [alice, { username: "mallory", password: "m4ll0ry-guess" }]) {
      const answer = await attempt(auth, user)
      expect(answer).toBe(`unavailable: smtp-auth file ${path} cannot be read: ENOENT`)
      expect(answer).not.toContain(user.password)
    }

    await writeFile(path, passwordFile)
    expect(await attempt(auth, alice)).toBe("accepted")
  })

  it("a file that is not there at start is a temporary failure, not a rejection", async () => {
    const path = freshPath()
    const auth = fileAuthenticator({ path })
    expect(await attempt(auth, alice)).toBe(`unavailable: smtp-auth file ${path} cannot be read: ENOENT`)
  })

  it("a directory in place of the file is a temporary failure", async () => {
    expect(await attempt(fileAuthenticator({ path: root }), alice)).toMatch(/^unavailable: smtp-auth file .* cannot be read: EISDIR$/)
  })

  it("reads user:hash lines: comments, blank lines and CRLF skipped, hash is everything after the first colon", () => {
    const table = parsePasswordFile("# c\r\n\r\n  alice:$6$a$b:c  \r\nbob:$5$x$y\nbob:$6$second$z\n:nouser\nplain\n")
    expect([...table]).toEqual([["alice", "$6$a$b:c"], ["bob", "$5$x$y"]])
  })
})
