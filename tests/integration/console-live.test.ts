import { readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { haveChromium, launchChromium, openConsole } from "../support/chromium.ts"
import { startDaemon } from "../support/daemon.ts"
import { daemonWithManagementApi } from "../support/daemon-hooks.ts"
import { freePort } from "../support/free-port.ts"
import { BROKER_URL, deleteQueues, uniqueQueue, withBrokerChannel } from "../support/rabbit.ts"
import { rabbitAvailable } from "../support/services.ts"
import { rawSession } from "../support/smtp-clients.ts"
import { withStartup } from "../support/timing.ts"

const TOKEN = "console-live-token-never-shown"
/** CONSOLE_SCREENSHOT_DIR=docs regenerates the README's screenshots */
const SHOTS = process.env["CONSOLE_SCREENSHOT_DIR"] ?? tmpdir()

type Client = ReturnType<typeof rawSession>

const rabbit = await rabbitAvailable()

/** In the page: how many lines an element's text takes on the screen. */
const LINES_OF = `(element) => {
  const range = document.createRange()
  range.selectNodeContents(element)
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size
}`

/** the page polls once a second what the daemon samples once a second: a change shows within a few, more on a loaded machine */
const LIVE = { timeout: 15_000, interval: 100 }

/** A greeted client from `ip` (a loopback address of its own), after EHLO. */
const greeted = async (port: number, ip: string): Promise<Client> => {
  const client = rawSession(port, "127.0.0.1", ip)
  expect(await client.reply()).toMatch(/^220 /)
  expect(await client.command("EHLO console.example")).toMatch(/^250/)
  return client
}

/** One message over an open session; the reply to its end of data. */
const send = async (client: Client, body: string) => {
  expect(await client.command("MAIL FROM:<sender@example.org>")).toMatch(/^250[ -]/)
  expect(await client.command("RCPT TO:<someone@example.com>")).toMatch(/^250[ -]/)
  expect(await client.command("DATA")).toMatch(/^354 /)
  client.send(`${body}\r\n.\r\n`)
  return client.reply()
}

describe.skipIf(!haveChromium())("the console an operator keeps open, against the running daemon", () => {
  // 127.0.1.x is outside smtp-range: refused at connect
  const running = daemonWithManagementApi({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.0/24" }, TOKEN)
  let browser: Browser
  let problems: Array<string> = []

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(() => {
    const seen = problems
    problems = []
    expect(seen).toEqual([])
  })

  const open = (options: { readonly width?: number } = {}): Promise<Page> =>
    openConsole(browser, `${running.api}/?token=${TOKEN}`, problems, { viewport: { width: options.width ?? 1100, height: 900 } })
  const text = (page: Page, id: string) => page.locator(`#${id}`).textContent()
  /** the largest value of a chart line, in the chart's units (0 at the bottom, 156 at the top) */
  const chartPeak = async (page: Page, series: string) => {
    const points = (await page.locator(`.chart-${series}`).getAttribute("points")) ?? ""
    return Math.max(0, ...points.split(" ").filter(Boolean).map((point) => 160 - Number(point.split(",")[1])))
  }

  it("shows the traffic now, live: open connections and budget slots, messages per second on the chart, DATA-to-250, the publisher", async () => {
    const held = await greeted(running.daemon.port, "127.0.0.20")
    const page = await open()
    await expect.poll(() => text(page, "now-open"), LIVE).toBe("1")
    expect(await text(page, "now-budget")).toBe("1 in use, 0 waiting")
    expect(await text(page, "now-publisher")).toBe("spool writable")

    for (let i = 0; i < 5; i++) expect(await send(held, `Subject: ${i}\r\n\r\nhello`)).toMatch(/^250[ -]/)
    await expect.poll(() => chartPeak(page, "accepted"), LIVE).toBeGreaterThan(0)
    await expect.poll(() => text(page, "now-latency"), LIVE).toMatch(/^[\d.,]+ \/ [\d.,]+ ms$/)
    await held.command("QUIT")
    await expect.poll(() => text(page, "now-open"), LIVE).toBe("0")

    const shot = join(SHOTS, "console-now.png")
    await page.locator("#now").screenshot({ path: shot })
    expect(statSync(shot).size).toBeGreaterThan(10_000)
    for (const name of ["Accepted /s", "Refused /s", "DATA-to-250 p50 / p99", "Open connections", "Budget slots", "Publisher"]) {
      expect(await page.getByRole("region", { name: "Now" }).getByText(name, { exact: true }).isVisible()).toBe(true)
    }
    expect(await page.getByRole("img", { name: "Messages per second, last 15 minutes" }).isVisible()).toBe(true)
    await page.close()
  })

  it("counts refusals by reason over the last hour with the clients refused most, each linked to the sessions behind it", async () => {
    const outside = rawSession(running.daemon.port, "127.0.0.1", "127.0.1.9")
    expect(await outside.reply()).toMatch(/^5\d\d /)
    outside.close()
    for (let i = 0; i < 2; i++) {
      const bare = await greeted(running.daemon.port, "127.0.0.77")
      expect(await send(bare, "Subject: bare\n\nline with a bare LF")).toMatch(/^550 5\.6\.0 /)
      bare.close()
    }

    const page = await open()
    const reasons = page.getByRole("table", { name: "Refusals by reason" })
    await reasons.getByRole("row").filter({ hasText: "bare-lf" }).waitFor()
    expect(await reasons.getByRole("row").filter({ hasText: "bare-lf" }).getByRole("cell").allTextContents()).toEqual(["bare-lf", "2"])
    expect(await reasons.getByRole("row").filter({ hasText: "range" }).getByRole("cell").allTextContents()).toEqual(["range", "1"])
    const clients = page.getByRole("table", { name: "Clients refused most" })
    expect(await clients.getByRole("row").nth(1).getByRole("cell").allTextContents()).toEqual(["127.0.0.77", "2", "bare-lf"])
    await page.getByRole("region", { name: "Refusals in the last hour" }).screenshot({ path: join(SHOTS, "console-refusals.png") })

    const sessions = page.getByRole("list", { name: "Sessions" })
    await page.getByRole("link", { name: "Sessions refused for bare-lf" }).click()
    expect(await page.locator("#sessions-refusal").inputValue()).toBe("bare-lf")
    await expect.poll(() => sessions.getByRole("listitem").count(), LIVE).toBe(2)
    expect(await sessions.locator("summary").first().textContent()).toMatch(/127\.0\.0\.77:\d+ → .*<sender@example\.org> → 1 RCPT .*MessageRefused/)
    await sessions.locator("summary").first().click()
    const transcript = sessions.getByRole("table").first()
    expect(await transcript.getByRole("row").filter({ hasText: "end of data" }).textContent()).toMatch(/bare CR or LF.*550 5\.6\.0 Bare LF/)

    await page.getByRole("link", { name: "Sessions of 127.0.1.9" }).click()
    await expect.poll(() => sessions.getByRole("listitem").count(), LIVE).toBe(1)
    await sessions.locator("summary").click()
    expect(await sessions.getByRole("table").textContent()).toMatch(/connect from 127\.0\.1\.9.*ConnectionRefused: range/)

    // the refused count of Now leads to every refused session
    await page.getByRole("link", { name: "Refused sessions" }).click()
    await expect.poll(() => sessions.getByRole("listitem").count(), LIVE).toBe(3)
    await page.close()
  })

  it("shows the config in force with secrets masked, what the last SIGHUP applied or refused, on a narrow screen too", async () => {
    // a session of its own to open as a transcript below
    const client = await greeted(running.daemon.port, "127.0.0.38")
    expect(await client.command("MAIL FROM:<narrow@example.org>")).toMatch(/^250[ -]/)
    expect(await client.command("RCPT TO:<bad address>")).toMatch(/^5/)
    expect(await client.command("QUIT")).toMatch(/^221 /)
    client.close()
    const page = await open({ width: 380 })
    const daemonView = page.locator("#config-processes summary").filter({ hasText: /^Daemon \(pid \d+\) — version \d+\.\d+\.\d+, up / })
    await daemonView.click()
    const settings = page.getByRole("table", { name: /^Settings of Daemon/ })
    expect(await settings.getByRole("row").filter({ hasText: "management-token" }).getByRole("cell").allTextContents())
      .toEqual(["management-token", "****"])
    expect(await settings.getByRole("row").filter({ hasText: "smtp-range" }).getByRole("cell").allTextContents())
      .toEqual(["smtp-range", "127.0.0.0/24"])
    expect(await page.getByText("Last reload: no SIGHUP since start").isVisible()).toBe(true)
    expect(await page.content()).not.toContain(TOKEN)
    // nothing wider than the screen
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(380)
    // and no key broken in the middle of a word ("smtp-maxsiz|e"): only after a hyphen
    const brokenKeys = await page.evaluate<Array<string>>(`[...document.querySelectorAll('table[aria-label^="Settings of Daemon"] td:first-child')]
      .filter((cell) => (${LINES_OF})(cell) > cell.textContent.split("-").length).map((cell) => cell.textContent)`)
    expect(brokenKeys).toEqual([])
    // a transcript stacks: the time on one line beside the command, the reply and the decision under them at full width
    const sessions = page.getByRole("list", { name: "Sessions" })
    await sessions.locator("summary").filter({ hasText: "127.0.0.38" }).click()
    const rows = await page.evaluate<Array<{ timeLines: number; replyWidth: number; tableWidth: number }>>(`[...document.querySelector("table.transcript").rows].slice(1)
      .map((row) => ({
        timeLines: (${LINES_OF})(row.cells[0]),
        replyWidth: row.cells[2].getBoundingClientRect().width,
        tableWidth: row.getBoundingClientRect().width
      }))`)
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      expect(row.timeLines).toBe(1)
      expect(row.replyWidth).toBeGreaterThan(row.tableWidth * 0.9)
    }
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(380)
    // the README's narrow screenshot: the top of the page, Now's tiles and the refusals as a phone shows them
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot({ path: join(SHOTS, "console-narrow.png") })
    await page.close()

    const file = running.daemon.configFile
    const original = readFileSync(file, "utf8")
    const reloaded = async (outcome: string) => {
      const mark = running.daemon.logs().length
      process.kill(running.daemon.process.pid!, "SIGHUP")
      await expect.poll(() => running.daemon.logs().slice(mark).some((line) => line.includes(outcome)), LIVE).toBe(true)
      const again = await open()
      await again.locator("#config-processes summary").click()
      return again
    }
    writeFileSync(file, `${original}smtp-timeout: 120\n`)
    const applied = await reloaded("config reloaded")
    await applied.getByText(/^Last reload: SIGHUP at .* UTC: applied smtp-timeout$/).waitFor()
    await applied.close()
    writeFileSync(file, `${original}smtp-maxsize: lots\n`)
    const refused = await reloaded("config reload refused")
    await refused.getByText(/^Last reload: SIGHUP at .* UTC refused: .*smtp-maxsize: "lots" is not valid/).waitFor()
    await refused.close()
    writeFileSync(file, original)
  })

  it("keeps the same access rule as the API: without the token the sections say so and show nothing", async () => {
    expect((await fetch(`${running.api}/api/console/traffic`)).status).toBe(401)
    expect((await fetch(`${running.api}/api/console/config`)).status).toBe(401)
    const page = await openConsole(browser, running.api, problems)
    await page.getByRole("region", { name: "Now" }).getByRole("alert").filter({ hasText: "a valid management token is required" }).waitFor()
    await page.getByRole("region", { name: "Config in force" }).getByRole("alert").filter({ hasText: "a valid management token is required" }).waitFor()
    expect(await page.locator("#config-processes").textContent()).toBe("")
    await page.close()
  })

  it("with smtp-threads: 2, shows each worker's config and the whole daemon's, and the refusals of both workers added up", async () => {
    const port = await freePort()
    const threaded = await startDaemon({
      "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.0/24", "smtp-threads": 2, "management-port": port, "management-token": TOKEN
    }, { waitForListening: 2 })
    try {
      // a connection each time: the kernel spreads them over the workers
      for (let i = 0; i < 4; i++) {
        const bare = await greeted(threaded.port, "127.0.0.78")
        expect(await send(bare, "Subject: bare\n\nline with a bare LF")).toMatch(/^550 /)
        bare.close()
      }
      const url = `http://127.0.0.1:${port}/?token=${TOKEN}`
      const page = await openConsole(browser, url, problems)
      // a worker slow to answer the primary (a loaded machine) is left out of one reading: open it
      // again (the page took the token out of its address: a reload would have none)
      const shown = async () => {
        await page.goto(url)
        await page.locator("#config-daemon").waitFor()
        await page.getByRole("table", { name: "Refusals by reason" }).getByRole("row").nth(1).waitFor()
        return {
          daemon: await page.locator("#config-daemon").textContent(),
          workers: await page.locator("#config-processes summary").allTextContents(),
          reasons: await page.getByRole("table", { name: "Refusals by reason" }).getByRole("row").filter({ hasText: "bare-lf" }).allTextContents(),
          clients: await page.getByRole("table", { name: "Clients refused most" }).getByRole("row").nth(1).getByRole("cell").allTextContents()
        }
      }
      await expect.poll(shown, { timeout: 30_000, interval: 1_000 }).toEqual({
        daemon: expect.stringMatching(/^Whole daemon: 2 workers, version \d+\.\d+\.\d+, up .*; settings the same in every worker$/),
        workers: [expect.stringMatching(/^Worker 1 \(pid \d+\) — version/), expect.stringMatching(/^Worker 2 \(pid \d+\) — version/)],
        reasons: ["bare-lf4"],
        clients: ["127.0.0.78", "4", "bare-lf"]
      })
      await page.close()
    } finally {
      await threaded.stop()
    }
  }, withStartup(30_000))

  it.runIf(rabbit)("shows the publisher as it is: not connected and why (a queue that is not there), connected, a queue deleted under it", async () => {
    const port = await freePort()
    const inbox = uniqueQueue("console-publisher")
    const daemon = await startDaemon({
      "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.0/24", "management-port": port, "management-token": TOKEN,
      "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": inbox, "rabbitmq-declare": "false"
    })
    try {
      const page = await openConsole(browser, `http://127.0.0.1:${port}/?token=${TOKEN}`, problems)
      await expect.poll(() => text(page, "now-publisher"), LIVE)
        .toMatch(new RegExp(`^broker not connected: 127\\.0\\.0\\.1:5672: .*"${inbox}" does not exist and rabbitmq-declare is false`))
      // the operator declares it: the next attempt (at most 5 s later) connects
      await withBrokerChannel((channel) => channel.assertQueue(inbox, { durable: true }))
      await expect.poll(() => text(page, "now-publisher"), LIVE).toBe("broker connected")
      expect(await page.locator("#now-publisher").getAttribute("class")).toBe("good")
      // deleted under the running daemon: the publish that finds it gone gets 451, and nothing declares it again
      await deleteQueues(inbox)
      const client = await greeted(daemon.port, "127.0.0.91")
      expect(await send(client, "Subject: gone\r\n\r\nhello")).toMatch(/^451 /)
      client.close()
      await expect.poll(() => text(page, "now-publisher"), LIVE).toBe(`queue missing: ${inbox}`)
      expect(await page.locator("#now-publisher").getAttribute("class")).toBe("bad")
      await page.close()
    } finally {
      await daemon.stop()
      await deleteQueues(inbox).catch(() => {})
    }
  }, withStartup(60_000))

  it("with the broker gone: the publisher shows it, a message is deferred (451) and counts as a broker refusal", async () => {
    const [port, nobody] = [await freePort(), await freePort()]
    const orphan = await startDaemon({
      "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.0/24", "management-port": port, "management-token": TOKEN,
      "rabbitmq-address": `amqp://guest:guest@127.0.0.1:${nobody}/`, "rabbitmq-inbox": "console-unreachable"
    })
    try {
      const client = await greeted(orphan.port, "127.0.0.90")
      expect(await send(client, "Subject: nowhere\r\n\r\nhello")).toMatch(/^451 /)
      client.close()
      const url = `http://127.0.0.1:${port}/?token=${TOKEN}`
      const page = await openConsole(browser, url, problems)
      await expect.poll(() => text(page, "now-publisher"), LIVE).toMatch(/^broker not connected: 127\.0\.0\.1:\d+: .*ECONNREFUSED/)
      expect(await page.locator("#now-publisher").getAttribute("class")).toBe("bad")
      await expect.poll(() => chartPeak(page, "deferred"), LIVE).toBeGreaterThan(0)
      const broker = page.getByRole("table", { name: "Refusals by reason" }).getByRole("row").filter({ hasText: "broker" })
      await broker.waitFor()
      expect(await broker.getByRole("cell").allTextContents()).toEqual(["broker", "1"])
      await page.getByRole("link", { name: "Sessions refused for broker" }).click()
      const sessions = page.getByRole("list", { name: "Sessions" })
      await expect.poll(() => sessions.getByRole("listitem").count(), LIVE).toBe(1)
      await sessions.locator("summary").click()
      expect(await sessions.getByRole("table").textContent()).toMatch(/publish failed: .*451 /)
      await page.close()
    } finally {
      await orphan.stop()
    }
  }, withStartup(30_000))
})
