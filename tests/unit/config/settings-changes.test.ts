import { describe, expect, it } from "vitest"
import { configKeys } from "../../../domain/config/keys.ts"
import { parseConfig } from "../../../domain/config/parse-config.ts"
import { settingsChanges, settingsToApply } from "../../../domain/config/settings-changes.ts"
import type { Settings } from "../../../domain/config/settings.ts"

const parse = (text: string): Settings => {
  const result = parseConfig({ text, file: "reload.conf", env: {} })
  if (result._tag === "Invalid") throw new Error(JSON.stringify(result.errors))
  return result.settings
}

const TLS = "smtp-certificate: /etc/tls/a.pem\nsmtp-key: /etc/tls/a.key\n"
const running = parse(`smtp-port: 25\nsmtp-range: 10.0.0.0/8\n${TLS}rabbitmq-inbox: inbox\n`)

describe("what a reload may change", () => {
  it("keys bound at start take a restart; the session, list, limit and TLS keys apply live", () => {
    const restart = configKeys.filter((spec) => spec.reload === "restart").map((spec) => spec.name)
    expect(restart).toEqual([
      "smtp-ip", "smtp-port", "smtp-secure-port", "smtp-auth", "smtp-threads", "smtp-data-memory",
      "rabbitmq-address", "rabbitmq-inbox", "rabbitmq-outbox", "rabbitmq-local", "rabbitmq-reports", "rabbitmq-max-message-size", "rabbitmq-queue-type",
      "dns-servers", "database-address", "management-port", "management-ip", "management-token", "embedded-spool-directory",
      "rabbitmq-verify", "rabbitmq-declare", "rabbitmq-durable", "rabbitmq-lazy", "rabbitmq-maxpriority",
      "rabbitmq-exchange", "rabbitmq-encoding", "rabbitmq-persistent", "rabbitmq-refused"
    ])
    expect(configKeys.filter((spec) => spec.reload === "live-while-set").map((spec) => spec.name)).toEqual(["smtp-certificate", "smtp-key"])
  })

  it("a new smtp-range and smtp-maxsize apply; a new smtp-port is reported and the old one kept", () => {
    const loaded = parse(`smtp-port: 2525\nsmtp-range: 192.0.2.0/24\nsmtp-maxsize: 1MB\n${TLS}rabbitmq-inbox: inbox\n`)
    expect(settingsChanges(running, loaded)).toEqual({ reloadable: ["smtp-range", "smtp-maxsize"], restartOnly: ["smtp-port"] })
    const applied = settingsToApply(running, loaded)
    expect(applied.smtpPort).toEqual([25])
    expect(applied.smtpRange.map((range) => range.text)).toEqual(["192.0.2.0/24"])
    expect(applied.smtpMaxsize).toBe(1024 * 1024)
  })

  it("a renewed certificate at a new path applies; turning TLS off takes a restart", () => {
    const renewed = parse(`smtp-port: 25\nsmtp-range: 10.0.0.0/8\nsmtp-certificate: /etc/tls/b.pem\nsmtp-key: /etc/tls/b.key\nrabbitmq-inbox: inbox\n`)
    expect(settingsChanges(running, renewed)).toEqual({ reloadable: ["smtp-certificate", "smtp-key"], restartOnly: [] })
    const plain = parse("smtp-port: 25\nsmtp-range: 10.0.0.0/8\nrabbitmq-inbox: inbox\n")
    expect(settingsChanges(running, plain)).toEqual({ reloadable: [], restartOnly: ["smtp-certificate", "smtp-key"] })
    expect(settingsToApply(running, plain).smtpCertificate).toBe("/etc/tls/a.pem")
  })

  it("rabbitmq-inbox following rabbitmq-outbox counts as a change of both", () => {
    const before = parse("rabbitmq-outbox: one\n")
    const after = parse("rabbitmq-outbox: two\n")
    expect(settingsChanges(before, after).restartOnly).toEqual(["rabbitmq-inbox", "rabbitmq-outbox"])
  })
})
