import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { configKeys } from "../../../domain/config/keys.ts"
import type { AnyKeySpec } from "../../../domain/config/keys.ts"
import { sameValue } from "../../../domain/config/same-value.ts"
import { settingsChanges, settingsToApply } from "../../../domain/config/settings-changes.ts"
import type { Settings } from "../../../domain/config/settings.ts"

/** A few values of every key, as an operator writes them; "" unsets an optional key. */
const written: Readonly<Record<string, ReadonlyArray<string>>> = {
  "smtp-ip": ["", "10.0.0.1", "::1"],
  "smtp-port": ["25", "2525", "25,587"],
  "smtp-secure-port": ["", "465"],
  "smtp-certificate": ["", "/etc/tls/a.pem", "/etc/tls/b.pem"],
  "smtp-key": ["", "/etc/tls/a.key", "/etc/tls/b.key"],
  "smtp-ciphers": ["", "HIGH:!aNULL"],
  "smtp-range": ["", "127.0.0.1", "10.0.0.0/8;127.0.0.1"],
  "smtp-auth": ["", "ldap://ldap.example.com/dc=example", "hardcoded://alice:secret"],
  "smtp-proxy": ["", "10.1.0.0/16"],
  "smtp-default-ips": ["", "192.0.2.1;192.0.2.2"],
  "smtp-mappable-ips": ["", "192.0.2.0/24"],
  "smtp-unmappable-ips": ["", "198.51.100.0/24"],
  "smtp-check": ["", "spf,dkim", "spam"],
  "smtp-auth-results": ["", "local", "local,nonlocal"],
  "smtp-validate-address": ["strict", "loose"],
  "smtp-connections": ["", "100", "10"],
  "smtp-connections-in": ["", "50"],
  "smtp-connections-out": ["", "75"],
  "smtp-maxsize": ["100MB", "10KB"],
  "smtp-threads": ["1", "4"],
  "smtp-timeout": ["300", "30", "0"],
  "smtp-error-limit": ["20", "5"],
  "smtp-data-memory": ["", "1GB"],
  "smtp-junk-limit": ["100", "10"],
  "smtp-protection": ["no", "yes"],
  "smtp-hostname": ["", "mx.example.com", "mx2.example.com"],
  "smtp-extract": ["yes", "no"],
  "dsn-advertise": ["no", "yes"],
  "rabbitmq-address": ["", "amqp://guest:guest@127.0.0.1:5672/"],
  "rabbitmq-inbox": ["inbox", "outbox", ""],
  "rabbitmq-outbox": ["outbox", "other"],
  "rabbitmq-local": ["", "local"],
  "rabbitmq-reports": ["", "reports"],
  "rabbitmq-queue-type": ["classic", "quorum"],
  "rabbitmq-max-message-size": ["", "16MB"],
  "spamassassin-host": ["localhost", "spamd.internal"],
  "spamassassin-port": ["783", "7830"],
  "dns-servers": ["", "127.0.0.1", "127.0.0.1;[::1]:5353"],
  "database-address": ["sqlite:///var/lib/smtp-intake/intake.db", "postgresql://db.internal/intake"],
  "management-port": ["", "8485"],
  "management-ip": ["127.0.0.1", "0.0.0.0"],
  "management-token": ["", "s3cret-t0ken-0123456789"],
  "embedded-spool-directory": ["", "/srv/spool"],
  "spool-directory": ["", "/var/spool/mailerq"],
  "rabbitmq-verify": ["true", "false"],
  "rabbitmq-declare": ["true", "false"],
  "rabbitmq-durable": ["true", "false"],
  "rabbitmq-lazy": ["false", "true"],
  "rabbitmq-maxpriority": ["", "4"],
  "rabbitmq-exchange": ["", "mailerq"],
  "rabbitmq-encoding": ["", "gzip"],
  "rabbitmq-persistent": ["true", "false"],
  "rabbitmq-refused": ["", "refused"]
}

const valuesOf = (spec: AnyKeySpec): ReadonlyArray<unknown> =>
  (written[spec.name] ?? []).map((text) => {
    const parsed = spec.parse(text)
    if (!parsed.ok) throw new Error(`${spec.name}: "${text}" does not parse`)
    return parsed.value
  })

/** Settings with every key drawn from its values (not necessarily a config that would start: the diff does not care). */
const settings: fc.Arbitrary<Settings> = fc.tuple(...configKeys.map((spec) => fc.constantFrom(...valuesOf(spec))))
  .map((values) => Object.fromEntries(configKeys.map((spec, i) => [spec.property, values[i]])) as unknown as Settings)

/** A second config that differs from the first in a few keys, as a real edit does. */
const edit = (base: Settings): fc.Arbitrary<Settings> =>
  fc.subarray([...configKeys], { maxLength: 6 }).chain((specs) =>
    fc.tuple(...specs.map((spec) => fc.constantFrom(...valuesOf(spec)))).map((values) => ({
      ...base,
      ...Object.fromEntries(specs.map((spec, i) => [spec.property, values[i]]))
    }))
  )

const pairs = settings.chain((running) => fc.tuple(fc.constant(running), fc.oneof(settings, edit(running))))

const byName = new Map(configKeys.map((spec) => [spec.name, spec]))
const valueOf = (s: Settings, name: string) => s[byName.get(name)!.property]

describe("settingsChanges and settingsToApply", () => {
  it("the same settings change nothing", () => {
    fc.assert(fc.property(settings, (s) => {
      expect(settingsChanges(s, s)).toEqual({ reloadable: [], restartOnly: [] })
      expect(settingsToApply(s, s)).toEqual(s)
    }))
  })

  it("every key whose value differs is in exactly one list, in table order, and no other key is", () => {
    fc.assert(fc.property(pairs, ([running, loaded]) => {
      const { reloadable, restartOnly } = settingsChanges(running, loaded)
      const differing = configKeys.filter((spec) => !sameValue(running[spec.property], loaded[spec.property])).map((spec) => spec.name)
      expect([...reloadable, ...restartOnly].sort()).toEqual([...differing].sort())
      expect(reloadable.filter((name) => restartOnly.includes(name))).toEqual([])
      const order = (names: ReadonlyArray<string>) => names.map((name) => differing.indexOf(name))
      expect(order(reloadable)).toEqual(order(reloadable).toSorted((a, b) => a - b))
      expect(order(restartOnly)).toEqual(order(restartOnly).toSorted((a, b) => a - b))
    }), { numRuns: 500 })
  })

  it("a key's classification follows its reload flag: restart keys never reload, live keys always do, live-while-set keys unless set or unset", () => {
    fc.assert(fc.property(pairs, ([running, loaded]) => {
      const { reloadable, restartOnly } = settingsChanges(running, loaded)
      const setOrUnset = (name: string) => (valueOf(running, name) === undefined) !== (valueOf(loaded, name) === undefined)
      for (const name of reloadable) {
        const spec = byName.get(name)!
        expect(spec.reload).not.toBe("restart")
        if (spec.reload === "live-while-set") expect(setOrUnset(name)).toBe(false)
      }
      for (const name of restartOnly) {
        const spec = byName.get(name)!
        expect(spec.reload).not.toBe("live")
        if (spec.reload === "live-while-set") expect(setOrUnset(name)).toBe(true)
      }
    }), { numRuns: 500 })
  })

  it("the classification is the same whichever way the change goes", () => {
    fc.assert(fc.property(pairs, ([running, loaded]) => {
      const forth = settingsChanges(running, loaded)
      const back = settingsChanges(loaded, running)
      expect(back).toEqual(forth)
    }), { numRuns: 300 })
  })

  it("the applied settings take every reloadable change and keep every restart-only value", () => {
    fc.assert(fc.property(pairs, ([running, loaded]) => {
      const { reloadable, restartOnly } = settingsChanges(running, loaded)
      const applied = settingsToApply(running, loaded)
      for (const name of reloadable) expect(valueOf(applied, name)).toEqual(valueOf(loaded, name))
      for (const name of restartOnly) expect(valueOf(applied, name)).toEqual(valueOf(running, name))
      // nothing left that needs a restart, nothing reloadable left unapplied
      expect(settingsChanges(running, applied)).toEqual({ reloadable, restartOnly: [] })
      expect(settingsChanges(applied, loaded)).toEqual({ reloadable: [], restartOnly })
      // applying the same config again changes nothing more
      expect(settingsToApply(applied, loaded)).toEqual(applied)
    }), { numRuns: 500 })
  })
})
