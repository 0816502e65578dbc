import { gzipSync, strToU8, zipSync } from "fflate"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseDeliveryStatus } from "../../../domain/reports/delivery-status.ts"
import { detectReport } from "../../../domain/reports/detect-report.ts"
import { parseDmarcFeedback } from "../../../domain/reports/dmarc-feedback.ts"
import { MAX_MIME_DEPTH } from "../../../domain/reports/limits.ts"
import type { DsnRecipient, DsnReport } from "../../../domain/reports/detect-report.ts"
import {
  base64Lines,
  dispositionNotification,
  dmarcAggregateXml,
  exchangeOnlineBounce,
  eximBounce,
  forwardedAsAttachment,
  gatewayMixedBounce,
  GATEWAY_FOOTER,
  googleDmarcReport,
  gzipDmarcReport,
  multipartBody,
  part,
  plainTextMessage,
  postfixBounce,
  schemaWrappedXml,
  wrappedInMixed
} from "../../support/report-samples.ts"
import type { DmarcRecord, LineEnding, RecipientGroup } from "../../support/report-samples.ts"

const bytes = (text: string) => new TextEncoder().encode(text)
const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

const lineEnding = fc.constantFrom<LineEnding>("\r\n", "\n")

/** Whatever comes back must be one of the two shapes and plain JSON. */
const expectWellFormed = (mime: Uint8Array) => {
  const report = detectReport(mime)
  if (report === undefined) return
  expect(["dsn", "dmarc"]).toContain(report.type)
  expect(JSON.parse(JSON.stringify(report))).toStrictEqual(report)
}

const samples: ReadonlyArray<Uint8Array> = [
  postfixBounce(),
  postfixBounce({ lineEnding: "\n" }),
  googleDmarcReport(),
  gzipDmarcReport(),
  gzipDmarcReport({ lineEnding: "\n" }),
  dispositionNotification(),
  plainTextMessage()
]

/** Headers that lead the parser deep into its report paths, followed by arbitrary bytes. */
const reportishHeads = [
  "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n",
  "Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\nH4sI",
  "Content-Type: application/zip\r\n\r\nPK\u0003\u0004",
  "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/xml\r\n\r\n<feedback><record><row><count>",
  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
].map(bytes)

describe("detectReport never throws", () => {
  it("on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4000 }), expectWellFormed), { numRuns: 300 })
  })

  it("on arbitrary bytes behind report-like headers", () => {
    fc.assert(
      fc.property(fc.constantFrom(...reportishHeads), fc.uint8Array({ maxLength: 2000 }), (head, tail) => {
        expectWellFormed(concat(head, tail))
      }),
      { numRuns: 300 }
    )
  })

  it("on samples with bytes flipped", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }),
        (sample, flips) => {
          const mime = sample.slice()
          for (const [at, value] of flips) mime[at % mime.length] = value
          expectWellFormed(mime)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("on samples cut short anywhere", () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.double({ min: 0, max: 1, noNaN: true }), (sample, fraction) => {
        expectWellFormed(sample.subarray(0, Math.floor(sample.length * fraction)))
      }),
      { numRuns: 300 }
    )
  })
})

const headerName = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/)
  .filter((name) => !name.toLowerCase().startsWith("content-"))
const printable = fc.stringMatching(/^[\x20-\x7e]{0,60}$/)
const textLines = fc.array(fc.oneof(printable, fc.constantFrom("", "<feedback>", "Final-Recipient: rfc822; a@b.c", "Action: failed")), { maxLength: 12 })

/** A message of text only: text/plain, text/html or multipart/alternative of those, no report type, no attachment. */
const plainMessages = fc
  .record({
    headers: fc.array(fc.tuple(headerName, printable), { maxLength: 8 }),
    kind: fc.constantFrom("none", "text/plain", "text/html", "alternative"),
    lines: textLines,
    html: textLines,
    eol: lineEnding
  })
  .map(({ headers, kind, lines, html, eol }) => {
    const fields = headers.map(([name, value]) => `${name}: ${value}`)
    const body = lines.join("\n")
    const message =
      kind === "alternative"
        ? [...fields, "Content-Type: multipart/alternative; boundary=\"alt-1\"", "", multipartBody("alt-1", [
            part(["Content-Type: text/plain; charset=utf-8"], body),
            part(["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"], html.join("\n"))
          ])]
        : [...fields, ...(kind === "none" ? [] : [`Content-Type: ${kind}; charset=utf-8`]), "", body]
    return bytes(message.join("\n").replace(/\n/g, eol))
  })

describe("plain messages", () => {
  it("are never reports", () => {
    fc.assert(
      fc.property(plainMessages, (mime) => {
        expect(detectReport(mime)).toBeUndefined()
      }),
      { numRuns: 300 }
    )
  })
})

const word = fc.stringMatching(/^[\x21-\x7e]{1,12}$/)

const recipientGroups = fc.record(
  {
    finalRecipient: fc.emailAddress(),
    originalRecipient: fc.emailAddress(),
    action: fc.constantFrom("failed", "delayed", "delivered", "relayed", "expanded", "Failed", "DELAYED"),
    status: fc.tuple(fc.constantFrom(2, 4, 5), fc.nat(7), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`),
    diagnosticWords: fc.array(word, { minLength: 1, maxLength: 10 }),
    foldAfter: fc.nat(10),
    remoteMta: fc.domain()
  },
  { requiredKeys: ["finalRecipient", "action", "status"] }
)

type GeneratedGroup = typeof recipientGroups extends fc.Arbitrary<infer T> ? T : never

const asWritten = (group: GeneratedGroup): RecipientGroup => {
  const words = group.diagnosticWords
  const folded = words === undefined
    ? undefined
    : `smtp; ${words.slice(0, group.foldAfter ?? words.length).join(" ")}\n\t ${words.slice(group.foldAfter ?? words.length).join(" ")}`
  return {
    finalRecipient: group.finalRecipient,
    action: group.action,
    status: group.status,
    ...(group.originalRecipient === undefined ? {} : { originalRecipient: group.originalRecipient }),
    ...(folded === undefined ? {} : { diagnosticCode: folded }),
    ...(group.remoteMta === undefined ? {} : { remoteMta: group.remoteMta })
  }
}

const asReported = (group: GeneratedGroup): DsnRecipient => ({
  finalRecipient: group.finalRecipient,
  action: group.action.toLowerCase(),
  status: group.status,
  ...(group.originalRecipient === undefined ? {} : { originalRecipient: group.originalRecipient }),
  ...(group.diagnosticWords === undefined ? {} : { diagnosticCode: `smtp; ${group.diagnosticWords.join(" ")}`.trim() }),
  ...(group.remoteMta === undefined ? {} : { remoteMta: group.remoteMta })
})

describe("delivery status notifications", () => {
  it("report one recipient per recipient group, with its fields, with or without blank lines between the groups", () => {
    fc.assert(
      fc.property(fc.array(recipientGroups, { maxLength: 8 }), lineEnding, fc.constantFrom("\n\n", "\n"), (groups, eol, groupSeparator) => {
        const report = detectReport(postfixBounce({ recipients: groups.map(asWritten), lineEnding: eol, groupSeparator }))
        expect(report?.type).toBe("dsn")
        if (report?.type !== "dsn") return
        expect(report.recipients).toHaveLength(groups.length)
        expect(report.recipients).toStrictEqual(groups.map(asReported))
      }),
      { numRuns: 200 }
    )
  })
})

type Field = readonly [name: string, value: string]

const PER_MESSAGE: ReadonlyArray<Field> = [
  ["Reporting-MTA", "dns; mx.example.net"],
  ["X-Postfix-Queue-ID", "4Sx1Yz2kLmz9sT"],
  ["Arrival-Date", "Thu, 16 Nov 2023 10:14:58 +0000"]
]

interface StatusStyle {
  /** Exim writes Action before Final-Recipient, Postfix after */
  readonly actionFirst: boolean
  /** what the address fields are typed with: `rfc822` in the RFC, anything in the wild */
  readonly addressType: string
  /** blanks before the colon, taken in turn line by line */
  readonly beforeColon: ReadonlyArray<string>
  /** what separates group i from group i + 1, taken in turn */
  readonly separators: ReadonlyArray<string>
}

const recipientFieldList = (group: GeneratedGroup, style: StatusStyle): ReadonlyArray<Field> => {
  const written = asWritten(group)
  const addresses: ReadonlyArray<Field> = [
    ["Final-Recipient", `${style.addressType}; ${written.finalRecipient}`],
    ...(written.originalRecipient === undefined ? [] : [["Original-Recipient", `${style.addressType};${written.originalRecipient}`] as const])
  ]
  const action: Field = ["Action", written.action]
  return [
    ...(style.actionFirst ? [action, ...addresses] : [...addresses, action]),
    ["Status", written.status],
    ...(written.remoteMta === undefined ? [] : [["Remote-MTA", `dns; ${written.remoteMta}`] as const]),
    ...(written.diagnosticCode === undefined ? [] : [["Diagnostic-Code", written.diagnosticCode] as const])
  ]
}

/** A delivery-status body written in the given style. */
const statusText = (groups: ReadonlyArray<GeneratedGroup>, style: StatusStyle): string => {
  let line = 0
  const render = (fields: ReadonlyArray<Field>) =>
    fields.map(([name, value]) => `${name}${style.beforeColon[line++ % style.beforeColon.length] ?? ""}: ${value}`).join("\n")
  const rendered = [render(PER_MESSAGE), ...groups.map((group) => render(recipientFieldList(group, style)))]
  return `${rendered.map((text, i) => (i === 0 ? text : `${style.separators[(i - 1) % style.separators.length] ?? "\n\n"}${text}`)).join("")}\n`
}

const expectedStatus = (groups: ReadonlyArray<GeneratedGroup>): DsnReport => ({
  type: "dsn",
  reportingMta: "mx.example.net",
  arrivalDate: "Thu, 16 Nov 2023 10:14:58 +0000",
  recipients: groups.map(asReported)
})

const RFC_STYLE: StatusStyle = { actionFirst: false, addressType: "rfc822", beforeColon: [""], separators: ["\n\n"] }
const blanks = fc.stringMatching(/^[ \t]{0,3}$/)

describe("the delivery-status field parser", () => {
  it("reads any field with blanks before its colon as without them", () => {
    fc.assert(
      fc.property(fc.array(recipientGroups, { maxLength: 6 }), fc.array(blanks, { minLength: 1, maxLength: 20 }), fc.boolean(), (groups, beforeColon, actionFirst) => {
        const style = { ...RFC_STYLE, actionFirst, beforeColon }
        expect(parseDeliveryStatus(statusText(groups, style))).toStrictEqual(expectedStatus(groups))
      }),
      { numRuns: 200 }
    )
  })

  it("strips the address type whatever its spelling", () => {
    const addressType = fc.stringMatching(/^[A-Za-z0-9 ./+_:-]{0,12}$/)
    fc.assert(
      fc.property(fc.array(recipientGroups, { minLength: 1, maxLength: 4 }), addressType, (groups, type) => {
        expect(parseDeliveryStatus(statusText(groups, { ...RFC_STYLE, addressType: type }))).toStrictEqual(expectedStatus(groups))
      }),
      { numRuns: 200 }
    )
  })

  it("finds the per-message group and every recipient group with or without the blank lines between them", () => {
    fc.assert(
      fc.property(
        fc.array(recipientGroups, { maxLength: 6 }),
        fc.array(fc.constantFrom("\n", "\n\n", "\n \n"), { minLength: 1, maxLength: 7 }),
        fc.boolean(),
        (groups, separators, actionFirst) => {
          expect(parseDeliveryStatus(statusText(groups, { ...RFC_STYLE, actionFirst, separators }))).toStrictEqual(expectedStatus(groups))
        }
      ),
      { numRuns: 200 }
    )
  })
})

const lf = (mime: Uint8Array) => new TextDecoder().decode(mime)

/** Parts a relay or a person may put beside a bounce; none of them is a report of its own. */
const besideParts: ReadonlyArray<string> = [
  GATEWAY_FOOTER,
  part(["Content-Type: text/plain"], "Final-Recipient: rfc822; someone@example.net\nAction: failed\nStatus: 5.0.0\n"),
  part(["Content-Type: text/rfc822-headers"], "From: News <news@example.com>\nTo: someone@example.net\n"),
  // another bounce, forwarded as an attachment: its delivery-status part must not be the one found
  part(["Content-Type: message/rfc822"], lf(eximBounce({ lineEnding: "\n" }))),
  part(["Content-Type: message/rfc822"], lf(forwardedAsAttachment(postfixBounce({ lineEnding: "\n" }), { lineEnding: "\n" })))
]

const bounces: ReadonlyArray<() => Uint8Array> = [
  () => postfixBounce({ lineEnding: "\n" }),
  () => exchangeOnlineBounce({ lineEnding: "\n" }),
  () => gatewayMixedBounce({ lineEnding: "\n" })
]

const wrapping = fc.array(
  fc.record({ before: fc.subarray([...besideParts], { maxLength: 1 }), after: fc.subarray([...besideParts], { maxLength: 1 }) }),
  { maxLength: MAX_MIME_DEPTH + 2 }
)

describe("a bounce wrapped in multipart/mixed", () => {
  it("gives its own report, its delivery-status part found exactly once, at any depth within the MIME depth limit, and nothing beyond", () => {
    fc.assert(
      fc.property(fc.constantFrom(...bounces), wrapping, lineEnding, (bounce, levels, eol) => {
        const unwrapped = detectReport(bounce())
        let mime = bounce()
        levels.forEach((level, i) => {
          mime = wrappedInMixed(mime, { ...level, boundary: `level-${i}`, lineEnding: i === levels.length - 1 ? eol : "\n" })
        })
        expect(unwrapped?.type).toBe("dsn")
        expect(detectReport(mime)).toStrictEqual(levels.length < MAX_MIME_DEPTH ? unwrapped : undefined)
      }),
      { numRuns: 200 }
    )
  })

  it("forwarded as a message/rfc822 attachment is never a report, however deep", () => {
    fc.assert(
      fc.property(fc.constantFrom(...bounces), wrapping, (bounce, levels) => {
        let mime = forwardedAsAttachment(bounce(), { lineEnding: "\n" })
        levels.forEach((level, i) => {
          mime = wrappedInMixed(mime, { ...level, boundary: `level-${i}`, lineEnding: "\n" })
        })
        expect(detectReport(mime)).toBeUndefined()
      }),
      { numRuns: 100 }
    )
  })
})

const dmarcRecords = fc.array(
  fc.record({
    sourceIp: fc.ipV4(),
    count: fc.nat(1_000_000),
    disposition: fc.constantFrom("none", "quarantine", "reject"),
    dkim: fc.constantFrom<"pass" | "fail">("pass", "fail"),
    spf: fc.constantFrom<"pass" | "fail">("pass", "fail")
  }),
  { maxLength: 30 }
)

const packagings: ReadonlyArray<(xml: string, eol: LineEnding) => Uint8Array> = [
  (xml, eol) => googleDmarcReport({ xml, lineEnding: eol }),
  (xml, eol) => gzipDmarcReport({ xml, lineEnding: eol }),
  (xml, eol) =>
    bytes(`Content-Type: application/zip\nContent-Transfer-Encoding: base64\n\n${base64Lines(zipSync({ "a.xml": strToU8(xml) }))}\n`.replace(/\n/g, eol)),
  (xml, eol) =>
    bytes(`Content-Type: application/x-gzip\nContent-Transfer-Encoding: base64\n\n${base64Lines(gzipSync(strToU8(xml)))}\n`.replace(/\n/g, eol)),
  (xml, eol) => bytes(`Content-Type: text/xml\n\n${xml}`.replace(/\n/g, eol))
]

/** How a reporter may wrap the `<feedback>` document: not at all, an unclosed `<xs:schema>`, a closed one. */
const feedbackWrappings: ReadonlyArray<(xml: string) => string> = [
  (xml) => xml,
  schemaWrappedXml,
  (xml) => `${schemaWrappedXml(xml)}</xs:schema>\n`
]

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

describe("DMARC aggregate reports", () => {
  it("count the records and sum their message counts, however they are packed and wrapped", () => {
    fc.assert(
      fc.property(
        dmarcRecords,
        fc.constantFrom(...packagings),
        fc.constantFrom(...feedbackWrappings),
        lineEnding,
        (records: ReadonlyArray<DmarcRecord>, pack, wrap, eol) => {
          const report = detectReport(pack(wrap(dmarcAggregateXml({ records })), eol))
          expect(report).toMatchObject({
            type: "dmarc",
            recordCount: records.length,
            messageCount: records.reduce((sum, record) => sum + record.count, 0)
          })
        }
      ),
      { numRuns: 100 }
    )
  })

  it("name the reporter by org_name when it has one, else by the domain of its email", () => {
    const orgName = fc.oneof(fc.stringMatching(/^[ \t\n]{0,3}$/), fc.stringMatching(/^[\x20-\x7e]{1,30}$/))
    fc.assert(
      fc.property(orgName, fc.emailAddress(), fc.constantFrom(...feedbackWrappings), (name, email, wrap) => {
        const xml = wrap(dmarcAggregateXml({ orgName: escapeXml(name), email: escapeXml(email) }))
        const report = parseDmarcFeedback(new TextEncoder().encode(xml))
        const expected = name.trim() === "" ? (email.split("@")[1] ?? "").toLowerCase() : name.trim()
        expect(report).toMatchObject({ type: "dmarc", orgName: expected, email })
      }),
      { numRuns: 200 }
    )
  })
})
