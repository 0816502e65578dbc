import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startInProcessSmtp } from "../support/in-process-smtp.ts"
import type { InProcessSmtp } from "../support/in-process-smtp.ts"
import { wireClient } from "../support/wire-client.ts"

/** MailerQ's values where they mean something of their own, through the real session and acceptMessage (in-process). */
const send = async (port: number, recipients: ReadonlyArray<string>) => {
  const client = await wireClient(port)
  await client.reply()
  client.send("EHLO client.example\r\nMAIL FROM:<sender@example.org>\r\n")
  await client.reply()
  await client.reply()
  for (const recipient of recipients) {
    client.send(`RCPT TO:<${recipient}>\r\n`)
    expect(await client.reply()).toMatch(/^250 /)
  }
  client.send("DATA\r\n")
  await client.reply()
  client.send("Subject: discard test\r\n\r\nbody\r\n.\r\n")
  const reply = await client.reply()
  client.send("QUIT\r\n")
  return reply
}

describe("an empty rabbitmq-inbox (rabbitmq-config.md: discard what is not local)", () => {
  let smtp: InProcessSmtp
  beforeAll(async () => {
    smtp = await startInProcessSmtp({ local: ["postmaster@intake.test"], settings: { inboxQueue: undefined, localQueue: "local" } })
  })
  afterAll(() => smtp?.stop())

  it("publishes the local recipient's document, discards the others with a log line, and says so in the 250", async () => {
    const reply = await send(smtp.port, ["info@example.com", "postmaster@intake.test"])
    expect(reply).toMatch(/^250-Ok, your message has been queued/)
    expect(smtp.deliveries.map((d) => d.queue)).toEqual(["local"])
    const discarded = smtp.logs.filter((line) => String(line.message).includes("message discarded for non-local recipients"))
    expect(discarded).toHaveLength(1)
  })

  it("answers 250 for a message with only non-local recipients and publishes nothing (the documented, warned discard)", async () => {
    const before = smtp.deliveries.length
    expect(await send(smtp.port, ["a@example.com"])).toMatch(/^250 /m)
    expect(smtp.deliveries.length).toBe(before)
  })
})
