import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { drainQueue, report, tally } from "../support/fault-tally.ts"
import { createOwnRabbit, ownRabbitAvailable } from "../support/own-rabbitmq.ts"
import type { OwnRabbit } from "../support/own-rabbitmq.ts"
import { spawnTracked } from "../support/processes.ts"
import { commandExists, serviceAvailable } from "../support/services.ts"
import { is250 } from "../support/smtp-load.ts"
import { startSmtpLoad } from "../support/smtp-load.ts"
import { withStartup } from "../support/timing.ts"

const INBOX = "failover-inbox"
const CLIENTS = 4
const ready = ownRabbitAvailable() && serviceAvailable("python3", commandExists("python3"), "apt-get install -y python3")

/** Python's smtplib, one message after the other until SIGTERM; prints each reply to DATA on a line. */
const SMTPLIB_CLIENT = `
import signal, smtplib, sys, threading
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: done.set())
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("smtplib.example.org")
n = 0
while not done.is_set():
    n += 1
    rcpt = "py-%d@example.com" % n
    s.mail("py@example.org")
    s.rcpt(rcpt)
    code, text = s.data(("Subject: %s\\r\\n\\r\\nfrom smtplib\\r\\n" % rcpt).encode())
    print(code, rcpt, text.decode().replace("\\n", " "), flush=True)
s.quit()
`

const until = async (done: () => boolean, timeoutMs: number, why: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(why)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** A node started again after a crash recovers its durable queues as it boots; wait until this one is back. */
const recovered = async (rabbit: OwnRabbit, queue: string): Promise<void> => {
  // a node killed under load replays its message store as it boots: on a busy machine that takes a while
  const deadline = Date.now() + withStartup(60_000)
  while (!(await rabbit.ctl("list_queues", "-q", "--no-table-headers", "name")).split("\n").some((line) => line.trim() === queue)) {
    if (Date.now() > deadline) throw new Error(`${queue} did not come back on ${rabbit.node}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe.runIf(ready)("rabbitmq-address of two nodes: fail over when one is killed under load", () => {
  let first: OwnRabbit
  let second: OwnRabbit
  let daemon: RunningDaemon

  beforeAll(async () => {
    ;[first, second] = await Promise.all([createOwnRabbit(), createOwnRabbit()])
    await Promise.all([first.start(), second.start()])
    console.log(`own RabbitMQ nodes started in ${first.startTimesMs[0]} and ${second.startTimesMs[0]} ms`)
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "rabbitmq-address": `${first.url},${second.url}`,
      "rabbitmq-inbox": INBOX
    })
  }, withStartup(60_000))

  afterAll(async () => {
    await daemon?.stop()
    await Promise.all([first?.dispose(), second?.dispose()])
  })

  it("connects to the first node, goes on to the second when the first is killed, and loses no 250'd message", async () => {
    expect(daemon.logs().join("\n")).toContain(`connected to RabbitMQ at 127.0.0.1:${first.port}`)
    const smtplib = spawnTracked("smtplib client", "python3", ["-c", SMTPLIB_CLIENT, String(daemon.port)])
    let smtplibOutput = ""
    /** when smtplib's replies of 250 came */
    const smtplib250At: Array<number> = []
    smtplib.child.stdout.on("data", (chunk: Buffer) => {
      smtplibOutput += chunk.toString("utf8")
      for (const line of chunk.toString("utf8").split("\n")) if (line.startsWith("250 ")) smtplib250At.push(Date.now())
    })
    smtplib.child.stderr.on("data", (chunk: Buffer) => (smtplibOutput += chunk.toString("utf8")))
    const smtplibSucceededSince = (since: number) => until(() => smtplib250At.some((at) => at > since), 20_000, `smtplib had no 250 since the kill:\n${smtplibOutput}`)
    const load = startSmtpLoad(daemon.port, CLIENTS)
    const startedAt = Date.now()
    await load.allSucceededSince(startedAt, 10_000)
    await smtplibSucceededSince(startedAt)

    await first.kill()
    const killedAt = Date.now()
    // every client gets 250s again, now from the second node
    await load.allSucceededSince(killedAt, 20_000)
    await smtplibSucceededSince(killedAt)
    const outcomes = await load.stop()
    smtplib.child.kill("SIGTERM")
    expect((await smtplib.exited).code, smtplibOutput).toBe(0)
    expect(daemon.logs().join("\n")).toContain(`connected to RabbitMQ at 127.0.0.1:${second.port}`)

    // what the first node confirmed before it died is on its disk: bring it back and read both
    await first.start()
    await recovered(first, INBOX)
    const documents = [...(await drainQueue(first.url, INBOX)), ...(await drainQueue(second.url, INBOX))]
    const fromLoad = documents.filter((d) => !d.recipient.startsWith("py-"))
    const t = tally(outcomes, fromLoad)
    console.log(report("first of two nodes killed under load", t), `; after the kill: ${outcomes.filter((o) => o.sentAt > killedAt && is250(o)).length} answered 250`)
    expect(t.missing).toEqual([])
    expect(t.wrong).toEqual([])
    expect(t.other4xx).toEqual([])
    // every client, not just some, had its mail accepted again after the kill
    expect(new Set(outcomes.filter((o) => is250(o) && o.sentAt > killedAt).map((o) => o.tag.split("-")[0])).size).toBe(CLIENTS)

    const smtplib250 = [...smtplibOutput.matchAll(/^250 (py-\d+@example\.com) .*?(\S+) for \1/gm)].map((m) => [m[1]!, m[2]!] as const)
    const queued = new Set(documents.filter((d) => d.recipient.startsWith("py-")).map((d) => `${d.recipient} ${d.id}`))
    console.log(`smtplib: ${smtplibOutput.trim().split("\n").length} messages, ${smtplib250.length} answered 250`)
    expect(smtplib250.length).toBeGreaterThan(0)
    expect(smtplib250.filter(([rcpt, id]) => !queued.has(`${rcpt} ${id}`))).toEqual([])
  }, withStartup(150_000))
})
