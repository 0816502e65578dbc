import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { CLI } from "../support/daemon.ts"
import { runTracked } from "../support/processes.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { rabbitAvailable } from "../support/services.ts"

const ready = await rabbitAvailable()

/** MailerQ's command-line utility (command-line-utility.md): a message on standard input, published with confirms. */
describe.runIf(ready)("smtp-intake send, against the real RabbitMQ", () => {
  const inbox = uniqueQueue("send")
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-send-"))
  const config = join(dir, "send.conf")
  writeFileSync(config, `rabbitmq-address: ${BROKER_URL}\nrabbitmq-inbox: ${inbox}\nsmtp-hostname: mx.send.test\nsmtp-default-ips: 192.0.2.25\n`)
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    await deleteQueues(inbox)
  })

  const send = async (args: ReadonlyArray<string>, input: string) => {
    const { code, stdout, stderr } = await runTracked(process.execPath, [CLI, "--config", config, ...args], { input })
    return { code: code ?? 1, stdout, stderr }
  }

  it("publishes one JSON per recipient, the message ending at a lone dot with dot-stuffing undone", async () => {
    const sent = await send(["send", "info@example.com", "sales@example.com"], [
      "From: Alice <alice@example.org>", "Subject: from a script", "X-MQ-Tag: nightly report", "", "first", "..stuffed", ".not stuffed", ".",
      "after the end"
    ].join("\n") + "\n")
    expect(sent.code, sent.stderr).toBe(0)
    const ids = [...sent.stdout.matchAll(/^(\S+) for (\S+)$/gm)].map((m) => [m[2], m[1]])
    expect(ids.map(([rcpt]) => rcpt)).toEqual(["info@example.com", "sales@example.com"])
    const messages = await takeMessages(inbox, 2)
    expect(messages.map((m) => [m.json.recipient, m.json["message-id"]])).toEqual(ids)
    const json = messages[0]!.json
    expect(json).toMatchObject({ hostname: "mx.send.test", envelope: "alice@example.org", ips: ["192.0.2.25"], tags: ["nightly report"] })
    expect(json.received).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    const mime = json.mime as string
    expect(mime).toMatch(/^Received: /)
    expect(mime.endsWith("From: Alice <alice@example.org>\r\nSubject: from a script\r\n\r\nfirst\r\n.stuffed\r\n.not stuffed\r\n")).toBe(true)
    expect(messages[0]!.properties.deliveryMode).toBe(2)
  })

  it("--extract-recipients takes To, Cc and Bcc (and removes Bcc); --ignore-dot reads to the end; --envelope wins", async () => {
    const sent = await send(["--extract-recipients", "--ignore-dot", "--envelope", "bounces@example.org"], [
      "From: alice@example.org", "To: \"Bob, B.\" <bob@example.com>, carol@example.com", "Cc: dave@example.com",
      "Bcc: erin@example.com", "X-MQ-Envelope: other@example.org", "Subject: t", "", "body", ".", "still body"
    ].join("\r\n") + "\r\n")
    expect(sent.code, sent.stderr).toBe(0)
    const messages = await takeMessages(inbox, 4)
    expect(messages.map((m) => m.json.recipient).sort()).toEqual(["bob@example.com", "carol@example.com", "dave@example.com", "erin@example.com"])
    for (const m of messages) {
      expect(m.json.envelope).toBe("bounces@example.org")
      expect(m.json.mime as string).not.toMatch(/^Bcc:/im)
      expect((m.json.mime as string).endsWith("body\r\n.\r\nstill body\r\n")).toBe(true)
    }
  })

  it("exits 75 with a clear message when the broker does not confirm, and 2 without recipients", async () => {
    const down = await send(["--rabbitmq-address=amqp://guest:guest@127.0.0.1:1/", "send", "a@example.com"], "Subject: x\n\nbody\n")
    expect(down.code).toBe(75)
    expect(down.stderr).toContain("smtp-intake send: the broker did not confirm the message")
    expect(down.stdout).toBe("")
    const none = await send(["send"], "Subject: x\n\nbody\n")
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("no recipients")
  })
})
