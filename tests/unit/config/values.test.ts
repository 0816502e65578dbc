import { describe, expect, it } from "vitest"
import { parseHardcodedUsers } from "../../../domain/auth/auth-backend.ts"
import {
  formatSize, parseAmqpUrl, parseAuthUrl, parseBoolean, parseChoice, parseChoices, parseDatabaseUrl,
  parseHost, parseHostname, parseIp, parseIpRanges, parseIps, parsePath, parsePort, parsePorts,
  parsePortsOrNone, parsePositiveInteger, parseQueueName, parseSize, parseToken
} from "../../../domain/config/values.ts"
import type { Parsed, ValueParser } from "../../../domain/config/values.ts"

const valueOf = <A>(parsed: Parsed<A>): A => {
  if (!parsed.ok) throw new Error(`expected a valid value, got "expected ${parsed.expected}"`)
  return parsed.value
}
const expectedOf = <A>(parsed: Parsed<A>): string => {
  if (parsed.ok) throw new Error(`expected an invalid value, got ${JSON.stringify(parsed.value)}`)
  return parsed.expected
}
const rejects = <A>(parser: ValueParser<A>, inputs: ReadonlyArray<string>) =>
  it.each(inputs)("rejects %j", (input) => expect(parser(input).ok).toBe(false))

describe("ports", () => {
  it.each([
    ["25", [25]],
    ["25,2525,1024-1026", [25, 2525, 1024, 1025, 1026]],
    [" 25 , 2525 , 1024 - 1026 ", [25, 2525, 1024, 1025, 1026]],
    ["587,25,587,26-27,27", [587, 25, 26, 27]],
    ["1,65535", [1, 65535]],
    ["2000-2999", Array.from({ length: 1000 }, (_, i) => 2000 + i)]
  ])("%j opens %j", (input, ports) => expect(valueOf(parsePorts(input))).toEqual(ports))

  rejects(parsePorts, ["", "0", "65536", "70000", "25;2525", "25,", "abc", "26-25", "1024-3000", "-5", "25 2525", "1.5"])

  it("says what form is expected, and why a range is refused", () => {
    expect(expectedOf(parsePorts("x"))).toBe("ports like 25,2525,1024-1026 (each 1-65535)")
    expect(expectedOf(parsePorts("26-25"))).toContain("from low to high")
    expect(expectedOf(parsePorts("1-5000"))).toContain("at most 1000 ports")
  })

  it("refuses more than 1000 ports in all, even from small ranges", () => {
    const ranges = Array.from({ length: 11 }, (_, i) => `${10000 + i * 100}-${10000 + i * 100 + 99}`).join(",")
    expect(expectedOf(parsePorts(ranges))).toContain("at most 1000 ports in all")
  })

  it("an empty secure-port list is no ports at all", () => {
    expect(valueOf(parsePortsOrNone(""))).toEqual([])
    expect(valueOf(parsePortsOrNone("465"))).toEqual([465])
  })

  it("a single port is 1-65535", () => {
    expect(valueOf(parsePort(" 783 "))).toBe(783)
    expect(parsePort("0").ok).toBe(false)
    expect(parsePort("783,784").ok).toBe(false)
  })
})

describe("IP addresses and ranges", () => {
  it("reads ';'-separated CIDRs and addresses, IPv4 and IPv6", () => {
    const ranges = valueOf(parseIpRanges(" 192.168.0.0/16 ; 10.1.2.3;2001:db8::/32;"))
    expect(ranges.map((range) => [range.network, range.prefix])).toEqual([
      ["192.168.0.0", 16], ["10.1.2.3", 32], ["2001:db8::", 32]
    ])
  })

  it("an empty range list is empty (for smtp-range: nobody may connect)", () => {
    expect(valueOf(parseIpRanges(""))).toEqual([])
  })

  it("a ',' instead of ';' gets a message that says so", () => {
    expect(expectedOf(parseIpRanges("10.0.0.0/8,192.168.0.0/16"))).toContain("separated by ';' (not ',')")
    expect(expectedOf(parseIps("1.2.3.4,4.5.6.7"))).toContain("separated by ';' (not ',')")
  })

  rejects(parseIpRanges, ["10.0.0.0/33", "300.1.1.1", "example.com", "10.0.0.0/8 192.168.0.0/16"])

  it("refuses legacy IPv4 spellings that would silently mean another network", () => {
    // 010.0.0.0/8 is 8.0.0.0/8 to inet_aton; 10.1 is 10.0.0.1
    for (const text of ["010.0.0.0/8", "10.1/16", "0x7f.0.0.1", "1.2.3", "4294967295", "::ffff:010.0.0.1"]) {
      expect(parseIpRanges(text).ok).toBe(false)
    }
    expect(parseIps("10.1").ok).toBe(false)
    expect(parseIp("0177.0.0.1").ok).toBe(false)
    expect(parseHost("10.1").ok).toBe(false)
    expect(valueOf(parseIpRanges("::ffff:10.0.0.0/104")).map((range) => range.prefix)).toEqual([8])
  })

  it("smtp-default-ips takes plain addresses, not ranges, and normalises IPv4-mapped IPv6", () => {
    expect(valueOf(parseIps("1.2.3.4; ::ffff:4.5.6.7 ;1.2.3.4"))).toEqual(["1.2.3.4", "4.5.6.7"])
    expect(parseIps("1.2.3.0/24").ok).toBe(false)
  })

  it("a bind address is one IP, brackets allowed for IPv6", () => {
    expect(valueOf(parseIp("1.2.3.4"))).toBe("1.2.3.4")
    expect(valueOf(parseIp("[::1]"))).toBe("::1")
    expect(parseIp("1.2.3.4;5.6.7.8").ok).toBe(false)
    expect(parseIp("localhost").ok).toBe(false)
  })
})

describe("sizes", () => {
  it.each([
    ["100MB", 100 * 1024 * 1024],
    ["10KB", 10 * 1024],
    ["1GB", 1024 ** 3],
    ["512", 512],
    ["10 kb", 10 * 1024],
    ["2m", 2 * 1024 * 1024],
    ["4GB", 2 ** 32],
    ["7B", 7]
  ])("%j is %d bytes", (input, bytes) => expect(valueOf(parseSize(input))).toBe(bytes))

  rejects(parseSize, ["", "0", "0MB", "5GB", "1.5MB", "-1", "10 TB", "MB", "10 MB extra"])

  it("writes sizes back in the largest exact unit", () => {
    expect(formatSize(100 * 1024 * 1024)).toBe("100MB")
    expect(formatSize(1536)).toBe("1536")
    expect(formatSize(2048)).toBe("2KB")
  })
})

describe("booleans, numbers, words", () => {
  it.each([["true", true], ["YES", true], ["1", true], ["on", true], ["false", false], ["No", false], ["0", false], ["OFF", false]])(
    "%j is %s", (input, value) => expect(valueOf(parseBoolean(input))).toBe(value))
  rejects(parseBoolean, ["", "enabled", "2", "y"])

  it("positive integers have an upper bound named in the message", () => {
    const seconds = parsePositiveInteger(86400, "seconds")
    expect(valueOf(seconds("300"))).toBe(300)
    expect(expectedOf(seconds("0"))).toBe("a whole number of seconds from 1 to 86400")
    expect(seconds("86401").ok).toBe(false)
    expect(seconds("5s").ok).toBe(false)
  })

  it("a choice is case-insensitive and lists the choices when wrong", () => {
    const validation = parseChoice(["strict", "loose"])
    expect(valueOf(validation(" Loose "))).toBe("loose")
    expect(expectedOf(validation("lenient"))).toBe("one of strict, loose")
  })

  it("a list of choices is comma-separated, each once, empty is none", () => {
    const checks = parseChoices(["spf", "dkim", "dmarc", "spam"])
    expect(valueOf(checks("spf, DKIM,dmarc,spf"))).toEqual(["spf", "dkim", "dmarc"])
    expect(valueOf(checks(""))).toEqual([])
    expect(expectedOf(checks("spf,virus"))).toBe("a comma-separated list of spf, dkim, dmarc, spam")
  })
})

describe("names and paths", () => {
  it("host names follow RFC 1123", () => {
    expect(valueOf(parseHostname("mx1.example.com"))).toBe("mx1.example.com")
    for (const bad of ["", "-mx.example.com", "mx_1.example.com", "mx..example.com", "a".repeat(64) + ".com", "mx example"]) {
      expect(parseHostname(bad).ok).toBe(false)
    }
  })

  it("a service host may be a name or an IP", () => {
    expect(valueOf(parseHost("localhost"))).toBe("localhost")
    expect(valueOf(parseHost("::1"))).toBe("::1")
    expect(parseHost("spam d").ok).toBe(false)
  })

  it("paths are non-empty", () => {
    expect(valueOf(parsePath(" /etc/smtp-intake/cert.pem "))).toBe("/etc/smtp-intake/cert.pem")
    expect(parsePath("  ").ok).toBe(false)
  })

  it("queue names are 1-255 bytes, printable, and not the broker's reserved amq. names", () => {
    expect(valueOf(parseQueueName("inbox"))).toBe("inbox")
    expect(valueOf(parseQueueName("é".repeat(127)))).toBe("é".repeat(127))
    for (const bad of ["", "é".repeat(128), "in\tbox", "amq.inbox"]) expect(parseQueueName(bad).ok).toBe(false)
  })

  it("a management token is long enough to guess hard", () => {
    expect(parseToken("0123456789abcdef").ok).toBe(true)
    expect(parseToken("short").ok).toBe(false)
    expect(parseToken("0123456789 abcdef").ok).toBe(false)
  })
})

describe("URLs", () => {
  it.each(["amqp://guest:guest@127.0.0.1:5672/%2f", "amqps://rabbit.example.com", "amqp://u:p%23x@h/vhost"])(
    "accepts the RabbitMQ address %s", (url) => expect(valueOf(parseAmqpUrl(url))).toBe(url))
  it.each(["http://rabbit", "amqp://", "rabbit:5672", "amqp://u:p#x@h"])(
    "rejects the RabbitMQ address %s", (url) => expect(parseAmqpUrl(url).ok).toBe(false))
  it("tells how to write special characters in a RabbitMQ password", () => {
    expect(expectedOf(parseAmqpUrl("amqp://u:p#x@h"))).toContain("# as %23")
  })

  it.each(["sqlite:///var/lib/smtp-intake/intake.db", "postgresql://u:p@db:5432/intake", "postgres://db/intake", "mysql://mq:pw@db/mailerq"])(
    "accepts the database %s", (url) => expect(parseDatabaseUrl(url).ok).toBe(true))
  it.each(["sqlite://relative.db", "sqlite:///", "mysql://", "mongodb://db/intake", "postgresql://", "/var/lib/intake.db"])(
    "rejects the database %s", (url) => expect(parseDatabaseUrl(url).ok).toBe(false))

  it.each([
    "hardcoded://username:password,username2,password2",
    "hardcoded://alice:secret",
    "hardcoded://alice,secret,bob,pw",
    "ldap://example.com:389/dc=example,dc=com",
    "ldaps://example.com/ou=people",
    "radius://identifier:secret@example.com:1812",
    "users://user1,mailerq,user2,client*",
    "http://example.com:80/some_endpoint",
    "https://auth.example.com/check",
    "file:///users.txt",
    "exec:///path/to/file"
  ])("accepts the auth backend %s", (url) => expect(parseAuthUrl(url).ok).toBe(true))

  it.each([
    "hardcoded://alice", "hardcoded://alice:", "hardcoded://", "ldap://example.com", "radius://example.com:1812",
    "users://", "file://users.txt", "exec://", "pam://login", "alice:secret"
  ])("rejects the auth backend %s", (url) => expect(parseAuthUrl(url).ok).toBe(false))

  it("reads hardcoded users in all three of MailerQ's spellings", () => {
    expect(parseHardcodedUsers("a:1,b,2,c:3")).toEqual([
      { user: "a", password: "1" }, { user: "b", password: "2" }, { user: "c", password: "3" }
    ])
  })
})
