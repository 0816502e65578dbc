import { describe, expect, it } from "vitest"
import { configKeys, findKey } from "../../../domain/config/keys.ts"
import { formatConfigError, parseConfig } from "../../../domain/config/parse-config.ts"
import type { Settings } from "../../../domain/config/settings.ts"

const MB = 1024 * 1024
const range = (text: string, network: string, prefix: number) => ({ text, network, prefix })

/** Every key: values that must be accepted (with what they mean) and values that must be refused. */
const table: Record<string, { valid: ReadonlyArray<readonly [string, unknown]>; invalid: ReadonlyArray<string> }> = {
  "smtp-ip": { valid: [["1.2.3.4", "1.2.3.4"], ["::1", "::1"], ["", undefined]], invalid: ["1.2.3", "1.2.3.4;5.6.7.8"] },
  "smtp-port": { valid: [["25,2525,1024-1026", [25, 2525, 1024, 1025, 1026]]], invalid: ["70000", "", "25;26"] },
  "smtp-secure-port": { valid: [["465", [465]], ["", []]], invalid: ["0", "465-"] },
  "smtp-certificate": { valid: [["/etc/tls/cert.pem", "/etc/tls/cert.pem"]], invalid: ["/etc/\u0001"] },
  "smtp-key": { valid: [["/etc/tls/key.pem", "/etc/tls/key.pem"]], invalid: ["/etc/\u0001"] },
  "smtp-ciphers": { valid: [["HIGH:!aNULL:@STRENGTH", "HIGH:!aNULL:@STRENGTH"]], invalid: ["HIGH\u0007"] },
  "smtp-range": {
    valid: [["192.168.0.0/16;10.1.2.3", [range("192.168.0.0/16", "192.168.0.0", 16), range("10.1.2.3", "10.1.2.3", 32)]], ["", []]],
    invalid: ["192.168.0.0/16,10.0.0.0/8", "192.168.0.0/40"]
  },
  "smtp-auth": { valid: [["ldap://ldap.example.com:389/dc=example", "ldap://ldap.example.com:389/dc=example"]], invalid: ["hardcoded://alice"] },
  "smtp-proxy": { valid: [["10.0.0.0/8", [range("10.0.0.0/8", "10.0.0.0", 8)]]], invalid: ["proxy.example.com"] },
  "smtp-default-ips": { valid: [["1.2.3.4;4.5.6.7", ["1.2.3.4", "4.5.6.7"]]], invalid: ["1.2.3.0/24"] },
  "smtp-mappable-ips": { valid: [["1.2.3.0/24;4.5.6.0/24", [range("1.2.3.0/24", "1.2.3.0", 24), range("4.5.6.0/24", "4.5.6.0", 24)]]], invalid: ["1.2.3.0/24, 4.5.6.0/24"] },
  "smtp-unmappable-ips": { valid: [["1.2.3.28/32", [range("1.2.3.28/32", "1.2.3.28", 32)]]], invalid: ["1.2.3.28/"] },
  "smtp-check": { valid: [["spf,dkim,dmarc,spam", ["spf", "dkim", "dmarc", "spam"]]], invalid: ["spf;dkim", "arc"] },
  "smtp-auth-results": { valid: [["local,nonlocal", ["local", "nonlocal"]]], invalid: ["remote"] },
  "smtp-validate-address": { valid: [["loose", "loose"], ["STRICT", "strict"]], invalid: ["relaxed"] },
  "smtp-connections": { valid: [["100", 100], ["", undefined], ["0", undefined]], invalid: ["-1", "many"] },
  "smtp-connections-in": { valid: [["50", 50]], invalid: ["-1"] },
  "smtp-connections-out": { valid: [["75", 75]], invalid: ["7.5"] },
  "smtp-maxsize": { valid: [["100MB", 100 * MB], ["10 kb", 10 * 1024], ["512", 512]], invalid: ["0", "100 MiBs", "8GB"] },
  "smtp-threads": { valid: [["4", 4]], invalid: ["0", "1000"] },
  "smtp-timeout": { valid: [["300", 300], ["0", 0]], invalid: ["5m", "-1"] },
  "rabbitmq-max-message-size": { valid: [["16MB", 16 * 1024 * 1024], ["1048576", 1048576]], invalid: ["big", "-1"] },
  "smtp-data-memory": { valid: [["1GB", 1024 ** 3], ["512MB", 512 * 1024 ** 2]], invalid: ["lots"] },
  "smtp-error-limit": { valid: [["20", 20], ["1", 1]], invalid: ["0", "-1", "many"] },
  "smtp-junk-limit": { valid: [["100", 100]], invalid: ["0", "1.5"] },
  "smtp-protection": { valid: [["yes", true], ["0", false], ["on", true], ["Off", false]], invalid: ["enabled"] },
  "smtp-hostname": { valid: [["smtp.example.com", "smtp.example.com"]], invalid: ["smtp example com", "-smtp.example.com"] },
  "smtp-extract": { valid: [["false", false], ["TRUE", true]], invalid: ["maybe"] },
  "dsn-advertise": { valid: [["true", true], ["no", false]], invalid: ["DSN"] },
  "rabbitmq-address": {
    valid: [
      ["amqp://guest:guest@127.0.0.1:5672/", "amqp://guest:guest@127.0.0.1:5672/"],
      ["amqp://u:p@h1/v,amqp://u:p@h2:5673/v", "amqp://u:p@h1/v,amqp://u:p@h2:5673/v"],
      ["amqp://u:p@h1;h2;h3/v", "amqp://u:p@h1;h2;h3/v"],
      ["", undefined]
    ],
    invalid: ["127.0.0.1:5672", "amqp://u:p@h1/v,127.0.0.1", "amqp://u:p@h1;;h3/v", "http://h1/"]
  },
  "rabbitmq-inbox": { valid: [["inbox", "inbox"], ["", undefined]], invalid: ["amq.inbox"] },
  "rabbitmq-outbox": { valid: [["outbox", "outbox"]], invalid: ["x".repeat(256)] },
  "rabbitmq-local": { valid: [["local", "local"], ["", undefined]], invalid: ["amq.local"] },
  "rabbitmq-reports": { valid: [["reports", "reports"]], invalid: ["amq.gen-1"] },
  "rabbitmq-queue-type": { valid: [["quorum", "quorum"], ["classic", "classic"]], invalid: ["stream"] },
  "dns-servers": {
    valid: [["127.0.0.1;[::1]:5353", ["127.0.0.1", "[::1]:5353"]], ["10.0.0.53:53; ::1", ["10.0.0.53", "::1"]], ["", []]],
    invalid: ["resolver.example.com", "127.0.0.1,10.0.0.2", "127.0.0.1:99999", "::1:5353x"]
  },
  "spamassassin-host": { valid: [["spamd.internal", "spamd.internal"], ["127.0.0.1", "127.0.0.1"]], invalid: ["spamd:783"] },
  "spamassassin-port": { valid: [["783", 783], ["7830", 7830]], invalid: ["783,784"] },
  "database-address": {
    valid: [["postgresql://db.internal/intake", "postgresql://db.internal/intake"], ["mysql://mq:pw@db.internal/mailerq", "mysql://mq:pw@db.internal/mailerq"]],
    invalid: ["mongodb://db/intake", "mysql:///intake"]
  },
  "management-port": { valid: [["8485", 8485], ["", undefined]], invalid: ["99999"] },
  "management-ip": { valid: [["0.0.0.0", "0.0.0.0"]], invalid: ["everywhere"] },
  "management-token": { valid: [["s3cret-t0ken-0123456789", "s3cret-t0ken-0123456789"]], invalid: ["short"] },
  "embedded-spool-directory": { valid: [["/srv/spool", "/srv/spool"], ["", undefined]], invalid: ["/srv/\u0001"] },
  "spool-directory": { valid: [["/var/spool/mailerq", "/var/spool/mailerq"], ["", undefined]], invalid: ["/srv/\u0001"] },
  "rabbitmq-verify": { valid: [["false", false], ["yes", true]], invalid: ["sometimes"] },
  "rabbitmq-declare": { valid: [["false", false], ["1", true]], invalid: ["never"] },
  "rabbitmq-durable": { valid: [["no", false], ["true", true]], invalid: ["durable"] },
  "rabbitmq-lazy": { valid: [["true", true], ["0", false]], invalid: ["lazy"] },
  "rabbitmq-maxpriority": { valid: [["4", 4], ["255", 255], ["0", undefined], ["", undefined]], invalid: ["256", "-1", "high"] },
  "rabbitmq-exchange": { valid: [["mailerq", "mailerq"], ["", undefined]], invalid: ["amq.direct", "x".repeat(256)] },
  "rabbitmq-encoding": { valid: [["gzip", "gzip"], ["GZIP", "gzip"], ["", undefined]], invalid: ["deflate"] },
  "rabbitmq-persistent": { valid: [["false", false], ["true", true]], invalid: ["disk"] },
  "rabbitmq-refused": { valid: [["refused", "refused"], ["", undefined]], invalid: ["amq.refused"] }
}

const parseFile = (text: string) => parseConfig({ text, file: "smtp-intake.conf", env: {} })

describe("the key table", () => {
  it("has a test row for every key and only for keys", () => {
    expect(Object.keys(table).sort()).toEqual(configKeys.map((spec) => spec.name).sort())
  })

  for (const spec of configKeys) {
    const row = table[spec.name] ?? { valid: [], invalid: [] }
    describe(spec.name, () => {
      it.each(row.valid)(`accepts %j`, (text, value) => {
        const parsed = spec.parse(text)
        expect(parsed).toEqual({ ok: true, value })
      })
      it.each(row.invalid)(`refuses %j at start-up, naming file, line, key and the expected form`, (text) => {
        const result = parseFile(`# first line\n${spec.name}: ${text}`)
        expect(result._tag).toBe("Invalid")
        if (result._tag !== "Invalid") return
        const message = result.errors.map(formatConfigError).join("\n")
        expect(message).toContain(`smtp-intake.conf:2: ${spec.name}: `)
        expect(message).toMatch(/ is not valid; expected .+/)
      })
    })
  }
})

describe("defaults (SPEC §1)", () => {
  const result = parseFile("")
  const settings = result._tag === "Valid" ? result.settings : undefined
  it("an empty config file is valid", () => expect(result._tag).toBe("Valid"))
  it.each<[keyof Settings, unknown]>([
    ["smtpIp", undefined],
    ["smtpPort", [25]],
    ["smtpRange", []],
    ["smtpMaxsize", 100 * MB],
    ["smtpTimeout", 300],
    ["smtpThreads", 1],
    ["smtpValidateAddress", "strict"],
    ["smtpProtection", false],
    ["smtpExtract", true],
    ["rabbitmqAddress", undefined],
    ["rabbitmqOutbox", "outbox"],
    ["rabbitmqInbox", "outbox"],
    ["rabbitmqLocal", undefined],
    ["rabbitmqQueueType", "classic"],
    ["dnsServers", []],
    ["spamassassinHost", "localhost"],
    ["spamassassinPort", 783],
    ["databaseAddress", "sqlite:///var/lib/smtp-intake/intake.db"],
    ["managementPort", undefined],
    ["managementIp", "127.0.0.1"],
    ["managementToken", undefined],
    ["embeddedSpoolDirectory", undefined],
    ["spoolDirectory", undefined],
    ["rabbitmqVerify", true],
    ["rabbitmqDeclare", true],
    ["rabbitmqDurable", true],
    ["rabbitmqLazy", false],
    ["rabbitmqMaxpriority", undefined],
    ["rabbitmqExchange", undefined],
    ["rabbitmqEncoding", undefined],
    ["rabbitmqPersistent", true],
    ["rabbitmqRefused", undefined]
  ])("%s defaults to %j", (property, value) => expect(settings?.[property]).toEqual(value))

  it("rabbitmq-inbox follows rabbitmq-outbox unless set", () => {
    const follows = parseFile("rabbitmq-outbox: mail-out")
    expect(follows._tag === "Valid" && follows.settings.rabbitmqInbox).toBe("mail-out")
    const own = parseFile("rabbitmq-outbox: mail-out\nrabbitmq-inbox: mail-in")
    expect(own._tag === "Valid" && own.settings.rabbitmqInbox).toBe("mail-in")
  })
})

describe("MailerQ's alternative spellings", () => {
  it.each([
    ["smtp-defaultips: 1.2.3.4", "smtp-default-ips"],
    ["smtp-privatekey: /k.pem", "smtp-key"],
    ["database: postgresql://db/intake", "database-address"]
  ])("%s is %s", (line, name) => {
    const written = line.slice(0, line.indexOf(":"))
    expect(findKey(written)?.name).toBe(name)
    // The alias reads its value exactly as the key itself does (settings, or the same errors).
    const viaAlias = parseFile(line)
    const viaName = parseFile(`${name}${line.slice(written.length)}`)
    expect(JSON.stringify(viaAlias)).toBe(JSON.stringify(viaName))
  })
})

describe("what this version supports", () => {
  const supported = ["smtp-ip", "smtp-port", "smtp-range", "smtp-maxsize", "smtp-timeout", "smtp-hostname",
    "smtp-error-limit", "smtp-junk-limit", "rabbitmq-max-message-size", "smtp-data-memory",
    "rabbitmq-address", "rabbitmq-inbox", "rabbitmq-outbox", "spool-directory", "embedded-spool-directory",
    "rabbitmq-verify", "rabbitmq-declare", "rabbitmq-durable", "rabbitmq-lazy", "rabbitmq-maxpriority", "rabbitmq-exchange",
    "rabbitmq-encoding", "rabbitmq-persistent", "rabbitmq-refused",
    "smtp-default-ips", "smtp-mappable-ips", "smtp-unmappable-ips", "smtp-extract",
    "smtp-secure-port", "smtp-certificate", "smtp-key", "smtp-ciphers", "smtp-validate-address", "smtp-proxy", "smtp-auth",
    "smtp-connections", "smtp-connections-in", "smtp-connections-out", "smtp-protection", "smtp-threads",
    "rabbitmq-local", "rabbitmq-reports", "database-address", "management-port", "management-ip", "management-token",
    "rabbitmq-queue-type", "smtp-check", "smtp-auth-results", "spamassassin-host", "spamassassin-port", "dns-servers", "dsn-advertise"]

  it("supports exactly the keys the server implements", () => {
    expect(configKeys.filter((spec) => spec.supported).map((spec) => spec.name).sort()).toEqual(supported.sort())
  })

  for (const spec of configKeys.filter((candidate) => !candidate.supported)) {
    const row = table[spec.name]
    const different = row?.valid.find(([, value]) => JSON.stringify(value) !== JSON.stringify(spec.default))
    it(`refuses to start when ${spec.name} is set to anything but its default`, () => {
      expect(different).toBeDefined()
      const result = parseConfig({ text: `${spec.name}: ${different?.[0]}`, file: "c.conf", env: {} })
      expect(result._tag === "Invalid" && result.errors.map(formatConfigError)).toContain(
        `c.conf:1: ${spec.name}: not yet supported by this version of smtp-intake`)
    })
  }

  it("accepts an unsupported key written with its default value", () => {
    expect(parseFile("smtp-threads: 1\nsmtp-extract: yes\nmanagement-ip: 127.0.0.1\nsmtp-check:")._tag).toBe("Valid")
  })

  it("marks as secrets the values that hold passwords or tokens", () => {
    const secrets = configKeys.filter((spec) => spec.secret !== "no").map((spec) => spec.name).sort()
    expect(secrets).toEqual(["database-address", "management-token", "rabbitmq-address", "smtp-auth"])
  })
})
