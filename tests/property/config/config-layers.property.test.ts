import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { splitCommandLineSettings } from "../../../domain/config/command-line-settings.ts"
import { parseConfig } from "../../../domain/config/parse-config.ts"
import { OWN_OPTIONS } from "../../../infrastructure/cli/commands.ts"

const seconds = fc.option(fc.integer({ min: 1, max: 86_400 }), { nil: undefined })
const line = (value: number | undefined) => (value === undefined ? "" : `smtp-timeout: ${value}\n`)

describe("which source a setting comes from (configuration.md, multiple-instances.md)", () => {
  it("the strongest source that gives a key wins: command line, SMTP_INTAKE_, MAILERQ_, later file, earlier file, default", () => {
    fc.assert(fc.property(
      fc.record({ base: seconds, instance: seconds, mailerq: seconds, own: seconds, argv: seconds }),
      (given) => {
        const env: Record<string, string> = {}
        if (given.mailerq !== undefined) env["MAILERQ_SMTP_TIMEOUT"] = String(given.mailerq)
        if (given.own !== undefined) env["SMTP_INTAKE_SMTP_TIMEOUT"] = String(given.own)
        const args = given.argv === undefined ? [] : [`--smtp-timeout=${given.argv}`]
        const result = parseConfig({
          text: line(given.base),
          file: "config.txt",
          moreFiles: [{ text: line(given.instance), file: "instance.txt" }],
          env,
          commandLine: splitCommandLineSettings(args, OWN_OPTIONS).settings
        })
        const expected = given.argv ?? given.own ?? given.mailerq ?? given.instance ?? given.base ?? 300
        expect(result._tag === "Valid" && result.settings.smtpTimeout).toBe(expected)
      }
    ))
  })

  it("splitting a command line loses no argument and keeps the rest in order", () => {
    const own = fc.constantFrom("--config", "--check-config", "--config-file", "--help", "local", "add", "x.conf")
    const setting = fc.tuple(fc.stringMatching(/^[a-z][a-z-]{0,12}$/), fc.string({ maxLength: 8 }))
      .filter(([key]) => !OWN_OPTIONS.has(`--${key}`))
      .map(([key, value]) => `--${key}=${value}`)
    fc.assert(fc.property(fc.array(fc.oneof(own, setting), { maxLength: 10 }), (args) => {
      const { settings, rest } = splitCommandLineSettings(args, OWN_OPTIONS)
      expect(settings.map((s) => s.arg)).toEqual(args.filter((a) => a.includes("=")))
      expect(rest).toEqual(args.filter((a) => !a.includes("=")))
    }))
  })
})
