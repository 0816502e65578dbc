import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { usersAuthenticator } from "../../adapters/auth/users/users-authenticator.ts"
import type { UsersAuthenticatorOptions } from "../../adapters/auth/users/users-authenticator.ts"
import { serviceAvailable } from "../support/services.ts"

/** What the client would be told: 235 (accepted), 535 (rejected) or 454 (AuthUnavailable, with the log text). */
const attempt = (names: ReadonlyArray<string>, username: string, password: string, options?: UsersAuthenticatorOptions) =>
  Effect.runPromise(
    usersAuthenticator({ names }, options)
      .verify({ username, password })
      .pipe(Effect.catchTag("AuthUnavailable", (e) => Effect.succeed(`unavailable: ${e.message}`)))
  )

const sha512 = (password: string) =>
  execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: password, encoding: "utf8" }).trim()

describe("users:// against a shadow file", () => {
  const dir = mkdtempSync(join(tmpdir(), "users-auth-test-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const shadowFile = join(dir, "shadow")
  const pw = "s3cret pass"
  const hash = sha512(pw)
  const noon = Date.UTC(2030, 0, 15, 12)
  const today = Math.floor(noon / 86_400_000)
  writeFileSync(shadowFile, [
    "root:*:19000:0:99999:7:::",
    `mailer1:${hash}:19000:0:99999:7:::`,
    `client7:${hash}:19000:0:99999:7:::`,
    `locked1:!${hash}:19000:0:99999:7:::`,
    `locked2:*${hash}:19000:0:99999:7:::`,
    "nopass1::19000:0:99999:7:::",
    "nologin1:!:19000:0:99999:7:::",
    `expired1:${hash}:19000:0:99999:7::${today}:`,
    `expiring1:${hash}:19000:0:99999:7::${today + 1}:`,
    `other:${hash}:19000:0:99999:7:::`,
    ""
  ].join("\n"))
  const names = ["mailer1", "client*", "locked?", "nopass1", "nologin1", "expired1", "expiring1"]
  const check = (username: string, password: string) => attempt(names, username, password, { shadowFile, now: () => noon })

  it("accepts a listed account and one matching a glob, with the right password", async () => {
    expect(await check("mailer1", pw)).toBe("accepted")
    expect(await check("client7", pw)).toBe("accepted")
  })

  it("rejects a wrong password and an account that does not exist", async () => {
    expect(await check("mailer1", "wrong")).toBe("rejected")
    expect(await check("mailer1", "")).toBe("rejected")
    expect(await check("client8", pw)).toBe("rejected")
  })

  it("rejects an account outside the list even with the right password", async () => {
    expect(await check("other", pw)).toBe("rejected")
    expect(await check("root", "")).toBe("rejected")
    expect(await check("Mailer1", pw)).toBe("rejected")
  })

  it("rejects locked (! or *), password-less and expired accounts", async () => {
    expect(await check("locked1", pw)).toBe("rejected")
    expect(await check("locked2", pw)).toBe("rejected")
    expect(await check("nopass1", "")).toBe("rejected")
    expect(await check("nologin1", "")).toBe("rejected")
    expect(await check("nologin1", "!")).toBe("rejected")
    expect(await check("expired1", pw)).toBe("rejected")
    expect(await check("expiring1", pw)).toBe("accepted")
  })

  it("an unreadable shadow file is a temporary failure that says what is needed", async () => {
    const missing = join(dir, "no-such-shadow")
    const answer = await attempt(names, "mailer1", pw, { shadowFile: missing })
    expect(answer).toBe(`unavailable: users:// needs read access to ${missing} (ENOENT): run as root or in group shadow`)
    expect(answer).not.toContain(pw)
  })

  it("a name outside the patterns is rejected without reading the shadow file", async () => {
    expect(await attempt(names, "other", pw, { shadowFile: join(dir, "no-such-shadow") })).toBe("rejected")
  })
})

const isRoot = process.getuid?.() === 0
const asRoot = serviceAvailable(
  "root (to create throwaway accounts and read /etc/shadow)",
  isRoot,
  "run the tests as root; users:// needs read access to /etc/shadow"
)

describe.runIf(asRoot)("users:// against real local accounts in /etc/shadow", () => {
  const prefix = `smtpintake-${randomBytes(4).toString("hex")}`
  const account = (role: string) => ({ name: `${prefix}-${role}`, password: `pw ${role} ${randomBytes(6).toString("base64")}` })
  const byDefault = account("def")
  const bySha512 = account("sha")
  const byYescrypt = account("yes")
  const locked = account("lock")
  const expired = account("exp")
  const unlisted = account("out")
  const listed = [byDefault, bySha512, byYescrypt, locked, expired].map((a) => a.name)
  const created: Array<string> = []
  let yescryptSupported = false

  /** useradd and friends lock /etc/passwd; another run holding that lock is worth a retry. */
  const run = (command: string, args: ReadonlyArray<string>, input?: string) => {
    for (let tries = 1; ; tries++) {
      const result = spawnSync(command, args, { input: input ?? "", encoding: "utf8" })
      if (result.status === 0) return
      if (tries === 5 || !/lock/i.test(result.stderr)) {
        throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.trim()}`)
      }
      spawnSync("sleep", ["0.2"])
    }
  }
  const addAccount = (a: { name: string; password: string }, chpasswdArgs: ReadonlyArray<string> = []) => {
    run("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", a.name])
    created.push(a.name)
    run("chpasswd", chpasswdArgs, `${a.name}:${a.password}\n`)
  }
  const shadowHash = (name: string) =>
    readFileSync("/etc/shadow", "utf8").split("\n").find((line) => line.startsWith(`${name}:`))?.split(":")[1] ?? ""
  const removeAll = () => {
    for (const name of created.splice(0)) {
      try {
        run("userdel", [name])
      } catch (error) {
        console.error(`could not remove test account ${name}: ${String(error)}`)
      }
    }
  }

  beforeAll(() => {
    try {
      addAccount(byDefault)
      addAccount(bySha512, ["-c", "SHA512"])
      try {
        addAccount(byYescrypt, ["-c", "YESCRYPT"])
        yescryptSupported = shadowHash(byYescrypt.name).startsWith("$y$")
      } catch (error) {
        console.warn(`\n*** chpasswd -c YESCRYPT is not supported here (${String(error)}) ***\n`)
      }
      addAccount(locked)
      run("usermod", ["-L", locked.name])
      addAccount(expired)
      run("chage", ["-E", "0", expired.name])
      addAccount(unlisted)
    } catch (error) {
      removeAll()
      throw error
    }
  })
  afterAll(removeAll)

  it("the accounts carry the hash forms under test", () => {
    expect(shadowHash(byDefault.name)).toMatch(/^\$(y|6|5|2[aby])\$/)
    expect(shadowHash(bySha512.name)).toMatch(/^\$6\$/)
    if (yescryptSupported) expect(shadowHash(byYescrypt.name)).toMatch(/^\$y\$/)
    expect(shadowHash(locked.name)).toMatch(/^!\$/)
  })

  it("accepts the right password of a listed account (default chpasswd method, SHA512, YESCRYPT)", async () => {
    expect(await attempt(listed, byDefault.name, byDefault.password)).toBe("accepted")
    expect(await attempt(listed, bySha512.name, bySha512.password)).toBe("accepted")
    if (yescryptSupported) expect(await attempt(listed, byYescrypt.name, byYescrypt.password)).toBe("accepted")
  })

  it("rejects a wrong password, and another account's password", async () => {
    expect(await attempt(listed, byDefault.name, `${byDefault.password}x`)).toBe("rejected")
    expect(await attempt(listed, bySha512.name, byDefault.password)).toBe("rejected")
  })

  it("rejects an account that does not match the patterns, even with the right password", async () => {
    expect(await attempt(listed, unlisted.name, unlisted.password)).toBe("rejected")
  })

  it("rejects a locked account (usermod -L) and an expired one (chage -E 0) with the right password", async () => {
    expect(await attempt(listed, locked.name, locked.password)).toBe("rejected")
    expect(await attempt(listed, expired.name, expired.password)).toBe("rejected")
  })

  it("accepts any account matching the smtpintake-* glob, and nothing else", async () => {
    expect(await attempt(["smtpintake-*"], unlisted.name, unlisted.password)).toBe("accepted")
    expect(await attempt(["smtpintake-*"], bySha512.name, bySha512.password)).toBe("accepted")
    expect(await attempt([`${prefix}-?ha`], bySha512.name, bySha512.password)).toBe("accepted")
    expect(await attempt(["smtpintake-*"], "root", "")).toBe("rejected")
  })

  it("a password change (chpasswd) and a removed account take effect at once", async () => {
    const next = "changed password 1"
    run("chpasswd", [], `${unlisted.name}:${next}\n`)
    expect(await attempt([unlisted.name], unlisted.name, unlisted.password)).toBe("rejected")
    expect(await attempt([unlisted.name], unlisted.name, next)).toBe("accepted")
    run("userdel", [unlisted.name])
    created.splice(created.indexOf(unlisted.name), 1)
    expect(await attempt([unlisted.name], unlisted.name, next)).toBe("rejected")
  })
})
