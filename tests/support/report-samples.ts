import { gzipSync, strToU8, zipSync } from "fflate"

/**
 * Test-only: report messages shaped like the ones real senders write (Postfix, Exim and Exchange
 * Online bounces, a gateway's multipart/mixed bounce, Google's and Microsoft's DMARC aggregate
 * reports), what relays and people do to them (a footer wrapped around, a forward as an
 * attachment), plus near misses (a plain message, an MDN). Written from the RFCs and the shapes
 * these senders use, with example.* names and documentation addresses.
 * Every builder writes its text with LF and turns it into the requested line ending at the end;
 * binary content is base64, so that is safe.
 */

export type LineEnding = "\r\n" | "\n"

export interface SampleOptions {
  readonly lineEnding?: LineEnding
}

const withLineEnding = (text: string, lineEnding: LineEnding = "\r\n"): Uint8Array =>
  new TextEncoder().encode(lineEnding === "\n" ? text : text.replace(/\n/g, "\r\n"))

/** Base64 in lines of 76 characters, as RFC 2045 §6.8 asks. */
export const base64Lines = (bytes: Uint8Array): string =>
  (Buffer.from(bytes).toString("base64").match(/.{1,76}/g) ?? []).join("\n")

/** A body part: its header lines, an empty line, its content. */
export const part = (headers: ReadonlyArray<string>, content: string): string => `${headers.join("\n")}\n\n${content}`

/** A multipart body (RFC 2046 §5.1) with a preamble, the parts, and the close delimiter. */
export const multipartBody = (boundary: string, parts: ReadonlyArray<string>, preamble = ""): string =>
  `${preamble}${parts.map((p) => `\n--${boundary}\n${p}`).join("")}\n--${boundary}--\n`

// ---------------------------------------------------------------------------------------------
// Delivery status notifications

export interface RecipientGroup {
  readonly finalRecipient: string
  readonly originalRecipient?: string
  readonly action: string
  readonly status: string
  /** written as is; may hold line breaks followed by blanks (folds) */
  readonly diagnosticCode?: string
  readonly remoteMta?: string
}

const recipientFields = (group: RecipientGroup): string =>
  [
    `Final-Recipient: rfc822; ${group.finalRecipient}`,
    ...(group.originalRecipient === undefined ? [] : [`Original-Recipient: rfc822;${group.originalRecipient}`]),
    `Action: ${group.action}`,
    `Status: ${group.status}`,
    ...(group.remoteMta === undefined ? [] : [`Remote-MTA: dns; ${group.remoteMta}`]),
    ...(group.diagnosticCode === undefined ? [] : [`Diagnostic-Code: ${group.diagnosticCode}`])
  ].join("\n")

export const POSTFIX_BOUNDARY = "4Sx1Yz2kLmz9sT.1700129702/mx.example.net"

export const POSTFIX_RECIPIENTS: ReadonlyArray<RecipientGroup> = [
  {
    finalRecipient: "nobody@example.org",
    originalRecipient: "nobody@example.org",
    action: "failed",
    status: "5.1.1",
    remoteMta: "mail.example.org",
    diagnosticCode: "smtp; 550 5.1.1 <nobody@example.org>: Recipient address\n    rejected: User unknown"
  },
  {
    finalRecipient: "slow@example.com",
    originalRecipient: "slow@example.com",
    action: "delayed",
    status: "4.4.1",
    diagnosticCode: "X-Postfix; connect to mx.example.com[198.51.100.7]:25:\n    Connection timed out"
  }
]

export interface BounceOptions extends SampleOptions {
  /** what follows `Content-Type:` on the top-level header, the boundary included */
  readonly contentType?: string
  readonly recipients?: ReadonlyArray<RecipientGroup>
  /** the per-message field lines of the delivery-status part */
  readonly perMessageFields?: ReadonlyArray<string>
  /** the delivery-status part's media type */
  readonly statusMediaType?: string
  /** what separates the field groups: a blank line as RFC 3464 asks, or a bare line break as some appliances write */
  readonly groupSeparator?: string
}

/** A bounce the way Postfix writes it: notification text, delivery-status, the returned headers. */
export const postfixBounce = (options: BounceOptions = {}): Uint8Array => {
  const recipients = options.recipients ?? POSTFIX_RECIPIENTS
  const perMessage = options.perMessageFields ?? [
    "Reporting-MTA: dns; mx.example.net",
    "X-Postfix-Queue-ID: 4Sx1Yz2kLmz9sT",
    "X-Postfix-Sender: rfc822; bounces@example.com",
    "Arrival-Date: Thu, 16 Nov 2023 10:14:58 +0000 (UTC)"
  ]
  const notification = part(
    ["Content-Description: Notification", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"],
    [
      "This is the mail system at host mx.example.net.",
      "",
      "I'm sorry to have to inform you that your message could not",
      "be delivered to one or more recipients. It's attached below.",
      "",
      "For further assistance, please send mail to postmaster.",
      "",
      "                   The mail system",
      "",
      "<nobody@example.org>: host mail.example.org[203.0.113.25] said: 550 5.1.1",
      "    <nobody@example.org>: Recipient address rejected: User unknown (in reply to",
      "    RCPT TO command)",
      ""
    ].join("\n")
  )
  const deliveryStatus = part(
    ["Content-Description: Delivery report", `Content-Type: ${options.statusMediaType ?? "message/delivery-status"}`],
    `${[perMessage.join("\n"), ...recipients.map(recipientFields)].join(options.groupSeparator ?? "\n\n")}\n`
  )
  const returnedHeaders = part(
    ["Content-Description: Undelivered Message Headers", "Content-Type: text/rfc822-headers", "Content-Transfer-Encoding: 8bit"],
    [
      "Return-Path: <bounces@example.com>",
      "Received: from app.example.com (app.example.com [192.0.2.10])",
      "\tby mx.example.net (Postfix) with ESMTPS id 4Sx1Yz2kLmz9sT",
      "\tfor <nobody@example.org>; Thu, 16 Nov 2023 10:14:58 +0000 (UTC)",
      "From: News <news@example.com>",
      "To: nobody@example.org",
      "Subject: November newsletter",
      "Message-ID: <newsletter-2023-11@example.com>"
    ].join("\n")
  )
  const message = [
    "Return-Path: <>",
    "Received: by mx.example.net (Postfix)",
    "\tid 4Sx1Yz2kLmz9sT; Thu, 16 Nov 2023 10:15:02 +0000 (UTC)",
    "Date: Thu, 16 Nov 2023 10:15:02 +0000 (UTC)",
    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)",
    "Subject: Undelivered Mail Returned to Sender",
    "To: bounces@example.com",
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: ${options.contentType ?? `multipart/report; report-type=delivery-status;\n\tboundary="${POSTFIX_BOUNDARY}"`}`,
    "Content-Transfer-Encoding: 8bit",
    "Message-Id: <20231116101502.4Sx1Yz2kLmz9sT@mx.example.net>",
    "",
    multipartBody(POSTFIX_BOUNDARY, [notification, deliveryStatus, returnedHeaders], "This is a MIME-encapsulated message.\n")
  ].join("\n")
  return withLineEnding(message, options.lineEnding)
}

export const EXIM_BOUNDARY = "1700129702-eximdsn-1804289383"

/** Exim's delivery-status: no Arrival-Date, each recipient group led by Action, `rfc822;` without a blank. */
export const EXIM_DELIVERY_STATUS = [
  "Reporting-MTA: dns; mail.example.net",
  "",
  "Action: failed",
  "Final-Recipient: rfc822;gone@example.org",
  "Status: 5.0.0",
  "Remote-MTA: dns; mx.example.org",
  "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected:",
  "  User unknown in virtual mailbox table",
  "",
  "Action: delayed",
  "Final-Recipient: rfc822;later@example.com",
  "Status: 4.0.0",
  "Remote-MTA: dns; mx.example.com",
  "Diagnostic-Code: smtp; 451 4.7.1 Greylisted, please try again in 300 seconds",
  "Will-Retry-Until: Sat, 18 Nov 2023 10:15:02 +0000",
  ""
].join("\n")

export interface EximBounceOptions extends SampleOptions {
  /** what follows `Content-type:` on the top-level header, the boundary included */
  readonly contentType?: string
  /** the delivery-status part's text (LF line endings) */
  readonly deliveryStatus?: string
}

/** A bounce the way Exim writes it: its own header case (`Content-type`), text, delivery-status, the message. */
export const eximBounce = (options: EximBounceOptions = {}): Uint8Array => {
  const message = [
    "Return-path: <>",
    "Received: from Debian-exim by mail.example.net with local (Exim 4.96)",
    "\tid 1r3aBc-000123-0A",
    "\tfor bounces@example.com;",
    "\tThu, 16 Nov 2023 10:15:02 +0000",
    "X-Failed-Recipients: gone@example.org",
    "Auto-Submitted: auto-replied",
    "From: Mail Delivery System <Mailer-Daemon@mail.example.net>",
    "To: bounces@example.com",
    `Content-type: ${options.contentType ?? `multipart/report; report-type=delivery-status; boundary=${EXIM_BOUNDARY}`}`,
    "MIME-Version: 1.0",
    "Subject: Mail delivery failed: returning message to sender",
    "Message-Id: <E1r3aBc-000123-0A@mail.example.net>",
    "Date: Thu, 16 Nov 2023 10:15:02 +0000",
    "",
    multipartBody(EXIM_BOUNDARY, [
      part(
        ["Content-type: text/plain; charset=us-ascii"],
        [
          "This message was created automatically by mail delivery software.",
          "",
          "A message that you sent could not be delivered to one or more of its",
          "recipients. This is a permanent error. The following address(es) failed:",
          "",
          "  gone@example.org",
          "    host mx.example.org [203.0.113.25]",
          "    SMTP error from remote mail server after RCPT TO:<gone@example.org>:",
          "    550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown",
          ""
        ].join("\n")
      ),
      part(["Content-type: message/delivery-status"], options.deliveryStatus ?? EXIM_DELIVERY_STATUS),
      part(
        ["Content-type: message/rfc822"],
        [
          "Received: from app.example.com ([192.0.2.10])",
          "\tby mail.example.net with esmtps (Exim 4.96)",
          "\tid 1r3aBb-000122-2c; Thu, 16 Nov 2023 10:15:01 +0000",
          "From: News <news@example.com>",
          "To: gone@example.org, later@example.com",
          "Subject: November newsletter",
          "Message-ID: <newsletter-2023-11@example.com>",
          "",
          "Hello.",
          ""
        ].join("\n")
      )
    ])
  ].join("\n")
  return withLineEnding(message, options.lineEnding)
}

export const EXCHANGE_BOUNDARY = "ac4c6b2e-1f0e-4f7a-9a53-6a1d2bc07d11"
export const EXCHANGE_REPORTING_MTA = "AM0PR01MB1234.eurprd01.prod.exchangelabs.com"

/** Exchange Online's (Outlook.com's) non-delivery report: text and HTML as multipart/alternative, delivery-status, the returned message. */
export const exchangeOnlineBounce = (options: SampleOptions = {}): Uint8Array => {
  const alternative = "8b1f4c2d-7e6a-4b0c-9d3e-2f5a1c6b7d80"
  const message = [
    "Received: from AM0PR01MB1234.eurprd01.prod.exchangelabs.com ([::1]) by",
    ` ${EXCHANGE_REPORTING_MTA} ([::1]) with mapi id 15.20.7002.027;`,
    " Mon, 20 Nov 2023 09:12:45 +0000",
    "MIME-Version: 1.0",
    "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com>",
    "To: <sender@example.com>",
    "Date: Mon, 20 Nov 2023 09:12:45 +0000",
    `Content-Type: multipart/report; report-type=delivery-status;`,
    `\tboundary="${EXCHANGE_BOUNDARY}"`,
    "X-MS-Exchange-Message-Is-Ndr: ",
    "Content-Language: en-US",
    "Message-ID: <a1b2c3d4-0000-4000-8000-ndr@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>",
    "In-Reply-To: <quarterly-figures@example.com>",
    "References: <quarterly-figures@example.com>",
    "Thread-Topic: Quarterly figures",
    "Subject: Undeliverable: Quarterly figures",
    "Auto-Submitted: auto-replied",
    "",
    multipartBody(EXCHANGE_BOUNDARY, [
      part(
        [`Content-Type: multipart/alternative; differences=Content-Type;`, `\tboundary="${alternative}"`],
        multipartBody(alternative, [
          part(
            ["Content-Type: text/plain; charset=\"us-ascii\"", "Content-Transfer-Encoding: quoted-printable"],
            [
              "Your message to missing@example.org couldn't be delivered.",
              "missing wasn't found at example.org.",
              "",
              "Remote server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipien=",
              "t not found by SMTP address lookup'"
            ].join("\n")
          ),
          part(
            ["Content-Type: text/html; charset=\"us-ascii\"", "Content-Transfer-Encoding: quoted-printable"],
            "<html><body><p>Your message to missing@example.org couldn't be delivered.</p></body></html>"
          )
        ])
      ),
      part(
        ["Content-Type: message/delivery-status"],
        [
          `Reporting-MTA: dns;${EXCHANGE_REPORTING_MTA}`,
          "Received-From-MTA: dns;AM0PR01MB5678.eurprd01.prod.exchangelabs.com",
          "Arrival-Date: Mon, 20 Nov 2023 09:12:44 +0000",
          "",
          "Final-Recipient: rfc822;missing@example.org",
          "Action: failed",
          "Status: 5.1.10",
          "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
          "X-Display-Name: missing@example.org",
          ""
        ].join("\n")
      ),
      part(
        ["Content-Type: message/rfc822"],
        [
          "From: Sender <sender@example.com>",
          "To: missing@example.org",
          "Subject: Quarterly figures",
          "Message-ID: <quarterly-figures@example.com>",
          "Content-Type: text/plain; charset=utf-8",
          "",
          "Please find the figures below.",
          ""
        ].join("\n")
      )
    ])
  ].join("\n")
  return withLineEnding(message, options.lineEnding)
}

/** A bounce a filtering gateway writes as multipart/mixed, the delivery-status part directly in it. */
export const gatewayMixedBounce = (options: SampleOptions = {}): Uint8Array => {
  const boundary = "gw-7f3a9c1e"
  const message = [
    "From: Mail Delivery Subsystem <MAILER-DAEMON@gw.example.net>",
    "To: <bounces@example.com>",
    "Subject: Returned mail: see transcript for details",
    "Date: Thu, 16 Nov 2023 10:20:00 +0000",
    "Auto-Submitted: auto-generated (failure)",
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    multipartBody(boundary, [
      part(
        ["Content-Type: text/plain; charset=us-ascii"],
        "The original message was received at Thu, 16 Nov 2023 10:19:58 +0000\nfrom app.example.com [192.0.2.10]\n\n   ----- The following addresses had permanent fatal errors -----\n<gone@example.org>\n"
      ),
      part(
        ["Content-Type: message/delivery-status"],
        [
          "Reporting-MTA: dns; gw.example.net",
          "Arrival-Date: Thu, 16 Nov 2023 10:19:58 +0000",
          "",
          "Final-Recipient: RFC822; gone@example.org",
          "Action: failed",
          "Status: 5.1.1",
          "Remote-MTA: DNS; mx.example.org",
          "Diagnostic-Code: SMTP; 550 5.1.1 <gone@example.org>... User unknown",
          "Last-Attempt-Date: Thu, 16 Nov 2023 10:20:00 +0000",
          ""
        ].join("\n")
      ),
      part(
        ["Content-Type: text/rfc822-headers"],
        "From: News <news@example.com>\nTo: gone@example.org\nSubject: November newsletter\n"
      )
    ])
  ].join("\n")
  return withLineEnding(message, options.lineEnding)
}

/** The header block and the body of a message written with LF. */
const headerAndBody = (message: Uint8Array): { readonly header: ReadonlyArray<string>; readonly body: string } => {
  const text = new TextDecoder().decode(message).replace(/\r\n/g, "\n")
  const end = text.indexOf("\n\n")
  return { header: (end === -1 ? text : text.slice(0, end)).split("\n"), body: end === -1 ? "" : text.slice(end + 2) }
}

/** The header fields (with their continuation lines) for which `keep` holds. */
const fieldsWhere = (header: ReadonlyArray<string>, keep: (name: string) => boolean): Array<string> => {
  const kept: Array<string> = []
  let keeping = false
  for (const line of header) {
    if (!/^[ \t]/.test(line)) keeping = keep(line.slice(0, line.indexOf(":")).trim().toLowerCase())
    if (keeping) kept.push(line)
  }
  return kept
}

const CONTENT_FIELDS = new Set(["content-type", "content-transfer-encoding"])

export interface WrapOptions extends SampleOptions {
  /** whole body parts (header lines, empty line, content) before the message's own body */
  readonly before?: ReadonlyArray<string>
  /** whole body parts after it */
  readonly after?: ReadonlyArray<string>
  readonly boundary?: string
}

/**
 * The message made a multipart/mixed: its own body, with its Content-Type, becomes one part among
 * the given ones; its other header fields stay on top. Applied to a message written by one of the
 * builders here, with LF line endings.
 */
export const wrappedInMixed = (message: Uint8Array, options: WrapOptions = {}): Uint8Array => {
  const { header, body } = headerAndBody(message)
  const boundary = options.boundary ?? `----=_wrap_${header.length}_${body.length}`
  const wrapped = [
    ...fieldsWhere(header, (name) => !CONTENT_FIELDS.has(name) && name !== "mime-version"),
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    multipartBody(boundary, [...(options.before ?? []), part(fieldsWhere(header, (name) => CONTENT_FIELDS.has(name)), body), ...(options.after ?? [])])
  ].join("\n")
  return withLineEnding(wrapped, options.lineEnding)
}

export const GATEWAY_FOOTER = part(["Content-Type: text/plain; charset=us-ascii"], "--\nScanned for viruses by the example.net mail gateway.\n")

/** The message as a relay that adds a footer leaves it: a multipart/mixed, the message's body first, the footer after it. */
export const footerWrapped = (message: Uint8Array, options: SampleOptions = {}): Uint8Array =>
  wrappedInMixed(message, { ...options, after: [GATEWAY_FOOTER] })

/** The message forwarded as an attachment, the way Outlook does it: a note, and the message as message/rfc822. */
export const forwardedAsAttachment = (message: Uint8Array, options: SampleOptions = {}): Uint8Array => {
  const { header, body } = headerAndBody(message)
  const boundary = "_004_fwd_AM0PR01MB9999eurprd01prod_"
  const alternative = "_000_fwd_AM0PR01MB9999eurprd01prod_"
  const forward = [
    "From: Sender <sender@example.com>",
    "To: Postmaster <postmaster@example.com>",
    "Subject: FW: Undeliverable: Quarterly figures",
    "Date: Mon, 20 Nov 2023 09:30:00 +0000",
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    multipartBody(boundary, [
      part(
        [`Content-Type: multipart/alternative; boundary="${alternative}"`],
        multipartBody(alternative, [
          part(["Content-Type: text/plain; charset=\"us-ascii\""], "Can you have a look at this bounce?\n"),
          part(["Content-Type: text/html; charset=\"us-ascii\""], "<p>Can you have a look at this bounce?</p>\n")
        ])
      ),
      part(["Content-Type: message/rfc822", "Content-Disposition: attachment; filename=\"Undeliverable.eml\""], `${header.join("\n")}\n\n${body}`)
    ])
  ].join("\n")
  return withLineEnding(forward, options.lineEnding)
}

// ---------------------------------------------------------------------------------------------
// DMARC aggregate reports

export interface DmarcRecord {
  readonly sourceIp: string
  readonly count: number
  readonly disposition: string
  readonly dkim: "pass" | "fail"
  readonly spf: "pass" | "fail"
}

export const GOOGLE_REPORT_ID = "13099227837464219935"

export const GOOGLE_RECORDS: ReadonlyArray<DmarcRecord> = [
  { sourceIp: "209.85.220.41", count: 12, disposition: "none", dkim: "pass", spf: "pass" },
  { sourceIp: "198.51.100.23", count: 3, disposition: "none", dkim: "fail", spf: "fail" }
]

export interface FeedbackOptions {
  readonly reportId?: string
  readonly records?: ReadonlyArray<DmarcRecord>
  /** what `<org_name>` holds; empty as some reporters send it */
  readonly orgName?: string
  readonly email?: string
}

const recordXml = (record: DmarcRecord): string => `  <record>
    <row>
      <source_ip>${record.sourceIp}</source_ip>
      <count>${record.count}</count>
      <policy_evaluated>
        <disposition>${record.disposition}</disposition>
        <dkim>${record.dkim}</dkim>
        <spf>${record.spf}</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>example.com</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>example.com</domain>
        <result>${record.dkim}</result>
        <selector>google</selector>
      </dkim>
      <spf>
        <domain>example.com</domain>
        <result>${record.spf}</result>
      </spf>
    </auth_results>
  </record>
`

/** The `<feedback>` document Google sends for example.com, one day in November 2023. */
export const dmarcAggregateXml = (options: FeedbackOptions = {}): string => `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata>
    <org_name>${options.orgName ?? "google.com"}</org_name>
    <email>${options.email ?? "noreply-dmarc-support@google.com"}</email>
    <extra_contact_info>https://support.google.com/a/answer/2466580</extra_contact_info>
    <report_id>${options.reportId ?? GOOGLE_REPORT_ID}</report_id>
    <date_range>
      <begin>1700000000</begin>
      <end>1700086399</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>example.com</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>none</p>
    <sp>none</sp>
    <pct>100</pct>
    <np>none</np>
  </policy_published>
${(options.records ?? GOOGLE_RECORDS).map(recordXml).join("")}</feedback>
`

/**
 * The document inside an `<xs:schema>` element that is never closed, as some reporters write it
 * (parsedmarc strips such tags before it parses).
 */
export const schemaWrappedXml = (xml: string): string =>
  xml.replace(/^(<\?xml[^>]*\?>\n?)?/, (declaration) =>
    `${declaration}<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">\n`)

export const GOOGLE_ZIP_NAME = "google.com!example.com!1700000000!1700086399.zip"

export interface DmarcMessageOptions extends SampleOptions {
  readonly xml?: string
}

/** Google's way: multipart/mixed, a zip attachment holding one XML file. */
export const googleDmarcReport = (options: DmarcMessageOptions = {}): Uint8Array => {
  const xml = options.xml ?? dmarcAggregateXml()
  const zip = zipSync({ [GOOGLE_ZIP_NAME.replace(/\.zip$/, ".xml")]: strToU8(xml) })
  const boundary = "000000000000a1b2c3d4e5f60708"
  const message = [
    "Return-Path: <3jk1ZZQ4KCpkdpfkibbdpf.hTnqtibbdpf@scoutcamp.bounces.google.com>",
    "MIME-Version: 1.0",
    "Date: Thu, 16 Nov 2023 15:59:59 -0800",
    `Message-ID: <${GOOGLE_REPORT_ID}@google.com>`,
    `Subject: Report domain: example.com Submitter: google.com Report-ID: ${GOOGLE_REPORT_ID}`,
    "From: noreply-dmarc-support@google.com",
    "To: dmarc-reports@example.com",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    multipartBody(boundary, [
      part(["Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes"], "\n"),
      part(
        [
          `Content-Type: application/zip; \n\tname="${GOOGLE_ZIP_NAME}"`,
          `Content-Disposition: attachment; \n\tfilename="${GOOGLE_ZIP_NAME}"`,
          "Content-Transfer-Encoding: base64"
        ],
        base64Lines(zip)
      )
    ])
  ].join("\n")
  return withLineEnding(message, options.lineEnding)
}

export const GZIP_NAME = "enterprise.protection.outlook.com!example.com!1700000000!1700086399.xml.gz"

/** Microsoft's and Yahoo's way: the whole body is the gzip'd XML. */
export const gzipDmarcReport = (options: DmarcMessageOptions = {}): Uint8Array => {
  const gzip = gzipSync(strToU8(options.xml ?? dmarcAggregateXml()), { filename: GZIP_NAME.replace(/\.gz$/, "") })
  const message = [
    "From: DMARC Aggregate Report <dmarcreport@microsoft.com>",
    "To: dmarc-reports@example.com",
    "Subject: Report Domain: example.com Submitter: enterprise.protection.outlook.com Report-ID: 9c4d8a3e2f",
    "Date: Fri, 17 Nov 2023 04:11:32 +0000",
    "Message-ID: <9c4d8a3e2f@enterprise.protection.outlook.com>",
    "MIME-Version: 1.0",
    `Content-Type: application/gzip; name="${GZIP_NAME}"`,
    `Content-Disposition: attachment; filename="${GZIP_NAME}"`,
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(gzip),
    ""
  ].join("\n")
  return withLineEnding(message, options.lineEnding)
}

// ---------------------------------------------------------------------------------------------
// Near misses

export const plainTextMessage = (options: SampleOptions = {}): Uint8Array =>
  withLineEnding(
    [
      "From: Alice <alice@example.com>",
      "To: postmaster@example.net",
      "Subject: Delivery status of my report",
      "Date: Thu, 16 Nov 2023 12:00:00 +0000",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Hello,",
      "",
      "Final-Recipient: rfc822; bob@example.org",
      "Action: failed",
      "Status: 5.1.1",
      "",
      "<feedback><report_metadata><org_name>x</org_name></report_metadata></feedback>",
      ""
    ].join("\n"),
    options.lineEnding
  )

/** A read receipt (RFC 8098): a multipart/report, but not about delivery. */
export const dispositionNotification = (options: SampleOptions = {}): Uint8Array => {
  const boundary = "mdn-3b1f0c"
  return withLineEnding(
    [
      "From: Alice <alice@example.com>",
      "To: bob@example.org",
      "Subject: Read: Quarterly figures",
      "MIME-Version: 1.0",
      `Content-Type: multipart/report; report-type=disposition-notification;\n\tboundary="${boundary}"`,
      "",
      multipartBody(boundary, [
        part(["Content-Type: text/plain; charset=utf-8"], "The message sent to alice@example.com was displayed.\n"),
        part(
          ["Content-Type: message/disposition-notification"],
          [
            "Reporting-UA: mail.example.com; Thunderbird 115.4.2",
            "Original-Recipient: rfc822;alice@example.com",
            "Final-Recipient: rfc822;alice@example.com",
            "Original-Message-ID: <q3-figures@example.org>",
            "Disposition: manual-action/MDN-sent-manually; displayed",
            ""
          ].join("\n")
        )
      ])
    ].join("\n"),
    options.lineEnding
  )
}
