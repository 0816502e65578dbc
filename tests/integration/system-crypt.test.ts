import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { describe, expect, it } from "vitest"
import { isSupportedHash, SystemCryptError, verifyCrypt } from "../../adapters/auth/system-crypt.ts"
import { commandExists } from "../support/services.ts"

const CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const saltChars = (length: number) => Array.from(randomBytes(length), (b) => CRYPT_ALPHABET[b % 64]).join("")
/** 21 free characters, then one of `lastChars`: bcrypt and yescrypt want the unused bits of the last one zero. */
const salt22 = (lastChars: string) => saltChars(21) + lastChars.charAt(randomBytes(1)[0]! % lastChars.length)

const perlCrypt = (password: string, setting: string) =>
  execFileSync("perl", ["-e", "local $/; my ($p, $h) = split /\\0/, <STDIN>, 2; print crypt($p, $h)"], {
    input: `${password}\0${setting}`,
    encoding: "utf8"
  })
const openssl = (method: "-6" | "-5", password: string) =>
  execFileSync("openssl", ["passwd", method, "-salt", saltChars(16), "-stdin"], { input: password, encoding: "utf8" }).trim()

const password = `correct horse ${randomBytes(4).toString("hex")} \u00e9t\u00e9`
const yescrypt = commandExists("mkpasswd")
  ? execFileSync("mkpasswd", ["-m", "yescrypt", "--stdin"], { input: password, encoding: "utf8" }).trim()
  : perlCrypt(password, `$y$j9T$${salt22("./01")}$`)
const bcrypt2b = perlCrypt(password, `$2b$10$${salt22(".Oeu")}`)

const hashes: ReadonlyArray<readonly [name: string, hash: string, prefix: string]> = [
  ["sha512crypt (openssl passwd -6)", openssl("-6", password), "$6$"],
  ["sha256crypt (openssl passwd -5)", openssl("-5", password), "$5$"],
  ["bcrypt $2b$", bcrypt2b, "$2b$10$"],
  ["bcrypt $2y$", perlCrypt(password, `$2y$${bcrypt2b.slice(4, 29)}`), "$2y$10$"],
  ["yescrypt $y$", yescrypt, "$y$"]
]
const sha512 = hashes[0]![1]

describe("verifyCrypt through the system's crypt(3)", () => {
  it("the test hashes have the intended forms", () => {
    for (const [name, hash, prefix] of hashes) {
      expect(hash.startsWith(prefix), `${name}: ${hash}`).toBe(true)
      expect(isSupportedHash(hash), name).toBe(true)
    }
  })

  for (const [name, hash] of hashes) {
    it(`${name}: the right password matches, a wrong one does not`, async () => {
      expect(await verifyCrypt(password, hash)).toBe(true)
      expect(await verifyCrypt(`${password}x`, hash)).toBe(false)
      expect(await verifyCrypt(password.toUpperCase(), hash)).toBe(false)
      expect(await verifyCrypt("", hash)).toBe(false)
    })
  }

  it("a password holding NUL never matches, even when the part before NUL is right", async () => {
    expect(await verifyCrypt(`${password}\0tail`, sha512)).toBe(false)
  })

  it("locked and password-less forms never match, without asking crypt(3)", async () => {
    for (const hash of ["*", "!", "!!", "", "x", "*LK*", `!${sha512}`, `*${bcrypt2b}`, "$6$", "$9$abc$def"]) {
      expect(isSupportedHash(hash), JSON.stringify(hash)).toBe(false)
      // a timeout of 0 would fail if perl were started
      expect(await verifyCrypt(password, hash, { timeoutMs: 0 }), JSON.stringify(hash)).toBe(false)
      expect(await verifyCrypt("", hash, { timeoutMs: 0 }), JSON.stringify(hash)).toBe(false)
    }
  })

  it("a salt that crypt(3) refuses does not match anything", async () => {
    expect(await verifyCrypt(password, "$y$j9T$abcdefghijklmnopqrstuv$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")).toBe(false)
  })

  it("a check that takes longer than the timeout fails with SystemCryptError, without the password in it", async () => {
    const slow = `$2b$16$${salt22(".Oeu")}${"a".repeat(31)}` // seconds of bcrypt work
    const error = await verifyCrypt(password, slow, { timeoutMs: 50 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SystemCryptError)
    expect(String(error)).toMatch(/timed out after 50 ms/)
    expect(String(error)).not.toContain(password)
  })

  it("an aborted check fails with SystemCryptError", async () => {
    const controller = new AbortController()
    const pending = verifyCrypt(password, sha512, { signal: controller.signal }).catch((e: unknown) => e)
    controller.abort()
    expect(await pending).toBeInstanceOf(SystemCryptError)
  })

  it("many checks at once all get the right answer", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => verifyCrypt(i % 2 === 0 ? password : `wrong ${i}`, hashes[i % hashes.length]![1]))
    )
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i % 2 === 0))
  })
})
