import { afterAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"
import { startTcpForwarder } from "../support/tcp-forwarder.ts"
import type { TcpForwarder } from "../support/tcp-forwarder.ts"
import { withStartup } from "../support/timing.ts"

const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

const send = (port: number, to: string) =>
  swaks(port, ["--from", "s@example.org", "--to", to, "--body", `message for ${to}`])

describe.runIf(ready)("the daemon while the broker is unreachable", () => {
  const inbox = uniqueQueue("outage")
  let daemon: RunningDaemon
  let forwarder: TcpForwarder

  afterAll(async () => {
    await daemon?.stop()
    await forwarder?.cut()
    await deleteQueues(inbox)
  })

  it("answers 451 4.3.0 while it cannot publish, keeps serving, and recovers on its own", async () => {
    forwarder = await startTcpForwarder({ host: "127.0.0.1", port: 5672 })
    await forwarder.cut()
    daemon = await startDaemon({
      "smtp-range": "127.0.0.1",
      "rabbitmq-address": `amqp://guest:guest@127.0.0.1:${forwarder.port}/`,
      "rabbitmq-inbox": inbox
    })

    const during = await send(daemon.port, "during@example.com")
    expect(during.output).toMatch(/451 4\.3\.0 /)
    expect(during.output).not.toContain("queued using")

    await forwarder.reopen()
    let after = await send(daemon.port, "after@example.com")
    for (let i = 0; i < 40 && !after.output.includes("queued using"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      after = await send(daemon.port, "after@example.com")
    }
    expect(after.output).toContain("queued using")

    // Cut the connection under a running daemon: again 451, never 250, then recovery.
    await forwarder.cut()
    const cut = await send(daemon.port, "cut@example.com")
    expect(cut.output).toMatch(/451 4\.3\.0 /)
    await forwarder.reopen()
    let again = await send(daemon.port, "again@example.com")
    for (let i = 0; i < 40 && !again.output.includes("queued using"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      again = await send(daemon.port, "again@example.com")
    }
    expect(again.output).toContain("queued using")

    const answered250 = [...queuedIds(after.output).values(), ...queuedIds(again.output).values()]
    const inQueue = await takeMessages(inbox, 10, 2000)
    expect(inQueue.map((m) => m.json["message-id"]).sort()).toEqual(answered250.sort())
    expect(inQueue.map((m) => m.json.recipient)).not.toContain("during@example.com")
    expect(inQueue.map((m) => m.json.recipient)).not.toContain("cut@example.com")
  }, withStartup(60_000))
})
