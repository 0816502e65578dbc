import { existsSync } from "node:fs"
import { chromium } from "playwright-core"
import type { Browser, BrowserContextOptions, Page } from "playwright-core"
import { serviceAvailable } from "./services.ts"
import { STARTUP_MS } from "./timing.ts"

export const CHROMIUM = "/usr/bin/chromium"

/** Whether the console tests can run (loud skip outside CI, a failure under CI=true). */
export const haveChromium = () => serviceAvailable(`Chromium at ${CHROMIUM}`, existsSync(CHROMIUM), "apt-get install chromium")

/**
 * Headless Chromium. launch() gives every run a fresh temporary profile, removed on close;
 * Playwright runs Chromium in a process group of its own and kills it should the launch time out.
 */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    timeout: STARTUP_MS,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"
    ]
  })

/**
 * Opens `url` in a new page. Script errors and CSP violations (they would leave the page dead
 * without failing a step) go to `problems`, as does any request to another origin: the console
 * must need nothing but its own server.
 */
export const openConsole = async (
  browser: Browser,
  url: string,
  problems: Array<string>,
  options: BrowserContextOptions = {}
): Promise<Page> => {
  const page = await browser.newPage(options)
  page.setDefaultTimeout(5_000)
  const origin = new URL(url).origin
  page.on("pageerror", (error) => problems.push(error.message))
  page.on("console", (message) => {
    // an API error answer is logged by Chromium as "Failed to load resource"; the page shows it itself
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(message.text())
  })
  page.on("request", (request) => {
    if (new URL(request.url()).origin !== origin) problems.push(`request to another origin: ${request.url()}`)
  })
  await page.goto(url)
  return page
}
