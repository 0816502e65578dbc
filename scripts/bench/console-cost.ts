/**
 * `npm run bench:console`: what the management console costs the daemon while operators watch it
 * (issue 20). The same smtp-source load as `npm run bench` (10 KB messages over 20 sessions, the real
 * daemon publishing to RabbitMQ with confirms) runs in rounds of three, the order rotated every
 * round so that drifting load hits all alike:
 * - the console closed;
 * - the console open in two headless Chromium browsers (each polling the traffic once a second,
 *   the refusals every ten seconds and the config every thirty). On the bench machine Chromium
 *   shares the daemon's CPUs, where an operator's browser would not: its own CPU time is reported;
 * - two HTTP pollers making exactly the page's requests, without a browser: the daemon's side of
 *   watching alone.
 * Reports msgs/s and the daemon's CPU time per message, medians; never asserts.
 *
 *   npm run bench:console -- [--rounds 3] [--messages 5000] [--single-messages 2000]
 */
import { readdirSync, readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import type { Browser } from "playwright-core"
import { freePort } from "../../tests/support/free-port.ts"
import { launchChromium } from "../../tests/support/chromium.ts"
import { startBenchDaemon } from "./bench-daemon.ts"
import { benchQueue, BROKER_URL, brokerReachable } from "./bench-queue.ts"
import { childrenOf, cpuMs } from "./cpu-time.ts"
import { postfixToolsMissing, runSmtpSource } from "./postfix-tools.ts"
import type { SourceLoad } from "./postfix-tools.ts"
import { median } from "./stats.ts"

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    messages: { type: "string", default: "5000" },
    "single-messages": { type: "string", default: "2000" }
  }
})
const ROUNDS = Number(flags.rounds)
const say = (line: string) => process.stdout.write(`${line}\n`)

type Watching = "closed" | "two browsers" | "two pollers"
const WATCHING: ReadonlyArray<Watching> = ["closed", "two browsers", "two pollers"]

/** CPU time (ms) of a process and all its descendants: Chromium's renderers are its grandchildren. */
const treeCpuMs = (root: number): number => {
  const parents = new Map<number, Array<number>>()
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8")
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      parents.set(parent, [...(parents.get(parent) ?? []), Number(name)])
    } catch {
      // gone meanwhile
    }
  }
  const own = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      return (Number(fields[11]) + Number(fields[12])) * 10
    } catch {
      return 0
    }
  }
  const walk = (pid: number): number => own(pid) + (parents.get(pid) ?? []).reduce((sum, child) => sum + walk(child), 0)
  return walk(root)
}

/** Two browsers with the console open (a context each: nothing shared), once it shows live figures; closes them. */
const openBrowsers = async (browser: Browser, url: string) => {
  const contexts = await Promise.all([0, 1].map(async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(url)
    await page.locator("#now-publisher").filter({ hasText: "broker connected" }).waitFor({ timeout: 30_000 })
    return context
  }))
  return () => Promise.all(contexts.map((context) => context.close())).then(() => undefined)
}

/** Two pollers making the page's requests at the page's pace; stops them. */
const startPollers = (base: string) => {
  const timers = [0, 1].flatMap(() => {
    let since = 0
    const get = (path: string) => fetch(`${base}${path}`).then((response) => response.json() as Promise<{ points?: Array<{ at: number }> }>)
    const traffic = () => void get(`/api/console/traffic?since=${since}`).then((data) => (since = data.points?.at(-1)?.at ?? since), () => {})
    const refusals = () => void get("/api/console/refusals").catch(() => {})
    const config = () => void get("/api/console/config").catch(() => {})
    traffic(), refusals(), config()
    return [setInterval(traffic, 1000), setInterval(refusals, 10_000), setInterval(config, 30_000)]
  })
  return () => Promise.resolve(timers.forEach(clearInterval))
}

const main = async () => {
  const missing = postfixToolsMissing()
  if (missing !== undefined) throw new Error(`${missing} is missing: apt-get install postfix`)
  if (!(await brokerReachable())) throw new Error(`RabbitMQ is not reachable at ${BROKER_URL}`)
  const queue = benchQueue()
  const [port, managementPort] = [await freePort(), await freePort()]
  const daemon = await startBenchDaemon({
    "smtp-ip": "127.0.0.1", "smtp-port": port, "smtp-range": "127.0.0.0/8", "smtp-hostname": "bench.localhost",
    "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": queue.name, "management-port": managementPort, "management-ip": "127.0.0.1"
  })
  const browser = await launchChromium()
  // Playwright starts Chromium as a child of this process
  const browserPid = childrenOf(process.pid).find((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("chrom"))
  const base = `http://127.0.0.1:${managementPort}`
  try {
    const load = { port, sessions: 20, size: 10240 }
    await runSmtpSource({ ...load, messages: 1000, reuseConnections: true })
    await queue.purge()
    const run = async (source: SourceLoad, watching: Watching) => {
      const stop = watching === "two browsers" ? await openBrowsers(browser, `${base}/`) : watching === "two pollers" ? startPollers(base) : undefined
      const [cpu, browserCpu] = [cpuMs(daemon.pid), browserPid === undefined ? 0 : treeCpuMs(browserPid)]
      const result = await runSmtpSource(source)
      const figures = {
        perSecond: result.perSecond,
        cpuMs: (cpuMs(daemon.pid) - cpu) / source.messages,
        browserCpuMs: browserPid === undefined ? 0 : (treeCpuMs(browserPid) - browserCpu) / source.messages
      }
      await stop?.()
      const depth = await queue.depth()
      if (depth !== source.messages) say(`  warning: the queue holds ${depth} messages after a run of ${source.messages}`)
      await queue.purge()
      return figures
    }
    for (const [label, source] of [
      ["(a) many messages per connection", { ...load, messages: Number(flags.messages), reuseConnections: true }],
      ["(b) one message per connection", { ...load, messages: Number(flags["single-messages"]), reuseConnections: false }]
    ] as const) {
      say(`${label}: ${source.messages} messages of ${source.size} bytes over ${source.sessions} sessions`)
      const results = new Map(WATCHING.map((w) => [w, [] as Array<Awaited<ReturnType<typeof run>>>]))
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < WATCHING.length; i++) {
          const watching = WATCHING[(round + i) % WATCHING.length]!
          const figures = await run(source, watching)
          results.get(watching)!.push(figures)
          say(`  round ${round + 1}, console ${watching}: ${Math.round(figures.perSecond)} msgs/s, daemon ${figures.cpuMs.toFixed(3)} ms CPU/msg` +
            (watching === "two browsers" ? `, Chromium ${figures.browserCpuMs.toFixed(3)} ms CPU/msg` : ""))
        }
      }
      for (const [watching, runs] of results) {
        say(`  median, console ${watching}: ${Math.round(median(runs.map((r) => r.perSecond)))} msgs/s, daemon ` +
          `${median(runs.map((r) => r.cpuMs)).toFixed(3)} ms CPU/msg`)
      }
    }
  } finally {
    await browser.close()
    await daemon.stop()
    await queue.remove().catch(() => {})
  }
}

await main()
