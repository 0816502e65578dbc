import { networkInterfaces } from "node:os"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { accessVerdict, bearerMatches, isLocalHostHeader, isLoopbackClient } from "../../adapters/http/management-access.ts"
import type { AccessRequest } from "../../adapters/http/management-access.ts"
import { startManagementServer } from "../support/management-server.ts"
import { serviceAvailable } from "../support/services.ts"
import type { RunningManagementServer } from "../support/management-server.ts"

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
}

const call = async (
  base: string,
  method: string,
  path: string,
  options: { readonly json?: unknown; readonly raw?: string; readonly headers?: Readonly<Record<string, string>> } = {}
): Promise<Reply> => {
  const headers: Record<string, string> = { ...options.headers }
  let body: string | undefined
  if (options.json !== undefined) {
    body = JSON.stringify(options.json)
    headers["content-type"] ??= "application/json"
  } else if (options.raw !== undefined) {
    body = options.raw
    headers["content-type"] ??= "application/json"
  }
  const response = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body }) })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON: the console page
  }
  return { status: response.status, headers: response.headers, body: parsed }
}

describe("management API on loopback without a token", () => {
  let server: RunningManagementServer
  const api = (method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call(server.base, method, path, options)

  beforeEach(async () => {
    server = await startManagementServer()
  })
  afterEach(async () => {
    await server.stop()
  })

  describe("health", () => {
    it("GET /healthz is ok", async () => {
      expect(await api("GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } })
    })

    it("GET /readyz is 200 when the publisher is ready and the store answers", async () => {
      expect(await api("GET", "/readyz")).toMatchObject({
        status: 200,
        body: { status: "ready", publisher: "ready", store: "ready" }
      })
    })

    it("GET /readyz is 503 naming the store when the store is unavailable", async () => {
      server.store.available = false
      expect(await api("GET", "/readyz")).toMatchObject({
        status: 503,
        body: { status: "not ready", publisher: "ready", store: "down" }
      })
      expect((await api("GET", "/healthz")).status).toBe(200)
    })

    it("GET /readyz is 503 naming the publisher when it is not ready", async () => {
      server.publisherReady = false
      expect(await api("GET", "/readyz")).toMatchObject({
        status: 503,
        body: { status: "not ready", publisher: "down", store: "ready" }
      })
    })
  })

  describe("local addresses", () => {
    it("lists, adds and removes (by query and by body)", async () => {
      expect(await api("GET", "/api/local-addresses")).toMatchObject({ status: 200, body: { items: [] } })

      expect(await api("POST", "/api/local-addresses", { json: { pattern: " @example.com ", type: "exact" } }))
        .toMatchObject({ status: 201, body: { pattern: "@example.com", type: "exact" } })
      expect(await api("POST", "/api/local-addresses", { json: { pattern: "*@example.org", type: "fnmatch" } }))
        .toMatchObject({ status: 201 })
      expect(await api("POST", "/api/local-addresses", { json: { pattern: "postmaster@example.net" } }))
        .toMatchObject({ status: 201, body: { type: "exact" } })

      const listed = await api("GET", "/api/local-addresses")
      expect(listed.body).toEqual({
        items: [
          { pattern: "@example.com", type: "exact" },
          { pattern: "*@example.org", type: "fnmatch" },
          { pattern: "postmaster@example.net", type: "exact" }
        ]
      })
      expect(server.store.current().localAddresses).toHaveLength(3)

      expect(await api("DELETE", `/api/local-addresses?pattern=${encodeURIComponent("@example.com")}`))
        .toMatchObject({ status: 200, body: { removed: { pattern: "@example.com" } } })
      expect(await api("DELETE", "/api/local-addresses", { json: { pattern: "*@example.org" } }))
        .toMatchObject({ status: 200 })
      expect(server.store.current().localAddresses).toEqual([{ pattern: "postmaster@example.net", type: "exact" }])
    })

    it("404 for removing a pattern that is not there", async () => {
      expect(await api("DELETE", "/api/local-addresses?pattern=nobody%40example.com")).toMatchObject({
        status: 404,
        body: { error: "no local address with pattern \"nobody@example.com\"" }
      })
    })

    it.each([
      [{ pattern: "", type: "exact" }, "pattern is empty"],
      [{ type: "exact" }, "pattern is empty"],
      [{ pattern: "   " }, "pattern is empty"],
      [{ pattern: 42 }, "pattern must be a string"],
      [{ pattern: "@example.com", type: "glob" }, "unknown type \"glob\": must be one of exact, fnmatch, substr, regex"],
      [{ pattern: "example.com", type: "exact" }, "exact pattern must be user@domain or @domain"],
      [{ pattern: "([a-z", type: "regex" }, "not a valid regular expression"],
      [{ pattern: "a\u0001b", type: "substr" }, "pattern contains control characters"]
    ])("400 for %j", async (body, error) => {
      const reply = await api("POST", "/api/local-addresses", { json: body })
      expect(reply.status).toBe(400)
      expect((reply.body as { error: string }).error).toContain(error)
      expect(server.store.current().localAddresses).toEqual([])
    })

    it("400 for a body that is not JSON, or not a JSON object", async () => {
      expect(await api("POST", "/api/local-addresses", { raw: "{\"pattern\":" }))
        .toMatchObject({ status: 400, body: { error: "invalid JSON body" } })
      expect(await api("POST", "/api/local-addresses", { json: ["@example.com"] }))
        .toMatchObject({ status: 400, body: { error: "request body must be a JSON object" } })
      expect(await api("DELETE", "/api/local-addresses", { raw: "nope" }))
        .toMatchObject({ status: 400, body: { error: "invalid JSON body" } })
      expect(await api("DELETE", "/api/local-addresses"))
        .toMatchObject({ status: 400, body: { error: "pattern is empty" } })
    })

    it("415 for a write that is not application/json (a cross-site form cannot send one)", async () => {
      const reply = await api("POST", "/api/local-addresses", {
        raw: "{\"pattern\":\"@example.com\"}",
        headers: { "content-type": "text/plain" }
      })
      expect(reply).toMatchObject({ status: 415, body: { error: "Content-Type must be application/json" } })
      expect(server.store.current().localAddresses).toEqual([])
    })

    it("400 for a body over 64 KiB", async () => {
      const reply = await api("POST", "/api/local-addresses", { json: { pattern: "x".repeat(70_000) } })
      expect(reply.status).toBe(400)
    })

    it("logs every change with the client address", async () => {
      await api("POST", "/api/local-addresses", { json: { pattern: "@example.com", type: "exact" } })
      const line = server.logs.find((l) => l.includes("local address added"))
      expect(JSON.parse(line ?? "{}")).toMatchObject({
        level: "INFO",
        annotations: { pattern: "@example.com", type: "exact", client: "127.0.0.1" }
      })
    })
  })

  describe("MTA hostnames", () => {
    it("lists, sets, replaces and removes", async () => {
      expect(await api("GET", "/api/mta-hostnames")).toMatchObject({ status: 200, body: { items: [] } })
      expect(await api("PUT", "/api/mta-hostnames", { json: { ip: "::ffff:192.0.2.10", hostname: "MX1.Example.com" } }))
        .toMatchObject({ status: 200, body: { ip: "192.0.2.10", hostname: "mx1.example.com" } })
      expect(await api("PUT", "/api/mta-hostnames", { json: { ip: "2001:db8::25", hostname: "mx6.example.com" } }))
        .toMatchObject({ status: 200 })
      expect(await api("PUT", "/api/mta-hostnames", { json: { ip: "192.0.2.10", hostname: "mx2.example.com" } }))
        .toMatchObject({ status: 200 })
      expect((await api("GET", "/api/mta-hostnames")).body).toEqual({
        items: [
          { ip: "2001:db8::25", hostname: "mx6.example.com" },
          { ip: "192.0.2.10", hostname: "mx2.example.com" }
        ]
      })

      expect(await api("DELETE", "/api/mta-hostnames?ip=192.0.2.10"))
        .toMatchObject({ status: 200, body: { removed: { ip: "192.0.2.10" } } })
      expect(await api("DELETE", "/api/mta-hostnames", { json: { ip: "2001:0db8:0:0::25" } }))
        .toMatchObject({ status: 200 })
      expect(server.store.current().mtaHostnames).toEqual([])
      expect(await api("DELETE", "/api/mta-hostnames?ip=192.0.2.10"))
        .toMatchObject({ status: 404, body: { error: "no MTA hostname for 192.0.2.10" } })
    })

    it.each([
      [{ ip: "192.0.2.300", hostname: "mx.example.com" }, "\"192.0.2.300\" is not an IP address"],
      [{ ip: "mx.example.com", hostname: "mx.example.com" }, "is not an IP address"],
      [{ hostname: "mx.example.com" }, "ip is empty"],
      [{ ip: "192.0.2.10" }, "hostname is empty"],
      [{ ip: "192.0.2.10", hostname: "mx_1.example.com" }, "bad hostname \"mx_1.example.com\""],
      [{ ip: "192.0.2.10", hostname: "-mx.example.com" }, "bad hostname"],
      [{ ip: "192.0.2.10", hostname: "mx..example.com" }, "bad hostname"],
      [{ ip: "192.0.2.10", hostname: "mx.example.com\r\nX: y" }, "bad hostname"]
    ])("400 for %j", async (body, error) => {
      const reply = await api("PUT", "/api/mta-hostnames", { json: body })
      expect(reply.status).toBe(400)
      expect((reply.body as { error: string }).error).toContain(error)
    })

    it("400 for removing with a bad IP", async () => {
      expect(await api("DELETE", "/api/mta-hostnames?ip=nope"))
        .toMatchObject({ status: 400, body: { error: "\"nope\" is not an IP address" } })
    })
  })

  describe("blocked addresses", () => {
    it("lists, adds and removes IPs and ranges", async () => {
      expect(await api("GET", "/api/blocked")).toMatchObject({ status: 200, body: { items: [] } })
      expect(await api("POST", "/api/blocked", { json: { range: "192.0.2.0/24" } }))
        .toMatchObject({ status: 201, body: { range: "192.0.2.0/24" } })
      expect(await api("POST", "/api/blocked", { json: { range: "2001:db8::/32" } })).toMatchObject({ status: 201 })
      expect(await api("POST", "/api/blocked", { json: { range: "198.51.100.7" } })).toMatchObject({ status: 201 })
      expect((await api("GET", "/api/blocked")).body).toEqual({
        items: [{ range: "192.0.2.0/24" }, { range: "2001:db8::/32" }, { range: "198.51.100.7" }]
      })

      expect(await api("DELETE", `/api/blocked?range=${encodeURIComponent("192.0.2.0/24")}`))
        .toMatchObject({ status: 200, body: { removed: { range: "192.0.2.0/24" } } })
      expect(await api("DELETE", "/api/blocked", { json: { range: "198.51.100.7" } })).toMatchObject({ status: 200 })
      expect(server.store.current().blocked).toEqual(["2001:db8::/32"])
      expect(await api("DELETE", "/api/blocked?range=198.51.100.7"))
        .toMatchObject({ status: 404, body: { error: "\"198.51.100.7\" is not on the blocked list" } })
    })

    it.each([
      [{ range: "" }, "range is empty"],
      [{}, "range is empty"],
      [{ range: "not-an-ip" }, "\"not-an-ip\" is not an IP address or CIDR range"],
      [{ range: "192.0.2.0/33" }, "is not an IP address or CIDR range"],
      [{ range: "010.0.0.1" }, "is not an IP address or CIDR range"],
      [{ range: ["192.0.2.1"] }, "range must be a string"]
    ])("400 for %j", async (body, error) => {
      const reply = await api("POST", "/api/blocked", { json: body })
      expect(reply.status).toBe(400)
      expect((reply.body as { error: string }).error).toContain(error)
    })
  })

  describe("errors", () => {
    it("503 from every list when the store is unavailable", async () => {
      server.store.available = false
      const unavailable = { status: 503, body: { error: "the managed lists store is unavailable, try again later" } }
      expect(await api("GET", "/api/local-addresses")).toMatchObject(unavailable)
      expect(await api("POST", "/api/local-addresses", { json: { pattern: "@example.com" } })).toMatchObject(unavailable)
      expect(await api("DELETE", "/api/mta-hostnames?ip=192.0.2.1")).toMatchObject(unavailable)
      expect(await api("PUT", "/api/mta-hostnames", { json: { ip: "192.0.2.1", hostname: "mx.example.com" } }))
        .toMatchObject(unavailable)
      expect(await api("POST", "/api/blocked", { json: { range: "192.0.2.1" } })).toMatchObject(unavailable)
      expect(server.logs.some((l) => l.includes("store unavailable"))).toBe(true)
    })

    it("validation comes before the store: a bad request is 400 even when the store is down", async () => {
      server.store.available = false
      expect((await api("POST", "/api/blocked", { json: { range: "nope" } })).status).toBe(400)
    })

    it("JSON 404 for an unknown API path, 405 with Allow for a wrong method", async () => {
      expect(await api("GET", "/api/nothing-here")).toMatchObject({ status: 404, body: { error: "no such API endpoint" } })
      const wrong = await api("PATCH", "/api/blocked", { json: { range: "192.0.2.1" } })
      expect(wrong).toMatchObject({ status: 405 })
      expect(wrong.headers.get("allow")).toBe("GET, POST, DELETE")
      expect((await api("POST", "/api/mta-hostnames", { json: {} })).headers.get("allow")).toBe("GET, PUT, DELETE")
    })

    it("refuses a DNS-rebinding Host when there is no token", async () => {
      // fetch will not let a test set Host, so this goes through node:http
      const { request } = await import("node:http")
      const url = new URL(server.base)
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: "/api/blocked", headers: { host: "evil.example:80" } })
        req.on("response", (res) => {
          res.resume()
          resolve(res.statusCode)
        })
        req.on("error", reject)
        req.end()
      })
      expect(status).toBe(403)
    })
  })

  it("fails to start with a clear message when the port is taken", async () => {
    const port = Number(new URL(server.base).port)
    await expect(startManagementServer({ port })).rejects.toThrow(
      `cannot listen on management-ip 127.0.0.1 port ${port}: EADDRINUSE`
    )
  })

  describe("console page", () => {
    it("is one self-contained HTML document with a strict CSP", async () => {
      const reply = await api("GET", "/")
      expect(reply.status).toBe(200)
      expect(reply.headers.get("content-type")).toContain("text/html")
      const csp = reply.headers.get("content-security-policy") ?? ""
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("connect-src 'self'")
      const html = String(reply.body)
      expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i)
      for (const label of ["Local address pattern", "Local address type", "Local IP", "MTA hostname", "IP address or range"]) {
        expect(html).toContain(`<label>${label} <`)
      }
    })
  })
})

describe("management API with a management-token", () => {
  const TOKEN = "s3cret-t0ken-for-tests"
  let server: RunningManagementServer
  beforeEach(async () => {
    server = await startManagementServer({ token: TOKEN })
  })
  afterEach(async () => {
    await server.stop()
  })

  it("401 without the token or with a wrong one, 200 with it", async () => {
    const missing = await call(server.base, "GET", "/api/local-addresses")
    expect(missing).toMatchObject({ status: 401 })
    expect(missing.headers.get("www-authenticate")).toBe("Bearer realm=\"smtp-intake\"")
    expect((await call(server.base, "GET", "/api/local-addresses", { headers: { authorization: "Bearer wrong" } })).status)
      .toBe(401)
    expect((await call(server.base, "GET", "/api/local-addresses", { headers: { authorization: `Basic ${TOKEN}` } })).status)
      .toBe(401)
    expect((await call(server.base, "POST", "/api/blocked", { json: { range: "192.0.2.1" } })).status).toBe(401)
    expect(server.store.current().blocked).toEqual([])

    const authorization = `Bearer ${TOKEN}`
    expect(await call(server.base, "GET", "/api/local-addresses", { headers: { authorization } }))
      .toMatchObject({ status: 200, body: { items: [] } })
    expect(await call(server.base, "POST", "/api/blocked", { json: { range: "192.0.2.1" }, headers: { authorization } }))
      .toMatchObject({ status: 201 })
    expect(server.store.current().blocked).toEqual(["192.0.2.1"])
  })

  it("health probes and the console page need no token; the token never reaches the logs", async () => {
    expect((await call(server.base, "GET", "/healthz")).status).toBe(200)
    expect((await call(server.base, "GET", "/readyz")).status).toBe(200)
    expect((await call(server.base, "GET", `/?token=${TOKEN}`)).status).toBe(200)
    await call(server.base, "POST", "/api/local-addresses", {
      json: { pattern: "@example.com" },
      headers: { authorization: `Bearer ${TOKEN}` }
    })
    await call(server.base, "GET", "/api/blocked", { headers: { authorization: "Bearer wrong" } })
    expect(server.logs.length).toBeGreaterThan(0)
    expect(server.logs.join("\n")).not.toContain(TOKEN)
  })
})

const externalIpv4 = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry !== undefined && !entry.internal && entry.family === "IPv4")?.address

/** A real non-loopback client needs an address of this machine other than loopback (CI has eth0). */
const haveExternalIpv4 = serviceAvailable(
  "a non-loopback IPv4 interface",
  externalIpv4 !== undefined,
  "the remote-client test binds the server to it"
)

describe("a client that is not on loopback", () => {
  it.skipIf(!haveExternalIpv4)("is refused without a token and let in with one", async () => {
    const ip = externalIpv4 ?? ""
    const open = await startManagementServer({ ip })
    try {
      expect(await call(open.base, "GET", "/api/local-addresses")).toMatchObject({
        status: 403,
        body: { error: "without a management-token only loopback clients may use the management API" }
      })
      expect((await call(open.base, "GET", "/")).status).toBe(403)
      expect((await call(open.base, "GET", "/healthz")).status).toBe(200)
      expect(open.logs.some((l) => l.includes("not loopback and no management-token"))).toBe(true)
    } finally {
      await open.stop()
    }
    const guarded = await startManagementServer({ ip, token: "remote-token" })
    try {
      expect((await call(guarded.base, "GET", "/api/local-addresses", { headers: { authorization: "Bearer remote-token" } })).status)
        .toBe(200)
    } finally {
      await guarded.stop()
    }
  })
})

describe("who may use the API (accessVerdict)", () => {
  const request = (overrides: Partial<AccessRequest>): AccessRequest => ({
    resource: "api",
    token: undefined,
    remoteAddress: "127.0.0.1",
    authorization: undefined,
    host: "127.0.0.1:8080",
    ...overrides
  })

  it.each(["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"])("%s is loopback", (ip) => {
    expect(isLoopbackClient(ip)).toBe(true)
  })

  it.each(["10.0.0.1", "192.0.2.2", "::ffff:10.0.0.1", "2001:db8::1", "::", "0.0.0.0", "localhost", "", undefined])(
    "%s is not loopback",
    (ip) => {
      expect(isLoopbackClient(ip)).toBe(false)
    }
  )

  it("without a token: loopback clients only, and only with a Host that cannot be rebound", () => {
    expect(accessVerdict(request({}))).toEqual({ allowed: true })
    expect(accessVerdict(request({ remoteAddress: "::ffff:127.0.0.1", host: "localhost:8080" }))).toEqual({ allowed: true })
    expect(accessVerdict(request({ remoteAddress: "::1", host: "[::1]:8080" }))).toEqual({ allowed: true })
    expect(accessVerdict(request({ remoteAddress: "192.0.2.7" }))).toMatchObject({ allowed: false, status: 403 })
    expect(accessVerdict(request({ remoteAddress: undefined }))).toMatchObject({ allowed: false, status: 403 })
    expect(accessVerdict(request({ resource: "console", remoteAddress: "192.0.2.7" })))
      .toMatchObject({ allowed: false, status: 403 })
    expect(accessVerdict(request({ host: "evil.example" }))).toMatchObject({ allowed: false, status: 403 })
    expect(accessVerdict(request({ host: undefined }))).toMatchObject({ allowed: false, status: 403 })
    // a bearer token is no way around the loopback rule when none is configured
    expect(accessVerdict(request({ remoteAddress: "192.0.2.7", authorization: "Bearer x" })))
      .toMatchObject({ allowed: false, status: 403 })
  })

  it("with a token: any client with the right bearer token; the console shell for anyone", () => {
    const withToken = (overrides: Partial<AccessRequest>) => accessVerdict(request({ token: "t0k", ...overrides }))
    expect(withToken({ remoteAddress: "192.0.2.7", authorization: "Bearer t0k", host: "mx.example.com" }))
      .toEqual({ allowed: true })
    expect(withToken({ authorization: "bearer   t0k" })).toEqual({ allowed: true })
    expect(withToken({})).toMatchObject({ allowed: false, status: 401 })
    expect(withToken({ authorization: "Bearer t0k2" })).toMatchObject({ allowed: false, status: 401 })
    expect(withToken({ authorization: "Bearer " })).toMatchObject({ allowed: false, status: 401 })
    expect(withToken({ resource: "console", remoteAddress: "192.0.2.7" })).toEqual({ allowed: true })
  })

  it("bearerMatches compares the whole token", () => {
    expect(bearerMatches("Bearer abc", "abc")).toBe(true)
    expect(bearerMatches("Bearer ab", "abc")).toBe(false)
    expect(bearerMatches("Bearer abcd", "abc")).toBe(false)
    expect(bearerMatches("Bearer abc def", "abc")).toBe(false)
    expect(bearerMatches(undefined, "abc")).toBe(false)
    expect(bearerMatches("abc", "abc")).toBe(false)
  })

  it.each([
    ["localhost", true],
    ["LOCALHOST:8080", true],
    ["console.localhost:1", true],
    ["127.0.0.1:80", true],
    ["192.0.2.2:8080", true],
    ["[::1]:8080", true],
    ["example.com", false],
    ["127.0.0.1.nip.io", false],
    ["", false]
  ])("Host %s cannot be rebound: %s", (host, expected) => {
    expect(isLocalHostHeader(host)).toBe(expected)
  })
})
