import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer } from "node:http"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { httpAuthenticator } from "../../adapters/auth/http/http-authenticator.ts"
import type { HttpAuthenticatorOptions } from "../../adapters/auth/http/http-authenticator.ts"
import { parseAuthBackend } from "../../domain/auth/auth-backend.ts"

interface Seen {
  readonly path: string
  readonly authorization: string | undefined
}

const seen: Array<Seen> = []
let server: Server
let base = ""

const decodeBasic = (header: string | undefined): string | undefined =>
  header?.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString("utf8") : undefined

/** The endpoint's behaviour is chosen by the request path. */
const endpoint = (req: IncomingMessage, res: ServerResponse): void => {
  const path = req.url ?? ""
  seen.push({ path, authorization: req.headers.authorization })
  const route = path.split("?")[0]
  switch (route) {
    case "/check": {
      const ok = decodeBasic(req.headers.authorization) === "alice:s3cret"
      res.writeHead(ok ? 200 : 401, { "www-authenticate": "Basic realm=\"mail\"" }).end()
      return
    }
    case "/utf8": {
      const ok = decodeBasic(req.headers.authorization) === "zoë:päss wörd✓ 日本"
      res.writeHead(ok ? 204 : 401).end()
      return
    }
    case "/forbidden":
      res.writeHead(403).end("no")
      return
    case "/broken":
      res.writeHead(500).end("oops")
      return
    case "/moved":
      res.writeHead(302, { location: "/check" }).end()
      return
    case "/endless-body":
      // a 200 whose body never ends: the verdict must not wait for it
      res.writeHead(200, { "content-type": "text/plain" })
      res.write("x".repeat(64 * 1024))
      return
    case "/hang":
      return
    default:
      res.writeHead(404).end()
  }
}

beforeAll(async () => {
  server = createServer(endpoint)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const authFor = (url: string, options?: HttpAuthenticatorOptions) => {
  const spec = parseAuthBackend(url)
  if (spec?.kind !== "http") throw new Error(`not an http backend: ${url}`)
  return httpAuthenticator(spec, options)
}

const requestsTo = (route: string) => seen.filter((s) => s.path.split("?")[0] === route)

describe("httpAuthenticator", () => {
  it.live("accepts on 2xx and rejects on 401, sending the credentials as Basic auth", () =>
    Effect.gen(function*() {
      const auth = authFor(`${base}/check`)
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "s3cret" }), "accepted")
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "wrong" }), "rejected")
      assert.strictEqual(yield* auth.verify({ username: "bob", password: "s3cret" }), "rejected")
      assert.strictEqual(requestsTo("/check")[0]?.authorization, `Basic ${btoa("alice:s3cret")}`)
    }))

  it.live("requests exactly the configured path and query", () =>
    Effect.gen(function*() {
      const auth = authFor(`${base}/check?realm=mail&x=a%2Fb`)
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "s3cret" }), "accepted")
      assert.include(seen.map((s) => s.path), "/check?realm=mail&x=a%2Fb")
    }))

  it.live("sends a non-ASCII username and password as UTF-8, intact", () =>
    Effect.gen(function*() {
      const auth = authFor(`${base}/utf8`)
      assert.strictEqual(yield* auth.verify({ username: "zoë", password: "päss wörd✓ 日本" }), "accepted")
      assert.strictEqual(yield* auth.verify({ username: "zoe", password: "päss wörd✓ 日本" }), "rejected")
    }))

  it.live("treats 403 as a rejection", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* authFor(`${base}/forbidden`).verify({ username: "a", password: "b" }), "rejected")
    }))

  it.live("does not wait for the body of a 2xx", () =>
    Effect.gen(function*() {
      const auth = authFor(`${base}/endless-body`, { timeoutMs: 2_000 })
      assert.strictEqual(yield* auth.verify({ username: "a", password: "b" }), "accepted")
    }))

  it.live("reports a 500 as unavailable, naming the endpoint and status but not the password", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(authFor(`${base}/broken`).verify({ username: "alice", password: "Pw-500" }))
      assert.strictEqual(error._tag, "AuthUnavailable")
      assert.include(error.message, `${base}/broken`)
      assert.include(error.message, "500")
      assert.notInclude(error.message, "Pw-500")
    }))

  it.live("does not follow a redirect and does not count it as success", () =>
    Effect.gen(function*() {
      const before = requestsTo("/check").length
      const error = yield* Effect.flip(authFor(`${base}/moved`).verify({ username: "alice", password: "s3cret" }))
      assert.strictEqual(error._tag, "AuthUnavailable")
      assert.include(error.message, "302")
      assert.strictEqual(requestsTo("/check").length, before)
    }))

  it.live("gives up on an endpoint that never answers after timeoutMs", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const error = yield* Effect.flip(
        authFor(`${base}/hang`, { timeoutMs: 300 }).verify({ username: "alice", password: "Pw-hang" })
      )
      const elapsed = Date.now() - started
      assert.strictEqual(error._tag, "AuthUnavailable")
      assert.include(error.message, "300 ms")
      assert.notInclude(error.message, "Pw-hang")
      assert.isAtLeast(elapsed, 250)
      assert.isBelow(elapsed, 2_000)
    }))

  it.live("reports a closed port as unavailable", () =>
    Effect.gen(function*() {
      const closed = yield* Effect.promise(async () => {
        const probe = createServer()
        await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve))
        const port = (probe.address() as AddressInfo).port
        await new Promise<void>((resolve) => probe.close(() => resolve()))
        return port
      })
      const error = yield* Effect.flip(
        authFor(`http://127.0.0.1:${closed}/auth`).verify({ username: "alice", password: "Pw-closed" })
      )
      assert.strictEqual(error._tag, "AuthUnavailable")
      assert.include(error.message, `127.0.0.1:${closed}/auth`)
      assert.include(error.message, "ECONNREFUSED")
      assert.notInclude(error.message, "Pw-closed")
    }))

  it.live("keeps credentials written into the configured URL out of the log, and sends the client's", () =>
    Effect.gen(function*() {
      const url = `http://svc:Url-Secret@${base.slice("http://".length)}/broken`
      const error = yield* Effect.flip(authFor(url).verify({ username: "alice", password: "s3cret" }))
      assert.notInclude(error.message, "Url-Secret")
      assert.strictEqual(requestsTo("/broken").at(-1)?.authorization, `Basic ${btoa("alice:s3cret")}`)
    }))

  it.live("rejects a username containing ':' without asking the endpoint", () =>
    Effect.gen(function*() {
      const before = seen.length
      const verdict = yield* authFor(`${base}/check`).verify({ username: "alice:s3cret", password: "x" })
      assert.strictEqual(verdict, "rejected")
      assert.strictEqual(seen.length, before)
    }))
})
