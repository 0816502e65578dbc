import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { certificateFactory } from "../support/certificates.ts"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { BROKER_URL, deleteQueues, queueDepth, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"

const ready = (await rabbitAvailable()) &&
  serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks") &&
  serviceAvailable("openssl", commandExists("openssl"), "apt-get install -y openssl")

describe.runIf(ready)("rabbitmq-refused: messages refused for want of AUTH are kept for inspection", () => {
  const inbox = uniqueQueue("refused-inbox")
  const refused = uniqueQueue("refused")
  const certificates = certificateFactory()
  let daemon: RunningDaemon

  beforeAll(async () => {
    const cert = certificates.selfSigned("mx.refused.test")
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "smtp-certificate": cert.certificate,
      "smtp-key": cert.key,
      "smtp-auth": "hardcoded://alice:wonder",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox,
      "rabbitmq-refused": refused
    })
  })
  afterAll(async () => {
    await daemon?.stop()
    certificates.cleanup()
    await deleteQueues(inbox, refused)
  })

  it("takes the message in, refuses it after DATA with 530 5.7.0, and publishes it with the refusal to rabbitmq-refused only", async () => {
    const sent = await swaks(daemon.port, [
      "--from", "flood@example.org", "--to", "far@example.net", "--tls", "--header", "Subject: unauthenticated"
    ])
    // the recipient is taken provisionally; the refusal comes at the end of DATA, as the message is refused as a whole
    expect(sent.output).toMatch(/RCPT TO:<far@example\.net>\s*\n<~? *250 2\.1\.5/)
    expect(sent.output).toMatch(/<~\*? *530 5\.7\.0 Authentication required/)
    expect(queuedIds(sent.output).size).toBe(0)

    const [kept] = await takeMessages(refused, 1)
    expect(kept?.json).toMatchObject({
      envelope: "flood@example.org",
      recipient: "far@example.net",
      refused: { code: 530, status: "5.7.0", description: "Authentication required", recipients: ["far@example.net"] }
    })
    expect(kept?.json.mime as string).toContain("Subject: unauthenticated")
    expect(await queueDepth(inbox)).toBe(0)
    expect(daemon.logs().some((l) => l.includes("message refused") && l.includes("authentication"))).toBe(true)
  })

  it("an authenticated client's message goes to the inbox as ever, nothing to rabbitmq-refused", async () => {
    const sent = await swaks(daemon.port, [
      "--from", "alice@example.org", "--to", "far@example.net", "--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wonder"
    ])
    expect(sent.code, sent.output).toBe(0)
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json["message-id"]).toBe(queuedIds(sent.output).get("far@example.net"))
    expect(await queueDepth(refused)).toBe(0)
  })
})
