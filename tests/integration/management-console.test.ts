import type { Browser, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { startManagementServer } from "../support/management-server.ts"
import { join } from "node:path"
import { tmpdir } from "node:os"
import type { SessionJournal } from "../../application/ports/session-journals.ts"
import { Command } from "../../domain/session/commands.ts"
import type { SessionCommand } from "../../domain/session/commands.ts"
import { decide } from "../../domain/session/decide.ts"
import { evolveAll } from "../../domain/session/evolve.ts"
import { initialState } from "../../domain/session/state.ts"
import { client, policy } from "../unit/session/session-fixtures.ts"
import type { RunningManagementServer } from "../support/management-server.ts"
import { haveChromium, launchChromium, openConsole } from "../support/chromium.ts"

describe.skipIf(!haveChromium())("management console in headless Chromium", () => {
  let browser: Browser
  let server: RunningManagementServer | undefined
  /** script errors and CSP violations: they would leave the page dead without failing a step */
  let problems: Array<string> = []

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    await server?.stop()
    server = undefined
    const seen = problems
    problems = []
    expect(seen).toEqual([])
  })

  const open = (url: string): Promise<Page> => openConsole(browser, url, problems)

  const table = (page: Page, name: string) => page.getByRole("table", { name })
  const row = (page: Page, tableName: string, text: string) =>
    table(page, tableName).getByRole("row").filter({ hasText: text })
  const alertIn = (page: Page, section: string) =>
    page.getByRole("region", { name: section }).getByRole("alert")

  it("adds a local address through the form, shows it, removes it, and shows API errors inline", async () => {
    server = await startManagementServer()
    const page = await open(server.base)
    await row(page, "Local addresses", "none").waitFor()

    await page.getByLabel("Local address pattern").fill("@example.com")
    await page.getByLabel("Local address type").selectOption("exact")
    await page.getByRole("button", { name: "Add local address" }).click()
    await row(page, "Local addresses", "@example.com").waitFor()
    expect(await row(page, "Local addresses", "@example.com").getByRole("cell").allTextContents())
      .toEqual(["@example.com", "exact", "Remove"])
    expect(server.store.current().localAddresses).toEqual([{ pattern: "@example.com", type: "exact" }])
    expect(await page.getByLabel("Local address pattern").inputValue()).toBe("")

    await page.getByRole("button", { name: "Remove @example.com" }).click()
    await row(page, "Local addresses", "@example.com").waitFor({ state: "detached" })
    expect(server.store.current().localAddresses).toEqual([])

    await page.getByLabel("Local address pattern").fill("example.com")
    await page.getByRole("button", { name: "Add local address" }).click()
    await alertIn(page, "Local addresses").filter({ hasText: "exact pattern must be user@domain or @domain" }).waitFor()
    expect(server.store.current().localAddresses).toEqual([])
    await page.close()
  })

  it("sets an MTA hostname and blocks an address through their forms", async () => {
    server = await startManagementServer()
    const page = await open(server.base)

    await page.getByLabel("Local IP").fill("192.0.2.10")
    await page.getByLabel("MTA hostname", { exact: true }).fill("mx1.example.com")
    await page.getByRole("button", { name: "Set MTA hostname" }).click()
    await row(page, "MTA hostnames", "mx1.example.com").waitFor()
    expect(server.store.current().mtaHostnames).toEqual([{ ip: "192.0.2.10", hostname: "mx1.example.com" }])

    await page.getByLabel("IP address or range").fill("198.51.100.0/24")
    await page.getByRole("button", { name: "Block address" }).click()
    await row(page, "Blocked addresses", "198.51.100.0/24").waitFor()
    expect(server.store.current().blocked).toEqual(["198.51.100.0/24"])

    await page.getByLabel("IP address or range").fill("198.51.100.0/40")
    await page.getByRole("button", { name: "Block address" }).click()
    await alertIn(page, "Blocked addresses").filter({ hasText: "is not an IP address or CIDR range" }).waitFor()

    await page.getByRole("button", { name: "Remove 192.0.2.10" }).click()
    await row(page, "MTA hostnames", "mx1.example.com").waitFor({ state: "detached" })
    expect(server.store.current().mtaHostnames).toEqual([])
    await page.close()
  })

  it("with a management-token: uses ?token= (then drops it from the address bar) or the token field", async () => {
    const token = "console-t0ken"
    server = await startManagementServer({ token })
    const withToken = await open(`${server.base}/?token=${token}`)
    await row(withToken, "Local addresses", "none").waitFor()
    expect(withToken.url()).not.toContain(token)
    await withToken.getByLabel("Local address pattern").fill("*@example.org")
    await withToken.getByLabel("Local address type").selectOption("fnmatch")
    await withToken.getByRole("button", { name: "Add local address" }).click()
    await row(withToken, "Local addresses", "*@example.org").waitFor()
    expect(server.store.current().localAddresses).toEqual([{ pattern: "*@example.org", type: "fnmatch" }])
    await withToken.close()

    const withoutToken = await open(server.base)
    await alertIn(withoutToken, "Local addresses").filter({ hasText: "a valid management token is required" }).waitFor()
    await withoutToken.getByLabel("Management token").fill(token)
    await withoutToken.getByRole("button", { name: "Use token" }).click()
    await row(withoutToken, "Local addresses", "*@example.org").waitFor()
    expect(await alertIn(withoutToken, "Local addresses").textContent()).toBe("")
    await withoutToken.close()
  })

  it("finds a session by client IP, sender or recipient and message id, and opens it as a transcript that says why the client was refused", async () => {
    const journal = (client: string, commands: ReadonlyArray<SessionCommand>): SessionJournal => {
      const step = decide(policy)
      let state = initialState
      const entries = commands.map((command, i) => {
        const events = step(state, command)
        state = evolveAll(state, events)
        return { at: Date.UTC(2026, 11, 5, 12, 0, i), command, events }
      })
      return { id: client, client: `${client}:40000`, local: "198.51.100.1:25", openedAt: Date.UTC(2026, 11, 5, 12), entries, omitted: 0 }
    }
    const start = (ip: string) => [Command.connect({ ...client(), remoteIp: ip }), Command.ehlo("sender.example"), Command.mail("a@example.org")]
    server = await startManagementServer({
      journals: [
        journal("192.0.2.8", [...start("192.0.2.8"), Command.rcpt("bad address"), Command.quit]),
        journal("192.0.2.9", [
          ...start("192.0.2.9"), Command.rcpt("ok@example.com"), Command.data, Command.dataEnd(10), Command.published(["id-of-9"]), Command.quit
        ])
      ]
    })
    const page = await open(server.base)
    const sessions = page.getByRole("list", { name: "Sessions" })
    await sessions.getByRole("listitem").nth(1).waitFor()
    await page.getByLabel("Client IP").fill("192.0.2.8")
    await page.getByRole("button", { name: "Find sessions" }).click()
    await sessions.getByRole("listitem").nth(1).waitFor({ state: "detached" })
    // a session whose only refusal was a command's names that refusal, not how it ended
    expect(await sessions.locator("summary").filter({ hasText: "192.0.2.8:40000" }).textContent()).toContain("(CommandRefused: Rcpt)")
    await sessions.locator("summary").filter({ hasText: "192.0.2.8:40000" }).click()
    const transcript = page.getByRole("table", { name: "Transcript of 192.0.2.8:40000" })
    const refusal = transcript.getByRole("row").filter({ hasText: "RCPT TO:<bad address>" })
    await refusal.waitFor()
    expect(await refusal.textContent()).toMatch(/553 5\.1\.3 Bad recipient address syntax.*CommandRefused: Rcpt/)

    // by sender or recipient (any case), and by message id
    const found = async (field: string, value: string, count: number) => {
      for (const label of ["Client IP", "Message id", "Sender or recipient"]) await page.getByLabel(label).fill(label === field ? value : "")
      await page.getByRole("button", { name: "Find sessions" }).click()
      await expect.poll(() => sessions.getByRole("listitem").count()).toBe(count)
      return sessions.locator("summary").allTextContents()
    }
    expect(await found("Sender or recipient", "OK@example.com", 1)).toEqual([expect.stringContaining("192.0.2.9:40000")])
    expect(await found("Message id", "id-of-9", 1)).toEqual([expect.stringContaining("192.0.2.9:40000")])
    expect(await found("Sender or recipient", "a@example.org", 2)).toHaveLength(2)
    await page.screenshot({ path: join(tmpdir(), "smtp-intake-console-sessions.png"), fullPage: true })
    await page.close()
  })
})
