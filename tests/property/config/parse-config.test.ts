import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { describeSettings } from "../../../domain/config/describe-settings.ts"
import { allKeyNames } from "../../../domain/config/keys.ts"
import { formatConfigError, parseConfig } from "../../../domain/config/parse-config.ts"

const FILE = "prop.conf"

/** Values an operator could write for the keys this version supports. */
const octet = fc.integer({ min: 0, max: 255 })
const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join("."))
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/)
const supportedLine = fc.oneof(
  ipv4.map((ip) => `smtp-ip: ${ip}`),
  fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 5 }).map((ports) => `smtp-port: ${ports.join(",")}`),
  fc.array(fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })), { maxLength: 4 })
    .map((ranges) => `smtp-range: ${ranges.map(([ip, prefix]) => `${ip}/${prefix}`).join(";")}`),
  fc.tuple(fc.integer({ min: 1, max: 4096 }), fc.constantFrom("", "KB", "MB")).map(([n, unit]) => `smtp-maxsize: ${n}${unit}`),
  fc.integer({ min: 1, max: 86400 }).map((seconds) => `smtp-timeout: ${seconds}`),
  fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `smtp-hostname: ${labels.join(".")}.example`),
  fc.tuple(label, fc.constantFrom("amqp", "amqps")).map(([host, scheme]) => `rabbitmq-address: ${scheme}://${host}:5672/vhost`),
  label.map((queue) => `rabbitmq-inbox: ${queue}`),
  label.map((queue) => `rabbitmq-outbox: ${queue}`),
  label.map((directory) => `spool-directory: /srv/${directory}`)
)
/** A config file with each supported key at most once. */
const supportedConfig = fc.uniqueArray(supportedLine, { selector: (line) => line.slice(0, line.indexOf(":")), maxLength: 10 })
  .map((lines) => lines.join("\n"))

const envName = fc.oneof(
  fc.constantFrom(...allKeyNames).chain((key) =>
    fc.constantFrom("SMTP_INTAKE_", "MAILERQ_").map((prefix) => prefix + key.toUpperCase().replaceAll("-", "_"))),
  fc.string().map((rest) => `SMTP_INTAKE_${rest}`),
  fc.string()
)

describe("parseConfig", () => {
  it("never throws, whatever the file and environment hold, and an Invalid result always says why", () => {
    const line = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.tuple(fc.constantFrom(...allKeyNames), fc.string({ unit: "binary" })).map(([key, value]) => `${key}: ${value}`)
    )
    fc.assert(fc.property(
      fc.array(line, { maxLength: 12 }).map((lines) => lines.join("\n")),
      fc.dictionary(envName, fc.option(fc.string({ unit: "binary" }), { nil: undefined }), { maxKeys: 4 }),
      (text, env) => {
        const result = parseConfig({ text, file: FILE, env })
        if (result._tag === "Invalid") {
          expect(result.errors.length).toBeGreaterThan(0)
          for (const error of result.errors) {
            const where = "line" in error.source ? `prop.conf:${error.source.line}` : "env" in error.source ? `environment ${error.source.env}` : "?"
            expect(formatConfigError(error).startsWith(`${where}: `)).toBe(true)
            expect(error.message).not.toBe("")
          }
        }
      }
    ), { numRuns: 500 })
  })

  it("an error in the file points at a line the file has", () => {
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 10 }), (lines) => {
      const result = parseConfig({ text: lines.join("\n"), file: FILE, env: {} })
      const lineCount = lines.join("\n").split(/\r\n|\n|\r/).length
      for (const error of result._tag === "Invalid" ? result.errors : []) {
        expect("line" in error.source && error.source.line >= 1 && error.source.line <= lineCount).toBe(true)
      }
    }))
  })

  it("any config of supported keys is valid, and a trailing comment on each line changes nothing", () => {
    fc.assert(fc.property(supportedConfig, fc.string().map((s) => s.replace(/[\r\n]/g, "")), (text, comment) => {
      const plain = parseConfig({ text, file: FILE, env: {} })
      const commented = parseConfig({
        text: text.split("\n").map((line) => `${line} # ${comment}`).join("\n"), file: FILE, env: {}
      })
      expect(plain._tag).toBe("Valid")
      expect(commented).toEqual(plain)
    }))
  })

  it("the environment wins over the file, and SMTP_INTAKE_ over MAILERQ_", () => {
    const seconds = fc.option(fc.integer({ min: 1, max: 86400 }), { nil: undefined })
    fc.assert(fc.property(seconds, seconds, seconds, (file, mailerq, intake) => {
      const result = parseConfig({
        text: file === undefined ? "" : `smtp-timeout: ${file}`,
        file: FILE,
        env: { MAILERQ_SMTP_TIMEOUT: mailerq?.toString(), SMTP_INTAKE_SMTP_TIMEOUT: intake?.toString() }
      })
      expect(result._tag === "Valid" && result.settings.smtpTimeout).toBe(intake ?? mailerq ?? file ?? 300)
    }))
  })

  it("keys are read in any letter case", () => {
    fc.assert(fc.property(supportedConfig, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (text, upper) => {
      const shouted = text.split("\n").map((line) => {
        const colon = line.indexOf(":")
        const key = [...line.slice(0, colon)].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("")
        return key + line.slice(colon)
      }).join("\n")
      expect(parseConfig({ text: shouted, file: FILE, env: {} })).toEqual(parseConfig({ text, file: FILE, env: {} }))
    }))
  })
})

describe("describeSettings", () => {
  it("re-parsed, gives the same settings (when no secrets are set)", () => {
    fc.assert(fc.property(supportedConfig, (text) => {
      const first = parseConfig({ text, file: FILE, env: {} })
      if (first._tag !== "Valid") throw new Error(first.errors.map(formatConfigError).join("\n"))
      const again = parseConfig({ text: describeSettings(first.settings), file: "described.conf", env: {} })
      expect(again).toEqual(first)
    }))
  })
})
