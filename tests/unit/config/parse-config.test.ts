import { describe, expect, it } from "vitest"
import { formatConfigError, parseConfig } from "../../../domain/config/parse-config.ts"
import type { ConfigInput } from "../../../domain/config/parse-config.ts"
import type { Settings } from "../../../domain/config/settings.ts"

const FILE = "config/example.conf"

const settingsOf = (text: string, env: ConfigInput["env"] = {}): Settings => {
  const result = parseConfig({ text, file: FILE, env })
  if (result._tag === "Invalid") throw new Error(result.errors.map(formatConfigError).join("\n"))
  return result.settings
}

const errorsOf = (text: string, env: ConfigInput["env"] = {}): ReadonlyArray<string> => {
  const result = parseConfig({ text, file: FILE, env })
  if (result._tag === "Valid") throw new Error("expected the config to be refused")
  return result.errors.map(formatConfigError)
}

describe("the file format", () => {
  it("reads MailerQ's own example lines", () => {
    const settings = settingsOf([
      "smtp-ip:            1.2.3.4",
      "smtp-port:          25,2525,1024-1026",
      "smtp-range:         192.168.0.0/16",
      "smtp-maxsize:           100MB",
      "smtp-timeout:           300",
      "smtp-hostname:          smtp.example.com"
    ].join("\n"))
    expect(settings.smtpIp).toBe("1.2.3.4")
    expect(settings.smtpPort).toEqual([25, 2525, 1024, 1025, 1026])
    expect(settings.smtpRange.map((range) => range.text)).toEqual(["192.168.0.0/16"])
    expect(settings.smtpHostname).toBe("smtp.example.com")
  })

  it("splits on the first ':' so URLs keep theirs", () => {
    expect(settingsOf("rabbitmq-address: amqp://user:pa:ss@rabbit:5672/vhost").rabbitmqAddress)
      .toBe("amqp://user:pa:ss@rabbit:5672/vhost")
  })

  it("takes keys in any case but keeps values as written", () => {
    const settings = settingsOf("SMTP-Hostname: MX1.Example.COM\nRabbitMQ-Outbox: Mail-Out")
    expect(settings.smtpHostname).toBe("MX1.Example.COM")
    expect(settings.rabbitmqOutbox).toBe("Mail-Out")
  })

  it("ignores blank lines, comment lines and comments after a value", () => {
    const settings = settingsOf([
      "# smtp-intake config",
      "",
      "   # indented comment",
      "smtp-port: 2525   # submission",
      "smtp-timeout:\t60\t# one minute",
      "\t"
    ].join("\n"))
    expect(settings.smtpPort).toEqual([2525])
    expect(settings.smtpTimeout).toBe(60)
  })

  it("keeps a '#' that is not after whitespace, e.g. inside a queue name", () => {
    expect(settingsOf("rabbitmq-outbox: mail#out # the outbox").rabbitmqOutbox).toBe("mail#out")
  })

  it("reads Windows line endings and a byte-order mark", () => {
    expect(settingsOf("\uFEFFsmtp-port: 2525\r\nsmtp-timeout: 60\r\n").smtpTimeout).toBe(60)
    expect(settingsOf("\uFEFFsmtp-port: 2525\r\n").smtpPort).toEqual([2525])
  })

  it("refuses a line that is not key: value", () => {
    expect(errorsOf("smtp-port 25")).toEqual([`${FILE}:1: expected "key: value", but the line has no ":"`])
    expect(errorsOf("\n: 25")).toEqual([`${FILE}:2: expected "key: value", but the key is empty`])
  })
})

describe("errors name the file, line, key and expected form", () => {
  it("reports a bad port as an operator would want to read it", () => {
    expect(errorsOf("# ports\n\n\n\n\n\nsmtp-port: 70000")).toEqual([
      `${FILE}:7: smtp-port: "70000" is not valid; expected ports like 25,2525,1024-1026 (each 1-65535)`
    ])
  })

  it("names an environment variable instead of a line", () => {
    expect(errorsOf("", { SMTP_INTAKE_SMTP_PORT: "70000" })).toEqual([
      "environment SMTP_INTAKE_SMTP_PORT: smtp-port: \"70000\" is not valid; expected ports like 25,2525,1024-1026 (each 1-65535)"
    ])
  })

  it("reports every problem, not only the first, file lines in order before the environment", () => {
    const errors = errorsOf("smtp-timeout: soon\nsmtp-port: 0\nsmtp-prot: 25\nsmtp-maxsize: lots", {
      SMTP_INTAKE_SMTP_RANGE: "10.0.0.0/8,192.168.0.0/16"
    })
    expect(errors.map((error) => error.slice(0, error.indexOf(": ", error.indexOf(": ") + 2)))).toEqual([
      `${FILE}:1: smtp-timeout`,
      `${FILE}:2: smtp-port`,
      `${FILE}:3: smtp-prot`,
      `${FILE}:4: smtp-maxsize`,
      "environment SMTP_INTAKE_SMTP_RANGE: smtp-range"
    ])
  })

  it("never repeats a secret in an error", () => {
    const [error] = errorsOf("rabbitmq-address: rabbit://admin:hunter2@rabbit")
    expect(error).toContain(`${FILE}:1: rabbitmq-address: the value (not shown: it may hold a secret) is not valid; expected`)
    expect(error).not.toContain("hunter2")
  })
})

describe("unknown and repeated keys", () => {
  it("refuses an unknown key and suggests the likely one", () => {
    expect(errorsOf("smtp-prot: 25")).toEqual([`${FILE}:1: smtp-prot: unknown key (MailerQ does not know it either); did you mean smtp-port?`])
  })

  it("refuses an unknown key with no near match without a suggestion", () => {
    expect(errorsOf("frobnicate: /etc/mailerq/license.txt")).toEqual([`${FILE}:1: frobnicate: unknown key (MailerQ does not know it either)`])
  })

  it("refuses a key given twice, naming both lines", () => {
    expect(errorsOf("smtp-port: 25\nsmtp-timeout: 60\nSMTP-PORT: 2525")).toEqual([
      `${FILE}:3: smtp-port: set twice, on line 1 and line 3; keep one`
    ])
  })

  it("counts a key and its alias as the same key", () => {
    expect(errorsOf("database-address: sqlite:///a.db\ndatabase: sqlite:///b.db")).toContain(
      `${FILE}:2: database-address: set twice, on line 1 and line 2 (as database); keep one`)
  })
})

describe("the environment", () => {
  it("SMTP_INTAKE_<KEY> wins over the file", () => {
    expect(settingsOf("smtp-port: 25", { SMTP_INTAKE_SMTP_PORT: "2525" }).smtpPort).toEqual([2525])
  })

  it("MAILERQ_<KEY> also wins over the file", () => {
    expect(settingsOf("smtp-timeout: 300", { MAILERQ_SMTP_TIMEOUT: "30" }).smtpTimeout).toBe(30)
  })

  it("SMTP_INTAKE_ wins over MAILERQ_", () => {
    const env = { MAILERQ_RABBITMQ_OUTBOX: "from-mailerq", SMTP_INTAKE_RABBITMQ_OUTBOX: "from-intake" }
    expect(settingsOf("rabbitmq-outbox: from-file", env).rabbitmqOutbox).toBe("from-intake")
  })

  it("a key overridden by the environment is not also a duplicate or an error in the file", () => {
    expect(settingsOf("smtp-port: 25", { SMTP_INTAKE_SMTP_PORT: "26", MAILERQ_SMTP_PORT: "27" }).smtpPort).toEqual([26])
  })

  it("accepts aliases in the environment", () => {
    expect(settingsOf("", { SMTP_INTAKE_DATABASE: "postgresql://db/intake" }).databaseAddress).toBe("postgresql://db/intake")
  })

  it("takes environment values as they are: a '#' there is not a comment", () => {
    expect(settingsOf("", { SMTP_INTAKE_RABBITMQ_OUTBOX: "out #1" }).rabbitmqOutbox).toBe("out #1")
  })

  it("ignores variables without the prefixes, and unset ones", () => {
    expect(settingsOf("", { PATH: "/usr/bin", SMTP_PORT: "x", SMTP_INTAKE_SMTP_TIMEOUT: undefined }).smtpTimeout).toBe(300)
  })

  it("refuses an unknown SMTP_INTAKE_ or MAILERQ_ variable and suggests the right one", () => {
    expect(errorsOf("", { SMTP_INTAKE_SMTP_PROT: "25", MAILERQ_RABBITMQ_ADRESS: "amqp://h" })).toEqual([
      "environment MAILERQ_RABBITMQ_ADRESS: rabbitmq-adress: unknown key (MailerQ does not know it either); did you mean MAILERQ_RABBITMQ_ADDRESS?",
      "environment SMTP_INTAKE_SMTP_PROT: smtp-prot: unknown key (MailerQ does not know it either); did you mean SMTP_INTAKE_SMTP_PORT?"
    ])
  })

  it("refuses one key set by a name and an alias with the same prefix", () => {
    expect(errorsOf("", { SMTP_INTAKE_SMTP_DEFAULT_IPS: "1.2.3.4", SMTP_INTAKE_SMTP_DEFAULTIPS: "1.2.3.5" })).toContain(
      "environment SMTP_INTAKE_SMTP_DEFAULT_IPS: smtp-default-ips: set by both SMTP_INTAKE_SMTP_DEFAULTIPS and SMTP_INTAKE_SMTP_DEFAULT_IPS; keep one")
  })
})

describe("keys this version does not support yet", () => {
  // every key is supported now (smtp-check was the last example); what was refused is read
  it("reads smtp-check from the environment", () => {
    const parsed = parseConfig({ text: "", file: FILE, env: { MAILERQ_SMTP_CHECK: "spf,spam" } })
    expect(parsed._tag === "Valid" && parsed.settings.smtpCheck).toEqual(["spf", "spam"])
  })

  it("reports a bad value of such a key as a bad value, not as unsupported", () => {
    expect(errorsOf("smtp-threads: many")).toEqual([
      `${FILE}:1: smtp-threads: "many" is not valid; expected a whole number of threads from 1 to 256`
    ])
  })
})

describe("rules between keys", () => {
  it("smtp-certificate without smtp-key is refused", () => {
    expect(errorsOf("smtp-certificate: /etc/tls/cert.pem")).toContain(
      `${FILE}:1: smtp-certificate: is set but smtp-key is not; TLS needs both the certificate and its private key`)
  })

  it("smtp-key without smtp-certificate is refused", () => {
    expect(errorsOf("", { SMTP_INTAKE_SMTP_PRIVATEKEY: "/etc/tls/key.pem" })).toContain(
      "environment SMTP_INTAKE_SMTP_PRIVATEKEY: smtp-key: is set but smtp-certificate is not; TLS needs both the certificate and its private key")
  })

  it("smtp-certificate with smtp-key has no pairing error", () => {
    expect(parseConfig({ text: "smtp-certificate: /c.pem\nsmtp-key: /k.pem", file: FILE, env: {} })._tag).toBe("Valid")
  })

  it("smtp-auth without TLS is refused (AUTH is offered only over TLS)", () => {
    expect(errorsOf("smtp-auth: file:///etc/smtp-intake/users")).toContain(
      `${FILE}:1: smtp-auth: needs TLS (AUTH is offered only on TLS connections); set smtp-certificate and smtp-key`)
  })

  it("does not blame the partner key when its own value was the problem", () => {
    expect(errorsOf("smtp-certificate: /c.pem\nsmtp-key: /bad\u0001")).toEqual([
      `${FILE}:2: smtp-key: "/bad\u0001" is not valid; expected a file or directory path`
    ])
  })
})

describe("parseConfig is pure", () => {
  it("gives equal answers for equal input and leaves the env untouched", () => {
    const env = Object.freeze({ SMTP_INTAKE_SMTP_PORT: "2525" })
    expect(parseConfig({ text: "smtp-timeout: 5", file: FILE, env })).toEqual(
      parseConfig({ text: "smtp-timeout: 5", file: FILE, env }))
  })
})

describe("TLS settings that only make sense together", () => {
  const parse = (text: string) => parseConfig({ text, file: "t.conf", env: {} })
  const errors = (text: string) => {
    const result = parse(text)
    return result._tag === "Invalid" ? result.errors.map(formatConfigError) : []
  }

  it("refuses implicit-TLS ports without a certificate", () => {
    expect(errors("smtp-secure-port: 465")).toEqual(["t.conf:1: smtp-secure-port: needs TLS; set smtp-certificate and smtp-key"])
  })

  it("refuses a port that is both plain and implicit TLS", () => {
    expect(errors("smtp-port: 25,465\nsmtp-secure-port: 465\nsmtp-certificate: /c.pem\nsmtp-key: /k.pem")).toEqual([
      "t.conf:2: smtp-secure-port: port 465 is also in smtp-port; a port is plain or implicit TLS, not both"
    ])
  })

  it("accepts STARTTLS and implicit-TLS ports with certificate and key", () => {
    const result = parse("smtp-port: 25\nsmtp-secure-port: 465\nsmtp-certificate: /c.pem\nsmtp-key: /k.pem\nsmtp-ciphers: HIGH:!aNULL")
    expect(result._tag === "Valid" && [result.settings.smtpSecurePort, result.settings.smtpCiphers]).toEqual([[465], "HIGH:!aNULL"])
  })
})

describe("the broker as MailerQ finds it", () => {
  const parse = (text: string) => parseConfig({ text, file: "b.conf", env: {} })

  it("without rabbitmq-address or embedded-spool-directory, MailerQ's default broker applies (no spool)", () => {
    const result = parse("smtp-port: 25")
    expect(result._tag === "Valid" && [result.settings.rabbitmqAddress, result.settings.embeddedSpoolDirectory]).toEqual([undefined, undefined])
  })

  it("MailerQ's spool-directory is only its pickup directory: it does not choose the embedded spool", () => {
    const result = parse("spool-directory: /var/spool/mailerq\nrabbitmq-address: amqp://guest:guest@rabbit/")
    expect(result._tag === "Valid" && [result.settings.spoolDirectory, result.settings.embeddedSpoolDirectory]).toEqual(["/var/spool/mailerq", undefined])
  })

  it("refuses embedded-spool-directory together with rabbitmq-address, saying to choose one", () => {
    const result = parse("rabbitmq-address: amqp://guest:guest@rabbit/\nembedded-spool-directory: /srv/spool")
    expect(result._tag === "Invalid" && result.errors.map(formatConfigError)).toEqual([
      "b.conf:2: embedded-spool-directory: is set and so is rabbitmq-address; messages go either to RabbitMQ or to the embedded spool: remove one of them"
    ])
  })

  it("refuses rabbitmq-maxpriority and rabbitmq-lazy with quorum queues, which have neither", () => {
    const result = parse("rabbitmq-queue-type: quorum\nrabbitmq-maxpriority: 4\nrabbitmq-lazy: true\nrabbitmq-durable: true")
    expect(result._tag === "Invalid" && result.errors.map(formatConfigError)).toEqual([
      "b.conf:2: rabbitmq-maxpriority: applies to classic queues only, and rabbitmq-queue-type is quorum: remove one of them",
      "b.conf:3: rabbitmq-lazy: applies to classic queues only, and rabbitmq-queue-type is quorum: remove one of them"
    ])
    expect(parse("rabbitmq-queue-type: quorum\nrabbitmq-maxpriority: 0\nrabbitmq-lazy: false")._tag).toBe("Valid")
  })

  it("an empty embedded-spool-directory (a layer unsetting it) leaves rabbitmq-address alone", () => {
    expect(parse("rabbitmq-address: amqp://guest:guest@rabbit/\nembedded-spool-directory:")._tag).toBe("Valid")
  })
})
