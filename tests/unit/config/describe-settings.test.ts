import { describe, expect, it } from "vitest"
import { describeSettings } from "../../../domain/config/describe-settings.ts"
import { configKeys } from "../../../domain/config/keys.ts"
import { formatConfigError, parseConfig } from "../../../domain/config/parse-config.ts"
import type { Settings } from "../../../domain/config/settings.ts"

const settingsOf = (text: string): Settings => {
  const result = parseConfig({ text, file: "t.conf", env: {} })
  if (result._tag === "Invalid") throw new Error(result.errors.map(formatConfigError).join("\n"))
  return result.settings
}
const defaults = settingsOf("")
const lineOf = (text: string, key: string): string | undefined =>
  text.split("\n").find((line) => line.replace(/^# /, "").startsWith(`${key}:`))

describe("describeSettings", () => {
  const text = describeSettings(defaults)

  it("shows every key once, in the file format", () => {
    for (const spec of configKeys) {
      expect(text.split("\n").filter((line) => line.replace(/^# /, "").startsWith(`${spec.name}:`))).toHaveLength(1)
    }
  })

  it("shows defaults as values", () => {
    expect(lineOf(text, "smtp-port")).toMatch(/^smtp-port:\s+25$/)
    expect(lineOf(text, "smtp-maxsize")).toMatch(/^smtp-maxsize:\s+100MB$/)
    expect(lineOf(text, "rabbitmq-inbox")).toMatch(/^rabbitmq-inbox:\s+outbox$/)
    expect(lineOf(text, "database-address")).toMatch(/^database-address:\s+sqlite:\/\/\/var\/lib\/smtp-intake\/intake\.db$/)
  })

  it("shows unset keys as comments saying what that means", () => {
    expect(lineOf(text, "smtp-auth")).toMatch(/^# smtp-auth:\s+\(not set\) - no authentication$/)
    expect(lineOf(text, "smtp-range")).toMatch(/^# smtp-range:\s+\(not set\) - nobody may connect$/)
    expect(lineOf(text, "rabbitmq-address")).toMatch(/^# rabbitmq-address:\s+\(not set\) - amqp:\/\/guest:guest@localhost\/ \(MailerQ.s default/)
  })

  it("writes lists back in their config syntax", () => {
    const described = describeSettings({
      ...defaults,
      smtpPort: [25, 2525, 1024, 1025],
      smtpRange: settingsOf("smtp-range: 10.0.0.0/8;2001:db8::/32").smtpRange,
      smtpCheck: ["spf", "dkim"],
      smtpDefaultIps: ["1.2.3.4", "4.5.6.7"]
    })
    expect(lineOf(described, "smtp-port")).toMatch(/\s25,2525,1024,1025$/)
    expect(lineOf(described, "smtp-range")).toMatch(/\s10\.0\.0\.0\/8;2001:db8::\/32$/)
    expect(lineOf(described, "smtp-check")).toMatch(/\sspf,dkim$/)
    expect(lineOf(described, "smtp-default-ips")).toMatch(/\s1\.2\.3\.4;4\.5\.6\.7$/)
  })

  describe("masks secrets", () => {
    it.each<[Partial<Settings>, string, string, string]>([
      [{ rabbitmqAddress: "amqp://mq-user:hunter2@rabbit:5672/mail" }, "rabbitmq-address", "amqp://mq-user:****@rabbit:5672/mail", "hunter2"],
      [
        { rabbitmqAddress: "amqp://mq:first-pw@r1/mail,amqp://mq:second-pw@r2;r3/mail" },
        "rabbitmq-address",
        "amqp://mq:****@r1/mail,amqp://mq:****@r2;r3/mail",
        "second-pw"
      ],
      [{ smtpAuth: "hardcoded://alice:wonder,bob,builder" }, "smtp-auth", "hardcoded://alice:****,bob:****", "wonder"],
      [{ smtpAuth: "radius://nas1:sharedsecret@radius.example.com:1812" }, "smtp-auth", "radius://nas1:****@radius.example.com:1812", "sharedsecret"],
      [{ smtpAuth: "file:///etc/smtp-intake/users" }, "smtp-auth", "file:///etc/smtp-intake/users", "****"],
      [{ managementToken: "0123456789abcdef-token" }, "management-token", "****", "0123456789abcdef"],
      [{ databaseAddress: "postgresql://intake:dbpass@db/intake" }, "database-address", "postgresql://intake:****@db/intake", "dbpass"]
    ])("%j", (override, key, shown, hidden) => {
      const described = describeSettings({ ...defaults, ...override })
      expect(lineOf(described, key)).toMatch(new RegExp(`^${key}:\\s+${shown.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`))
      expect(described).not.toContain(hidden)
    })
  })

  it("can be pasted back as a config file giving the same settings", () => {
    const settings = settingsOf([
      "smtp-ip: 10.0.0.1", "smtp-port: 25,587,2525-2527", "smtp-range: 10.0.0.0/8;::1", "smtp-maxsize: 1536",
      "smtp-timeout: 60", "smtp-hostname: mx.example.com", "rabbitmq-address: amqps://rabbit.example.com/mail",
      "rabbitmq-outbox: out", "spool-directory: /var/spool/mailerq",
      "rabbitmq-maxpriority: 4", "rabbitmq-exchange: mailerq", "rabbitmq-encoding: gzip", "rabbitmq-persistent: false",
      "rabbitmq-refused: refused"
    ].join("\n"))
    expect(settingsOf(describeSettings(settings))).toEqual(settings)
  })
})
