import amqp from "amqplib"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { CLI, startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { drainQueue } from "../support/fault-tally.ts"
import { freePort } from "../support/free-port.ts"
import { createOwnRabbit, ownRabbitAvailable } from "../support/own-rabbitmq.ts"
import type { OwnRabbit } from "../support/own-rabbitmq.ts"
import { runTracked } from "../support/processes.ts"
import { queuedIds, rawSession } from "../support/smtp-clients.ts"
import { startTcpForwarder } from "../support/tcp-forwarder.ts"
import { withStartup } from "../support/timing.ts"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One message to `rcpt`; resolves with the reply to DATA. */
const send = async (port: number, rcpt: string): Promise<string> => {
  const session = rawSession(port)
  try {
    await session.reply()
    await session.command("EHLO client.example.org")
    await session.command("MAIL FROM:<s@example.org>")
    await session.command(`RCPT TO:<${rcpt}>`)
    await session.command("DATA")
    session.send(`Subject: ${rcpt}\r\n\r\nhello\r\n.\r\n`)
    return await session.reply()
  } finally {
    session.close()
  }
}

/** `rabbitmqctl list_queues name type` as a map */
const queueTypes = async (rabbit: OwnRabbit): Promise<Map<string, string>> => {
  const out = await rabbit.ctl("list_queues", "-q", "--no-table-headers", "name", "type")
  return new Map(out.trim().split("\n").map((line) => line.trim().split(/\s+/) as [string, string]))
}

describe.runIf(ownRabbitAvailable())("rabbitmq-queue-type (a RabbitMQ node of its own)", () => {
  let rabbit: OwnRabbit
  let admin: amqp.ChannelModel
  let daemon: RunningDaemon | undefined

  beforeAll(async () => {
    rabbit = await createOwnRabbit()
    await rabbit.start()
    console.log(`own RabbitMQ node ${rabbit.node} started in ${rabbit.startTimesMs[0]} ms`)
    admin = await amqp.connect(rabbit.url)
  })

  afterEach(async () => {
    await daemon?.stop()
    daemon = undefined
  })

  afterAll(async () => {
    await admin?.close()
    await rabbit?.dispose()
  })

  /** a channel of its own per use: a failed declaration closes the channel it was made on */
  const withChannel = async <A>(use: (channel: amqp.Channel) => Promise<A>): Promise<A> => {
    const channel = await admin.createChannel()
    try {
      return await use(channel)
    } finally {
      await channel.close()
    }
  }

  it("quorum: declares a quorum queue and messages flow", async () => {
    daemon = await startDaemon({
      "smtp-range": "127.0.0.0/8", "rabbitmq-address": rabbit.url, "rabbitmq-inbox": "q-inbox", "rabbitmq-queue-type": "quorum"
    })
    expect((await queueTypes(rabbit)).get("q-inbox")).toBe("quorum")
    const reply = await send(daemon.port, "quorum@example.com")
    expect(reply).toContain("queued using")
    const documents = await drainQueue(rabbit.url, "q-inbox")
    expect(documents).toEqual([{ id: queuedIds(reply).get("quorum@example.com"), recipient: "quorum@example.com" }])
  })

  it("a classic queue of the same name: exit 1 at start, stderr names the queue, the mismatch and the fix", async () => {
    await withChannel((channel) => channel.assertQueue("c-inbox", { durable: true }))
    const dir = mkdtempSync(join(tmpdir(), "smtp-intake-quorum-"))
    try {
      const file = join(dir, "quorum.conf")
      writeFileSync(file, [
        "smtp-ip: 127.0.0.1", `smtp-port: ${await freePort()}`, `rabbitmq-address: ${rabbit.url}`,
        "rabbitmq-inbox: c-inbox", "rabbitmq-queue-type: quorum",
        `database-address: sqlite://${join(dir, "intake.db")}`
      ].join("\n"))
      const { code, stdout, stderr } = await runTracked(process.execPath, [CLI, "--config", file])
      console.log(`start-up error as the operator sees it:\n${stderr}`)
      expect(code).toBe(1)
      expect(stdout).not.toContain("\"listening\"")
      expect(stderr).toContain(`queue "c-inbox" already exists with different arguments`)
      expect(stderr).toMatch(/inequivalent arg 'x-queue-type'/)
      expect(stderr).toContain("set rabbitmq-queue-type to the type the queue has")
      expect(stderr).toContain("rabbitmqctl delete_queue c-inbox")
      expect(stderr.trim().split("\n")).toHaveLength(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    expect((await queueTypes(rabbit)).get("c-inbox")).toBe("classic")
  })

  it("a mismatch found on a reconnect: the daemon keeps serving 451s, logs it, and recovers once it is fixed", async () => {
    const forwarder = await startTcpForwarder({ host: "127.0.0.1", port: rabbit.port })
    try {
      daemon = await startDaemon({
        "smtp-range": "127.0.0.0/8", "rabbitmq-inbox": "r-inbox", "rabbitmq-queue-type": "quorum",
        "rabbitmq-address": `amqp://guest:guest@127.0.0.1:${forwarder.port}/`
      })
      expect(await send(daemon.port, "before@example.com")).toContain("queued using")
      await withChannel(async (channel) => {
        await channel.deleteQueue("r-inbox")
        await channel.assertQueue("r-inbox", { durable: true })
      })
      await forwarder.cut()
      await forwarder.reopen()
      const logs = daemon.logs
      for (let i = 0; i < 50 && !logs().some((l) => l.includes("already exists with different arguments")); i++) await sleep(100)
      expect(logs().some((l) => l.includes(`queue \\"r-inbox\\" already exists with different arguments`))).toBe(true)
      expect(await send(daemon.port, "during@example.com")).toMatch(/^451 4\.3\.0 /)
      expect(daemon.process.exitCode).toBeNull()

      await withChannel((channel) => channel.deleteQueue("r-inbox"))
      let after = await send(daemon.port, "after@example.com")
      for (let i = 0; i < 60 && !after.includes("queued using"); i++) {
        await sleep(100)
        after = await send(daemon.port, "after@example.com")
      }
      expect(after).toContain("queued using")
      expect((await queueTypes(rabbit)).get("r-inbox")).toBe("quorum")
    } finally {
      await forwarder.cut()
    }
  }, withStartup(20_000))
})
