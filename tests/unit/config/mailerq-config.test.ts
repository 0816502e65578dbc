import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { splitCommandLineSettings } from "../../../domain/config/command-line-settings.ts"
import { configLayers } from "../../../domain/config/config-layers.ts"
import { allKeyNames } from "../../../domain/config/keys.ts"
import { OTHER_PARTS_KEYS, allOtherPartsKeys } from "../../../domain/config/other-parts-keys.ts"
import { formatConfigError, parseConfig } from "../../../domain/config/parse-config.ts"
import type { ConfigInput } from "../../../domain/config/parse-config.ts"
import { startNotices } from "../../../domain/config/start-notices.ts"
import { OWN_OPTIONS } from "../../../infrastructure/cli/commands.ts"

const FIXTURE = new URL("../../fixtures/mailerq/config.txt", import.meta.url)
const split = (args: ReadonlyArray<string>) => splitCommandLineSettings(args, OWN_OPTIONS)

const parse = (input: Partial<ConfigInput>) => parseConfig({ text: "", file: "config.txt", env: {}, ...input })
const valid = (input: Partial<ConfigInput>) => {
  const result = parse(input)
  if (result._tag === "Invalid") throw new Error(result.errors.map(formatConfigError).join("\n"))
  return result
}
const errors = (input: Partial<ConfigInput>) => {
  const result = parse(input)
  if (result._tag === "Valid") throw new Error("expected the config to be refused")
  return result.errors.map(formatConfigError)
}

describe("one config file for the whole MailerQ", () => {
  it("starts on a MailerQ config of every kind of key, naming the other parts' keys", () => {
    const text = readFileSync(FIXTURE, "utf8")
    const { settings, otherParts } = valid({ text })
    expect(settings.smtpPort).toEqual([25])
    expect(settings.rabbitmqLocal).toBe("local")
    expect(settings.dsnAdvertise).toBe(true)
    expect(otherParts).toContain("license")
    expect(otherParts).toContain("www-auth")
    expect(otherParts).toContain("dns-buffersize")
    expect(otherParts).toEqual([...otherParts].sort())
    const given = text.split("\n").filter((line) => /^[a-z]/.test(line)).length
    expect(given).toBeGreaterThanOrEqual(90)
  })

  it("no key is both smtp-intake's and another part's", () => {
    expect(allOtherPartsKeys.filter((name) => allKeyNames.includes(name))).toEqual([])
    expect(new Set(allOtherPartsKeys).size).toBe(Object.values(OTHER_PARTS_KEYS).flat().length)
  })

  it("knows every key of MailerQ's A-Z settings list", () => {
    // settings-alphabetical.md, its config-file keys (the boolean command-line switches are not config keys)
    const documented = [
      "cluster-address", "cluster-exchange", "cluster-timeout", "cluster-verify", "database-address", "database-ttl",
      "database-validate", "download-blacklist", "download-cache", "download-log-format", "download-log-file", "download-ttl",
      "download-whitelist", "download-proxy", "dsn-advertise", "dsn-notify", "dsn-ret", "dns-min-ttl", "error-log",
      "heartbeat-enabled", "license", "lock", "max-attempts", "max-delivertime", "plugin-directory", "proxy-server",
      "rabbitmq-address", "rabbitmq-consumers", "rabbitmq-declare", "rabbitmq-dsn", "rabbitmq-durable", "rabbitmq-encoding",
      "rabbitmq-exchange", "rabbitmq-failure", "rabbitmq-inbox", "rabbitmq-local", "rabbitmq-lazy", "rabbitmq-maxpriority",
      "rabbitmq-qos", "rabbitmq-minqos", "rabbitmq-flush-qos", "rabbitmq-outbox", "rabbitmq-persistent", "rabbitmq-publishers",
      "rabbitmq-queues", "rabbitmq-refused", "rabbitmq-reports", "rabbitmq-results", "rabbitmq-retry", "rabbitmq-success",
      "rabbitmq-verify", "received-log-format", "received-log-file", "retry-interval", "send-bin-log-file", "send-log-file",
      "send-log-format", "server-id", "smarthost", "smarthost-password", "smarthost-port", "smarthost-username", "smtp-auth",
      "smtp-auth-results", "smtp-certificate", "smtp-check", "smtp-ciphers", "smtp-connections", "smtp-default-ips",
      "smtp-extract", "smtp-ip", "smtp-key", "smtp-mappable-ips", "smtp-maxsize", "smtp-port", "smtp-proxy", "smtp-range",
      "smtp-secure-port", "smtp-sink-address", "smtp-sink-password", "smtp-sink-port", "smtp-sink-username", "smtp-threads",
      "smtp-timeout", "smtp-protection", "smtp-unmappable-ips", "spamassassin-host", "spamassassin-port", "spool-delay",
      "spool-directory", "spool-extract", "spool-fail-directory", "spool-open-files", "spool-remove", "spool-threads",
      "storage-address", "storage-policy", "storage-reschedule", "storage-threads", "storage-timeout", "storage-ttl", "user",
      "validate-envelope", "validate-recipient", "www-auth", "www-cache-control", "www-certificate", "www-ciphers",
      "www-connections", "www-ip", "www-dir", "www-host", "www-port", "www-private-key", "www-secure-port", "www-url"
    ]
    const known = new Set([...allKeyNames, ...allOtherPartsKeys])
    expect(documented.filter((name) => !known.has(name))).toEqual([])
  })

  it("keeps a key MailerQ does not know either an error with a did-you-mean, in the file, the environment and on the command line", () => {
    expect(errors({ text: "www-prot: 8485" })).toEqual([
      "config.txt:1: www-prot: unknown key (MailerQ does not know it either); did you mean www-port?"
    ])
    expect(errors({ env: { MAILERQ_LICENCE: "x" } })).toEqual([
      "environment MAILERQ_LICENCE: licence: unknown key (MailerQ does not know it either); did you mean MAILERQ_LICENSE?"
    ])
    expect(errors({ commandLine: split(["--smtp-prot=25"]).settings })).toEqual([
      "command line --smtp-prot: smtp-prot: unknown key (MailerQ does not know it either); did you mean --smtp-port?"
    ])
  })

  it("accepts the other parts' keys from MAILERQ_* variables and the command line too", () => {
    const { otherParts } = valid({ env: { MAILERQ_LOCK: "/tmp/x.pid" }, commandLine: split(["--www-port=8485"]).settings })
    expect(otherParts).toEqual(["lock", "www-port"])
  })
})

describe("layers: default file, --config-file, environment, command line", () => {
  const base = { text: "smtp-port: 25\nsmtp-timeout: 100\nsmtp-maxsize: 10MB\nsmtp-hostname: base.example\n", file: "config.txt" }
  const instance = { text: "smtp-port: 2525\nsmtp-timeout: 200\nsmtp-maxsize: 20MB\n", file: "instance-1.txt" }

  it("the command line wins over the environment, which wins over the files, the later file over the earlier", () => {
    const { settings } = valid({
      ...base,
      moreFiles: [instance],
      env: { MAILERQ_SMTP_TIMEOUT: "300", MAILERQ_SMTP_MAXSIZE: "30MB" },
      commandLine: split(["--smtp-maxsize=40MB"]).settings
    })
    expect(settings.smtpHostname).toBe("base.example")
    expect(settings.smtpPort).toEqual([2525])
    expect(settings.smtpTimeout).toBe(300)
    expect(settings.smtpMaxsize).toBe(40 * 1024 * 1024)
  })

  it("a key set in two files is no error; set twice in one file it is", () => {
    expect(valid({ ...base, moreFiles: [instance] }).settings.smtpPort).toEqual([2525])
    expect(errors({ text: "smtp-port: 25\nsmtp-port: 26" })[0]).toContain("set twice")
  })

  it("reports errors in the order of the sources, each naming its own", () => {
    expect(errors({
      ...base,
      moreFiles: [{ text: "smtp-port: x", file: "instance-1.txt" }],
      env: { MAILERQ_SMTP_TIMEOUT: "soon" },
      commandLine: split(["--smtp-maxsize=big", "--smtp-timeout"]).settings
    })).toEqual([
      "instance-1.txt:1: smtp-port: \"x\" is not valid; expected ports like 25,2525,1024-1026 (each 1-65535)",
      "environment MAILERQ_SMTP_TIMEOUT: smtp-timeout: \"soon\" is not valid; expected a whole number of seconds from 1 to 86400, or 0 for no timeout",
      "command line --smtp-maxsize=big: smtp-maxsize: \"big\" is not valid; expected a size like 100MB, 10KB, 1GB or 512 (bytes), more than 0 and at most 4GB",
      "command line --smtp-timeout: smtp-timeout: needs a value: --smtp-timeout=VALUE"
    ])
  })

  it("never repeats a secret given on the command line", () => {
    const [error] = errors({ commandLine: split(["--rabbitmq-address=rabbit://admin:hunter2@host"]).settings })
    expect(error).toContain("command line --rabbitmq-address=…: rabbitmq-address:")
    expect(error).not.toContain("hunter2")
  })

  it("--config is one file, --config-file goes over the default file, neither is the default file", () => {
    expect(configLayers({ config: "a.conf" }, "/etc/d.conf")).toEqual({ ok: true, files: [{ path: "a.conf", optional: false }] })
    expect(configLayers({ configFile: "i.txt" }, "/etc/d.conf")).toEqual({
      ok: true,
      files: [{ path: "/etc/d.conf", optional: true }, { path: "i.txt", optional: false }]
    })
    expect(configLayers({}, "/etc/d.conf")).toEqual({ ok: true, files: [{ path: "/etc/d.conf", optional: false }] })
    expect(configLayers({ config: "a", configFile: "b" }, "/d").ok).toBe(false)
  })
})

describe("--key=value on the command line", () => {
  it("takes settings out and leaves the program's own options and arguments in order", () => {
    expect(split(["--config", "x.conf", "--smtp-port=2525", "local", "list", "--Rabbitmq-Inbox=in"])).toEqual({
      settings: [
        { arg: "--smtp-port=2525", written: "smtp-port", text: "2525" },
        { arg: "--Rabbitmq-Inbox=in", written: "rabbitmq-inbox", text: "in" }
      ],
      rest: ["--config", "x.conf", "local", "list"]
    })
  })

  it("keeps a value that holds '=' whole, and an empty value empty", () => {
    expect(split(["--smtp-auth=http://h/p?a=b", "--rabbitmq-inbox="]).settings.map((s) => s.text)).toEqual(["http://h/p?a=b", ""])
  })

  it("gives --config=FILE on as --config FILE, and leaves everything after -- alone", () => {
    expect(split(["--config=x.conf", "--", "--smtp-port=1"])).toEqual({ settings: [], rest: ["--config", "x.conf", "--", "--smtp-port=1"] })
  })

  it("an own option's value is not taken when an option follows", () => {
    expect(split(["--check-config", "--config-file", "i.txt"]).rest).toEqual(["--check-config", "--config-file", "i.txt"])
  })
})

describe("what the start log and --check-config say", () => {
  const notices = (text: string, otherParts: ReadonlyArray<string> = []) =>
    startNotices(valid({ text }).settings, otherParts).map((notice) => `${notice.level}: ${notice.message}`)

  it("says plainly that an empty smtp-range admits no client, and which key opens it", () => {
    const [notice] = notices("")
    expect(notice).toMatch(/^warning: smtp-range is empty: no client can connect/)
    expect(notice).toContain("set smtp-range")
    expect(notices("smtp-range: 10.0.0.0/8")).toEqual([])
  })

  it("names the other parts' keys in one info line", () => {
    expect(notices("smtp-range: 10.0.0.0/8", ["license", "lock"])).toEqual([
      "info: keys of MailerQ's other parts, accepted and not used: license, lock"
    ])
  })

  it("warns that an empty rabbitmq-inbox discards mail to non-local recipients, and says where local mail goes", () => {
    expect(notices("smtp-range: 10.0.0.0/8\nrabbitmq-inbox:")).toEqual([
      "warning: rabbitmq-inbox is empty: mail to non-local recipients is answered 250 and discarded (MailerQ's behaviour); " +
      "mail to local addresses goes to rabbitmq-outbox (outbox), as rabbitmq-local is not set"
    ])
    expect(notices("smtp-range: 10.0.0.0/8\nrabbitmq-inbox:\nrabbitmq-local: local")[0]).toContain("to rabbitmq-local (local)")
  })

  it("warns that smtp-timeout 0 times out nobody", () => {
    expect(notices("smtp-range: 10.0.0.0/8\nsmtp-timeout: 0")[0]).toContain("smtp-timeout is 0")
  })
})
