import { gzipSync, strToU8, zipSync } from "fflate"
import { describe, expect, it } from "vitest"
import { detectReport } from "../../../domain/reports/detect-report.ts"
import type { DmarcReport, DsnReport } from "../../../domain/reports/detect-report.ts"
import {
  base64Lines,
  dispositionNotification,
  dmarcAggregateXml,
  EXCHANGE_REPORTING_MTA,
  exchangeOnlineBounce,
  EXIM_BOUNDARY,
  EXIM_DELIVERY_STATUS,
  eximBounce,
  footerWrapped,
  forwardedAsAttachment,
  gatewayMixedBounce,
  GOOGLE_REPORT_ID,
  googleDmarcReport,
  gzipDmarcReport,
  multipartBody,
  part,
  plainTextMessage,
  POSTFIX_BOUNDARY,
  postfixBounce,
  schemaWrappedXml
} from "../../support/report-samples.ts"

const bytes = (text: string) => new TextEncoder().encode(text)
const crlf = (text: string) => bytes(text.replace(/\n/g, "\r\n"))

const POSTFIX_REPORT: DsnReport = {
  type: "dsn",
  reportingMta: "mx.example.net",
  arrivalDate: "Thu, 16 Nov 2023 10:14:58 +0000 (UTC)",
  recipients: [
    {
      finalRecipient: "nobody@example.org",
      originalRecipient: "nobody@example.org",
      action: "failed",
      status: "5.1.1",
      diagnosticCode: "smtp; 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown",
      remoteMta: "mail.example.org"
    },
    {
      finalRecipient: "slow@example.com",
      originalRecipient: "slow@example.com",
      action: "delayed",
      status: "4.4.1",
      diagnosticCode: "X-Postfix; connect to mx.example.com[198.51.100.7]:25: Connection timed out"
    }
  ]
}

const GOOGLE_REPORT: DmarcReport = {
  type: "dmarc",
  orgName: "google.com",
  email: "noreply-dmarc-support@google.com",
  reportId: GOOGLE_REPORT_ID,
  dateRange: { begin: 1700000000, end: 1700086399 },
  domain: "example.com",
  policy: { p: "none", sp: "none", pct: 100, adkim: "r", aspf: "r" },
  recordCount: 2,
  messageCount: 15
}

/** A message whose only content is one attachment part with the given headers. */
const singlePart = (headers: ReadonlyArray<string>, content: string) =>
  crlf(`From: reports@example.net\nTo: dmarc@example.com\nSubject: report\nMIME-Version: 1.0\n${part(headers, content)}\n`)

describe("delivery status notifications (RFC 3464)", () => {
  it("reads a Postfix bounce: per-message fields, two recipient groups, folds unfolded, address types stripped", () => {
    expect(detectReport(postfixBounce())).toStrictEqual(POSTFIX_REPORT)
  })

  it("reads it with bare LF line endings too", () => {
    expect(detectReport(postfixBounce({ lineEnding: "\n" }))).toStrictEqual(POSTFIX_REPORT)
  })

  it("gives plain JSON: what goes in survives a round trip through JSON unchanged", () => {
    const report = detectReport(postfixBounce())
    expect(JSON.parse(JSON.stringify(report))).toStrictEqual(report)
  })

  it.each([
    ["lower case, boundary first", `multipart/report; boundary="${POSTFIX_BOUNDARY}"; report-type=delivery-status`],
    ["upper case, quoted report-type", `MULTIPART/REPORT; REPORT-TYPE="Delivery-Status"; BOUNDARY="${POSTFIX_BOUNDARY}"`],
    ["folded over three lines", `multipart/report;\n report-type=delivery-status;\n\tboundary="${POSTFIX_BOUNDARY}"`],
    ["with comments and blanks", `Multipart/Report (bounce) ; report-type = delivery-status ; boundary = "${POSTFIX_BOUNDARY}"`],
    ["RFC 6533's report-type", `multipart/report; report-type=global-delivery-status; boundary="${POSTFIX_BOUNDARY}"`]
  ])("recognises the content type %s", (_, contentType) => {
    expect(detectReport(postfixBounce({ contentType }))).toStrictEqual(POSTFIX_REPORT)
  })

  it("reads an unquoted boundary", () => {
    const boundary = "simple-boundary_42"
    const mime = new TextDecoder().decode(postfixBounce()).replaceAll(POSTFIX_BOUNDARY, boundary)
      .replace(`"${boundary}"`, boundary)
    expect(detectReport(bytes(mime))).toStrictEqual(POSTFIX_REPORT)
  })

  it("accepts the internationalised delivery-status part (RFC 6533)", () => {
    const recipients = [{ finalRecipient: "jörg@bücher.example", action: "failed", status: "5.1.1" }]
    expect(detectReport(postfixBounce({ statusMediaType: "message/global-delivery-status", recipients }))).toStrictEqual({
      type: "dsn",
      reportingMta: "mx.example.net",
      arrivalDate: "Thu, 16 Nov 2023 10:14:58 +0000 (UTC)",
      recipients
    })
  })

  it("reads Original-Envelope-Id, and tolerates odd casing, angle brackets and missing per-message fields", () => {
    const mime = postfixBounce({
      perMessageFields: ["original-envelope-id: QQ314159", "REPORTING-MTA: dns;relay.example.net"],
      recipients: [{ finalRecipient: "<Carol@Example.org>", action: "FAILED", status: "5.2.2", remoteMta: "[203.0.113.9]" }]
    })
    expect(detectReport(mime)).toStrictEqual({
      type: "dsn",
      reportingMta: "relay.example.net",
      originalEnvelopeId: "QQ314159",
      recipients: [{ finalRecipient: "Carol@Example.org", action: "failed", status: "5.2.2", remoteMta: "[203.0.113.9]" }]
    })
  })

  it("is a DSN by its content type even when the delivery-status part is missing", () => {
    const mime = crlf(
      `Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nGone.\n--b--\n`
    )
    expect(detectReport(mime)).toStrictEqual({ type: "dsn", recipients: [] })
  })

  it("takes a base64-encoded delivery-status part", () => {
    const status = "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.0.0\n"
    const mime = crlf(
      `Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n` +
        `Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n${base64Lines(bytes(status))}\n--b--\n`
    )
    expect(detectReport(mime)).toStrictEqual({
      type: "dsn",
      reportingMta: "mx.example.net",
      recipients: [{ finalRecipient: "a@example.org", action: "failed", status: "5.0.0" }]
    })
  })

  it("does not take a read receipt (MDN) for a DSN", () => {
    expect(detectReport(dispositionNotification())).toBeUndefined()
  })

  it("a bounce forwarded inside a message (message/rfc822) is no report", () => {
    const forwarded = new TextDecoder().decode(postfixBounce({ lineEnding: "\n" }))
    const mime = `Content-Type: multipart/mixed; boundary=outer\n\n${multipartBody("outer", [
      part(["Content-Type: text/plain"], "FYI, see below."),
      part(["Content-Type: message/rfc822"], forwarded)
    ])}`
    expect(detectReport(crlf(mime))).toBeUndefined()
  })
})

const EXIM_REPORT: DsnReport = {
  type: "dsn",
  reportingMta: "mail.example.net",
  recipients: [
    {
      finalRecipient: "gone@example.org",
      action: "failed",
      status: "5.0.0",
      remoteMta: "mx.example.org",
      diagnosticCode: "smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown in virtual mailbox table"
    },
    {
      finalRecipient: "later@example.com",
      action: "delayed",
      status: "4.0.0",
      remoteMta: "mx.example.com",
      diagnosticCode: "smtp; 451 4.7.1 Greylisted, please try again in 300 seconds"
    }
  ]
}

/** Exim's delivery-status with its lines changed; the rest of the bounce as Exim writes it. */
const eximWith = (edit: (status: string) => string) => eximBounce({ deliveryStatus: edit(EXIM_DELIVERY_STATUS) })

describe("delivery-status fields as real reporters write them", () => {
  it("reads Exim's bounce: recipient groups led by Action, `rfc822;` without a blank", () => {
    expect(detectReport(eximBounce())).toStrictEqual(EXIM_REPORT)
    expect(detectReport(eximBounce({ lineEnding: "\n" }))).toStrictEqual(EXIM_REPORT)
  })

  it("keeps Reporting-MTA when no blank line separates it from the first recipient group", () => {
    const joined = eximWith((status) => status.replace("Reporting-MTA: dns; mail.example.net\n\n", "Reporting-MTA: dns; mail.example.net\n"))
    expect(detectReport(joined)).toStrictEqual(EXIM_REPORT)
  })

  it("ends the per-message group at the first recipient field also when an extension field leads it", () => {
    const perMessageFields = ["X-Postfix-Queue-ID: 4Sx1Yz2kLmz9sT", "Reporting-MTA: dns; mx.example.net", "Arrival-Date: Thu, 16 Nov 2023 10:14:58 +0000 (UTC)"]
    expect(detectReport(postfixBounce({ perMessageFields, groupSeparator: "\n" }))).toStrictEqual(POSTFIX_REPORT)
  })

  it("finds every group when no blank line separates any of them (Action first, as Exim orders them)", () => {
    const joined = eximWith((status) => status.replace(/\n\n/g, "\n"))
    expect(detectReport(joined)).toStrictEqual(EXIM_REPORT)
  })

  it("finds every group when no blank line separates any of them (Final-Recipient first, as Postfix orders them)", () => {
    expect(detectReport(postfixBounce({ groupSeparator: "\n" }))).toStrictEqual(POSTFIX_REPORT)
    expect(detectReport(postfixBounce({ groupSeparator: "\n", lineEnding: "\n" }))).toStrictEqual(POSTFIX_REPORT)
  })

  it("keeps a repeated Diagnostic-Code in its recipient's group: the first counts, the fields after it stay", () => {
    const repeated = eximWith((status) =>
      status.replace("Diagnostic-Code: smtp; 451", "Diagnostic-Code: x-local; queued\nDiagnostic-Code: smtp; 451")
        .replace("Will-Retry-Until", "X-Note: x\nWill-Retry-Until"))
    expect(detectReport(repeated)).toMatchObject({
      reportingMta: "mail.example.net",
      recipients: [{ finalRecipient: "gone@example.org" }, { finalRecipient: "later@example.com", diagnosticCode: "x-local; queued", remoteMta: "mx.example.com" }]
    })
  })

  it.each([
    ["a blank before the colon", "Final-Recipient : rfc822; gone@example.org"],
    ["a tab before the colon", "Final-Recipient\t: rfc822;gone@example.org"],
    ["`rfc/822`", "Final-Recipient: rfc/822; gone@example.org"],
    ["`RFC-822` and blanks around the semicolon", "final-recipient:RFC-822 ; gone@example.org"],
    ["`rfc 822` and angle brackets", "FINAL-RECIPIENT : rfc 822;<gone@example.org>"],
    ["`RFC822` and no blank at all", "Final-Recipient:RFC822;gone@example.org"],
    ["an unknown type", "Final-Recipient: x-unknown-type; gone@example.org"],
    ["an empty type", "Final-Recipient: ; gone@example.org"]
  ])("strips the address type and reads the field name with %s", (_, line) => {
    const odd = eximWith((status) => status.replace("Final-Recipient: rfc822;gone@example.org", line))
    expect(detectReport(odd)).toStrictEqual(EXIM_REPORT)
  })

  it("reads the per-message and other recipient fields with blanks before the colon and odd type spellings", () => {
    const odd = eximWith((status) =>
      status.replace("Reporting-MTA: dns;", "Reporting-MTA  :  DNS ;").replace("Remote-MTA: dns; mx.example.org", "Remote-MTA\t: Dns;mx.example.org")
        .replace("Status: 5.0.0", "Status :5.0.0").replace("Action: failed", "Action : Failed"))
    expect(detectReport(odd)).toStrictEqual(EXIM_REPORT)
  })

  it.each([
    ["no address type", "Final-Recipient: gone@example.org", "gone@example.org"],
    ["a semicolon in a quoted local part, no type", "Final-Recipient: \"gone;old\"@example.org", "\"gone;old\"@example.org"],
    ["a semicolon in a quoted local part, typed", "Final-Recipient: rfc822; \"gone;old\"@example.org", "\"gone;old\"@example.org"],
    ["a semicolon in angle brackets", "Final-Recipient: <gone;old@example.org>", "gone;old@example.org"]
  ])("keeps the address whole when it has %s", (_, line, finalRecipient) => {
    const odd = eximWith((status) => status.replace("Final-Recipient: rfc822;gone@example.org", line))
    expect(detectReport(odd)).toMatchObject({ recipients: [{ finalRecipient }, { finalRecipient: "later@example.com" }] })
  })
})

const EXCHANGE_REPORT: DsnReport = {
  type: "dsn",
  reportingMta: EXCHANGE_REPORTING_MTA,
  arrivalDate: "Mon, 20 Nov 2023 09:12:44 +0000",
  recipients: [
    {
      finalRecipient: "missing@example.org",
      action: "failed",
      status: "5.1.10",
      diagnosticCode: "smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
    }
  ]
}

const GATEWAY_REPORT: DsnReport = {
  type: "dsn",
  reportingMta: "gw.example.net",
  arrivalDate: "Thu, 16 Nov 2023 10:19:58 +0000",
  recipients: [
    {
      finalRecipient: "gone@example.org",
      action: "failed",
      status: "5.1.1",
      remoteMta: "mx.example.org",
      diagnosticCode: "SMTP; 550 5.1.1 <gone@example.org>... User unknown"
    }
  ]
}

describe("bounces that are not a top-level multipart/report; report-type=delivery-status", () => {
  it("reads Exchange Online's NDR: multipart/alternative text before the delivery-status part", () => {
    expect(detectReport(exchangeOnlineBounce())).toStrictEqual(EXCHANGE_REPORT)
  })

  it.each([
    ["Postfix's bounce without report-type", () => postfixBounce({ contentType: `multipart/report; boundary="${POSTFIX_BOUNDARY}"` }), POSTFIX_REPORT],
    ["Exim's bounce without report-type", () => eximBounce({ contentType: `multipart/report; boundary=${EXIM_BOUNDARY}` }), EXIM_REPORT],
    ["Exim's bounce with an empty report-type", () => eximBounce({ contentType: `multipart/report; report-type=""; boundary=${EXIM_BOUNDARY}` }), EXIM_REPORT]
  ])("counts %s: the delivery-status part says what the multipart/report is", (_, build, expected) => {
    expect(detectReport(build())).toStrictEqual(expected)
  })

  it("counts a gateway's multipart/mixed bounce holding the delivery-status part directly", () => {
    expect(detectReport(gatewayMixedBounce())).toStrictEqual(GATEWAY_REPORT)
    expect(detectReport(gatewayMixedBounce({ lineEnding: "\n" }))).toStrictEqual(GATEWAY_REPORT)
  })

  it.each([
    ["Exchange Online's NDR", () => exchangeOnlineBounce({ lineEnding: "\n" }), EXCHANGE_REPORT],
    ["Postfix's bounce", () => postfixBounce({ lineEnding: "\n" }), POSTFIX_REPORT],
    ["a gateway's mixed bounce", () => gatewayMixedBounce({ lineEnding: "\n" }), GATEWAY_REPORT]
  ])("counts %s wrapped in a multipart/mixed by a relay that adds a footer, once or twice", (_, build, expected) => {
    const once = footerWrapped(build())
    expect(new TextDecoder().decode(once)).toMatch(/^Content-Type: multipart\/mixed/m)
    expect(detectReport(once)).toStrictEqual(expected)
    expect(detectReport(footerWrapped(build(), { lineEnding: "\n" }))).toStrictEqual(expected)
    expect(detectReport(footerWrapped(footerWrapped(build(), { lineEnding: "\n" })))).toStrictEqual(expected)
  })

  it("counts a message that is nothing but a delivery-status part", () => {
    const bare = crlf("From: MAILER-DAEMON@mx.example.net\nContent-Type: message/delivery-status\n\n" + EXIM_DELIVERY_STATUS)
    expect(detectReport(bare)).toStrictEqual(EXIM_REPORT)
  })

  it.each([
    ["Exchange Online's NDR", () => exchangeOnlineBounce({ lineEnding: "\n" })],
    ["Postfix's bounce", () => postfixBounce({ lineEnding: "\n" })],
    ["a gateway's mixed bounce", () => gatewayMixedBounce({ lineEnding: "\n" })],
    ["a bounce wrapped by a footer relay", () => footerWrapped(exchangeOnlineBounce({ lineEnding: "\n" }), { lineEnding: "\n" })]
  ])("does not count %s forwarded as a message/rfc822 attachment (Outlook's forward), nor that forward wrapped again", (_, build) => {
    const forward = forwardedAsAttachment(build())
    expect(detectReport(forward)).toBeUndefined()
    expect(detectReport(footerWrapped(forwardedAsAttachment(build(), { lineEnding: "\n" })))).toBeUndefined()
  })

  it("does not count a multipart/report without report-type and without a delivery-status part", () => {
    const mdn = new TextDecoder().decode(dispositionNotification({ lineEnding: "\n" })).replace("report-type=disposition-notification;", "")
    expect(detectReport(crlf(mdn))).toBeUndefined()
  })

  it("does not count a multipart/mixed whose parts only talk about delivery (text, returned headers)", () => {
    const mime = `Content-Type: multipart/mixed; boundary=m\n\n${multipartBody("m", [
      part(["Content-Type: text/plain"], "Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\n"),
      part(["Content-Type: text/rfc822-headers"], "From: News <news@example.com>\nTo: gone@example.org\n")
    ])}`
    expect(detectReport(crlf(mime))).toBeUndefined()
  })
})

describe("DMARC aggregate reports (RFC 7489 appendix C)", () => {
  it("reads Google's report: multipart/mixed with a base64 zip attachment", () => {
    expect(detectReport(googleDmarcReport())).toStrictEqual(GOOGLE_REPORT)
  })

  it("reads Microsoft's and Yahoo's: the whole body a base64 .xml.gz", () => {
    expect(detectReport(gzipDmarcReport())).toStrictEqual(GOOGLE_REPORT)
  })

  it.each([
    ["Google's", googleDmarcReport],
    ["the gzip", gzipDmarcReport]
  ])("reads %s with bare LF line endings", (_, build) => {
    expect(detectReport(build({ lineEnding: "\n" }))).toStrictEqual(GOOGLE_REPORT)
  })

  it("keeps a report id longer than a double's precision digit for digit", () => {
    const reportId = "123456789012345678901234567890"
    expect(detectReport(googleDmarcReport({ xml: dmarcAggregateXml({ reportId }) }))).toMatchObject({ reportId })
  })

  it.each([
    ["text/xml, quoted-printable", ["Content-Type: text/xml; name=report.xml", "Content-Transfer-Encoding: quoted-printable"], (xml: string) => xml.replace(/=/g, "=3D")],
    ["application/xml, 7bit", ["Content-Type: application/xml"], (xml: string) => xml],
    ["application/xml, base64", ["Content-Type: application/xml", "Content-Transfer-Encoding: base64"], (xml: string) => base64Lines(bytes(xml))],
    ["application/octet-stream named .xml", ["Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"r.xml\""], (xml: string) => xml],
    ["application/x-zip-compressed", ["Content-Type: application/x-zip-compressed", "Content-Transfer-Encoding: base64"], (xml: string) => base64Lines(zipSync({ "r.xml": strToU8(xml) }))],
    ["application/x-gzip", ["Content-Type: application/x-gzip", "Content-Transfer-Encoding: base64"], (xml: string) => base64Lines(gzipSync(strToU8(xml)))],
    ["octet-stream named by RFC 2231", ["Content-Type: application/octet-stream", "Content-Disposition: attachment; filename*=utf-8''r%C3%A9port.xml.gz", "Content-Transfer-Encoding: base64"], (xml: string) => base64Lines(gzipSync(strToU8(xml)))]
  ])("reads an attachment that is %s", (_, headers, encode) => {
    expect(detectReport(singlePart(headers, encode(dmarcAggregateXml())))).toStrictEqual(GOOGLE_REPORT)
  })

  it("finds the attachment inside nested multiparts", () => {
    const zip = zipSync({ "report.xml": strToU8(dmarcAggregateXml()) })
    const alternative = multipartBody("alt", [
      part(["Content-Type: text/plain"], "See the attachment."),
      part(["Content-Type: text/html"], "<p>See the attachment.</p>")
    ])
    const attachments = multipartBody("inner", [
      part(["Content-Type: application/zip; name=report.zip", "Content-Transfer-Encoding: base64"], base64Lines(zip))
    ])
    const mime = `Content-Type: multipart/mixed; boundary="outer"\n\n${multipartBody("outer", [
      part(["Content-Type: multipart/alternative; boundary=alt"], alternative),
      part(["Content-Type: multipart/mixed; boundary=inner"], attachments)
    ])}`
    expect(detectReport(crlf(mime))).toStrictEqual(GOOGLE_REPORT)
    expect(detectReport(bytes(mime))).toStrictEqual(GOOGLE_REPORT)
  })

  it("reads a multipart/report holding the feedback document", () => {
    const mime = `Content-Type: multipart/report; report-type=dmarc-aggregate; boundary=r\n\n${multipartBody("r", [
      part(["Content-Type: text/plain"], "Aggregate report."),
      part(["Content-Type: application/gzip", "Content-Transfer-Encoding: base64"], base64Lines(gzipSync(strToU8(dmarcAggregateXml()))))
    ])}`
    expect(detectReport(crlf(mime))).toStrictEqual(GOOGLE_REPORT)
  })

  it("reads namespaced (DMARCbis) documents and leaves out absent optional fields", () => {
    const xml = `<?xml version="1.0"?>
<dmarc:feedback xmlns:dmarc="urn:ietf:params:xml:ns:dmarc-2.0">
  <dmarc:report_metadata><dmarc:org_name>Example &amp; Co</dmarc:org_name><dmarc:report_id>r-1</dmarc:report_id>
    <dmarc:date_range><dmarc:begin> 10 </dmarc:begin><dmarc:end>20</dmarc:end></dmarc:date_range></dmarc:report_metadata>
  <dmarc:policy_published><dmarc:domain>example.org</dmarc:domain></dmarc:policy_published>
  <dmarc:record><dmarc:row><dmarc:count>7</dmarc:count></dmarc:row></dmarc:record>
</dmarc:feedback>`
    expect(detectReport(singlePart(["Content-Type: text/xml"], xml))).toStrictEqual({
      type: "dmarc",
      orgName: "Example & Co",
      reportId: "r-1",
      dateRange: { begin: 10, end: 20 },
      domain: "example.org",
      recordCount: 1,
      messageCount: 7
    })
  })

  it("counts a report without records as zero", () => {
    const xml = dmarcAggregateXml({ records: [] })
    expect(detectReport(singlePart(["Content-Type: text/xml"], xml))).toMatchObject({ recordCount: 0, messageCount: 0 })
  })

  it.each([
    ["another XML document", "<invoice><total>10</total></invoice>"],
    ["a feedback document without report_id", dmarcAggregateXml().replace(/<report_id>.*<\/report_id>/, "")],
    ["a feedback document without its domain", dmarcAggregateXml().replace(/<domain>example.com<\/domain>\n    <adkim>/, "<adkim>")],
    ["a feedback document with a non-numeric date", dmarcAggregateXml().replace("<begin>1700000000</begin>", "<begin>yesterday</begin>")],
    ["text that is no XML", "hello <<< world"],
    ["nothing", ""]
  ])("does not take %s for a report", (_, xml) => {
    expect(detectReport(singlePart(["Content-Type: text/xml"], xml))).toBeUndefined()
  })

  it("ignores XML in a text/plain part", () => {
    expect(detectReport(singlePart(["Content-Type: text/plain"], dmarcAggregateXml()))).toBeUndefined()
  })

  it("refuses a zip bomb: a member that inflates past the bound is not read", () => {
    const padding = "<!-- " + " ".repeat(25 * 1024 * 1024) + " -->"
    const bomb = gzipSync(strToU8(dmarcAggregateXml() + padding), { level: 9 })
    expect(bomb.length).toBeLessThan(100_000)
    expect(detectReport(singlePart(["Content-Type: application/gzip", "Content-Transfer-Encoding: base64"], base64Lines(bomb)))).toBeUndefined()
  })

  it("reads a zip holding other files next to the XML one, and one whose only file has another name", () => {
    const xml = strToU8(dmarcAggregateXml())
    const withReadme = zipSync({ "README.txt": strToU8("hi"), "dir/": {}, "report.xml": xml })
    const onlyFile = zipSync({ "report": xml }, { level: 0 })
    for (const zip of [withReadme, onlyFile]) {
      expect(detectReport(singlePart(["Content-Type: application/zip", "Content-Transfer-Encoding: base64"], base64Lines(zip)))).toStrictEqual(GOOGLE_REPORT)
    }
  })
})

describe("DMARC aggregate reports as real reporters send them", () => {
  const REPORTER = "dmarc-noreply@reports.example.net"
  const xmlFrom = (orgName: string, email = REPORTER) => dmarcAggregateXml({ orgName, email })

  it.each([
    ["empty", ""],
    ["self-closed", "SELF-CLOSED"],
    ["only blanks", "  \n  "]
  ])("takes the domain of <email> for an org_name that is %s, as parsedmarc does", (_, orgName) => {
    const xml = xmlFrom(orgName).replace("<org_name>SELF-CLOSED</org_name>", "<org_name/>")
    const expected = { ...GOOGLE_REPORT, orgName: "reports.example.net", email: REPORTER }
    expect(detectReport(gzipDmarcReport({ xml }))).toStrictEqual(expected)
    expect(detectReport(googleDmarcReport({ xml, lineEnding: "\n" }))).toStrictEqual(expected)
  })

  it.each([
    ["a mailto: URI", "mailto:dmarc@reports.example.net", "reports.example.net"],
    ["a name and angle brackets, upper case", "DMARC Reports &lt;Dmarc@Reports.Example.NET&gt;", "reports.example.net"],
    ["a trailing dot and blanks", "  dmarc@reports.example.net. ", "reports.example.net"]
  ])("reads the domain from an <email> written as %s", (_, email, orgName) => {
    expect(detectReport(gzipDmarcReport({ xml: xmlFrom("", email) }))).toMatchObject({ type: "dmarc", orgName })
  })

  it.each([
    ["no <email>", dmarcAggregateXml({ orgName: "" }).replace(/<email>.*<\/email>/, "")],
    ["an empty <email>", xmlFrom("", "")],
    ["an <email> without @", xmlFrom("", "postmaster")],
    ["an <email> with nothing after @", xmlFrom("", "dmarc@")],
    ["no <org_name> at all (parsedmarc refuses it too)", dmarcAggregateXml().replace(/<org_name>.*<\/org_name>/, "")]
  ])("refuses an org_name it cannot fill: %s", (_, xml) => {
    expect(detectReport(gzipDmarcReport({ xml }))).toBeUndefined()
  })

  it("reads the <feedback> inside an <xs:schema> wrapper that is never closed", () => {
    const xml = schemaWrappedXml(dmarcAggregateXml())
    expect(xml).toMatch(/^<\?xml[^>]*\?>\n<xs:schema /)
    expect(xml).not.toContain("</xs:schema>")
    expect(detectReport(gzipDmarcReport({ xml }))).toStrictEqual(GOOGLE_REPORT)
    expect(detectReport(googleDmarcReport({ xml }))).toStrictEqual(GOOGLE_REPORT)
  })

  it.each([
    ["a closed <xs:schema>", `${schemaWrappedXml(dmarcAggregateXml())}</xs:schema>\n`],
    ["a <dmarc> element", dmarcAggregateXml().replace("<feedback>", "<dmarc><feedback>").replace("</feedback>", "</feedback></dmarc>")],
    ["a wrapper after a comment, no declaration", `<!-- generated -->\n<report>${dmarcAggregateXml().replace(/^<\?xml[^>]*\?>/, "")}</report>`]
  ])("reads the <feedback> inside %s", (_, xml) => {
    expect(detectReport(singlePart(["Content-Type: text/xml"], xml))).toStrictEqual(GOOGLE_REPORT)
  })

  it("reads a wrapped namespaced document with an empty org_name", () => {
    const xml = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
<dmarc:feedback xmlns:dmarc="urn:ietf:params:xml:ns:dmarc-2.0">
  <dmarc:report_metadata><dmarc:org_name/><dmarc:email>dmarc@mx.example.org</dmarc:email><dmarc:report_id>r-1</dmarc:report_id>
    <dmarc:date_range><dmarc:begin>10</dmarc:begin><dmarc:end>20</dmarc:end></dmarc:date_range></dmarc:report_metadata>
  <dmarc:policy_published><dmarc:domain>example.org</dmarc:domain></dmarc:policy_published>
</dmarc:feedback>`
    expect(detectReport(singlePart(["Content-Type: text/xml"], xml))).toStrictEqual({
      type: "dmarc",
      orgName: "mx.example.org",
      email: "dmarc@mx.example.org",
      reportId: "r-1",
      dateRange: { begin: 10, end: 20 },
      domain: "example.org",
      recordCount: 0,
      messageCount: 0
    })
  })

  it.each([
    ["two wrappers deep", `<outer><inner>${dmarcAggregateXml().replace(/^<\?xml[^>]*\?>/, "")}</inner></outer>`],
    ["an unterminated attribute", dmarcAggregateXml().replace("<feedback>", "<feedback xmlns=\"urn:x>")],
    ["an unterminated attribute in the wrapper", schemaWrappedXml(dmarcAggregateXml()).replace("elementFormDefault=\"qualified\"", "elementFormDefault=\"qualified")],
    ["a CDATA section never closed", schemaWrappedXml(dmarcAggregateXml()).replace("<report_metadata>", "<report_metadata><![CDATA[")],
    ["broken tag names", schemaWrappedXml(dmarcAggregateXml()).replace("<report_metadata>", "<report_metadata<")],
    ["a wrapper holding text, not the document", `<xs:schema>${dmarcAggregateXml().replace(/^<\?xml[^>]*\?>/, "").replace(/</g, "&lt;")}`]
  ])("still refuses a document that is malformed or not where a report is: %s", (_, xml) => {
    expect(detectReport(singlePart(["Content-Type: text/xml"], xml))).toBeUndefined()
  })
})

describe("messages that are no report", () => {
  it.each([
    ["a plain text message", plainTextMessage()],
    ["a plain text message with LF", plainTextMessage({ lineEnding: "\n" })],
    ["an empty message", new Uint8Array()],
    ["a multipart without boundary", crlf("Content-Type: multipart/mixed\n\n--x\nContent-Type: text/xml\n\n<feedback/>\n--x--\n")],
    ["a body that is binary junk", Uint8Array.from({ length: 512 }, (_, i) => (i * 151) & 0xff)]
  ])("%s", (_, mime) => {
    expect(detectReport(mime)).toBeUndefined()
  })

  it("a DSN content type without any body is a DSN without recipients", () => {
    expect(detectReport(crlf("Subject: hi\nContent-Type: multipart/report; report-type=delivery-status"))).toStrictEqual({
      type: "dsn",
      recipients: []
    })
  })

  it("a truncated bounce is still a DSN, with the recipients that survived", () => {
    const whole = postfixBounce()
    const cut = new TextDecoder().decode(whole).indexOf("Final-Recipient: rfc822; slow@")
    const report = detectReport(whole.subarray(0, cut))
    expect(report).toMatchObject({ type: "dsn", recipients: [{ finalRecipient: "nobody@example.org" }] })
  })
})
