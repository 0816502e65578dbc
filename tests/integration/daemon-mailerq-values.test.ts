import { describe, expect, it } from "vitest"
import { daemonPerSuite } from "../support/daemon-hooks.ts"
import { BROKER_URL, takeMessages } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"

const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

/**
 * Issue 15 through the real daemon, swaks and the real RabbitMQ: MailerQ's values where its docs
 * give them a meaning (0 connections, 0 timeout, booleans as yes/on/1), the `ips` fallback for an
 * unmappable local IP without smtp-default-ips, and the JSON types of `x-mq-*` headers
 * (json-messages.md, mime-headers.md). These were covered by unit and property tests only.
 */
describe.runIf(ready)("MailerQ's values, the ips fallback and x-mq types, through the daemon", () => {
  const { queue: inbox, daemon } = daemonPerSuite("mq-values", (queue) => ({
    "smtp-ip": "127.0.0.1",
    "smtp-range": "127.0.0.0/8",
    "rabbitmq-address": BROKER_URL,
    "rabbitmq-inbox": queue,
    // MailerQ's 0: no limit, no timeout
    "smtp-connections": 0,
    "smtp-connections-in": 0,
    "smtp-connections-out": 0,
    "smtp-timeout": 0,
    // booleans and sizes as MailerQ's docs and configs write them
    "smtp-extract": "yes",
    "smtp-protection": "off",
    "rabbitmq-durable": "1",
    "smtp-maxsize": "1MB",
    // the local IP is not mappable and there are no defaults: MailerQ sends from any IP
    "smtp-mappable-ips": "127.0.0.0/8",
    "smtp-unmappable-ips": "127.0.0.1/32"
  }))

  it("starts on 0 connections and a 0 timeout, warns about the timeout, and leaves ips out for an unmappable local IP", async () => {
    expect(daemon().logs().some((line) => line.includes("smtp-timeout is 0"))).toBe(true)
    const sent = await swaks(daemon().port, ["--from", "a@example.org", "--to", "any-ip@example.com"])
    expect(sent.code, sent.output).toBe(0)
    expect(sent.output).toContain("SIZE 1048576")
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json["message-id"]).toBe(queuedIds(sent.output).get("any-ip@example.com"))
    expect(message?.json).not.toHaveProperty("ips")
    expect(message?.json.connection).toMatchObject({ "local-ip": "127.0.0.1" })
  })

  it("gives x-mq-* values the JSON types of MailerQ's docs, and keeps untyped ones the strings they were", async () => {
    const headers = [
      "x-mq-inlinecss: 1",
      "x-mq-keepmime: no",
      "x-mq-retries: 300,600,3600",
      "x-mq-maxattempts: three",
      "x-mq-maxdelivertime: 2016-03-10 00:00:00",
      "x-mq-delayed: 2016-02-10 12:00:00",
      "x-mq-tag: Customer Name",
      "x-mq-customer-ref: 00123",
      "x-mq-account: 12345678901234567890"
    ]
    const sent = await swaks(daemon().port, [
      "--from", "a@example.org", "--to", "typed@example.com", ...headers.flatMap((header) => ["--header", header])
    ])
    expect(sent.code, sent.output).toBe(0)
    const [message] = await takeMessages(inbox, 1)
    const json = message!.json
    expect(json).toMatchObject({
      inlinecss: true,
      keepmime: false,
      retries: [300, 600, 3600],
      maxdelivertime: "2016-03-10 00:00:00",
      nextattempt: { time: "2016-02-10 12:00:00" },
      tags: ["Customer Name"],
      "customer-ref": "00123",
      account: "12345678901234567890"
    })
    // a value not of its type is removed, not guessed at
    expect(json).not.toHaveProperty("maxattempts")
    expect(json.mime as string).not.toMatch(/^x-mq-/im)
  })
})
