import { describe, expect, it } from "vitest"
import { daemonPerTest } from "../support/daemon-hooks.ts"
import { logLines } from "../support/daemon-logs.ts"
import { BROKER_URL, deleteQueues, takeMessages } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"

const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

const send = (port: number, to: string) => swaks(port, ["--from", "s@example.org", "--to", to, "--body", `for ${to}`])

describe.runIf(ready)("a queue deleted under the running daemon", () => {
  const daemons = daemonPerTest()

  it("is declared again on the publish that finds it gone (451), and the next message is queued", async () => {
    const inbox = daemons.queue("vanished")
    const daemon = await daemons.start({ "smtp-range": "127.0.0.1", "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": inbox })
    expect((await send(daemon.port, "before@example.com")).output).toMatch(/queued using/)
    await deleteQueues(inbox)

    const finding = await send(daemon.port, "finding@example.com")
    expect(finding.output).toMatch(/451 4\.3\.0 /)
    const after = await send(daemon.port, "after@example.com")
    expect(after.output).toMatch(/queued using/)
    const ids = queuedIds(after.output)
    const [message] = await takeMessages(inbox, 1, 5_000)
    expect(message?.json.recipient).toBe("after@example.com")
    expect(message?.json["message-id"]).toBe(ids.get("after@example.com"))
    expect(logLines(daemon).some((l) => l.message.includes(`queue ${inbox} was gone; declared it again`))).toBe(true)
  })
})
