import { XMLParser } from "fast-xml-parser"
import type { DmarcPolicy, DmarcReport } from "./report.ts"
import { bytesToText } from "./text.ts"

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // report ids, dates and counts stay text, so that long digit strings keep every digit
  parseTagValue: false,
  // some reporters write the elements with a namespace prefix
  removeNSPrefix: true,
  isArray: (name) => name === "record"
})

type Node = Readonly<Record<string, unknown>>

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null && !Array.isArray(value)

/** A repeated element comes as an array; the first one counts. */
const child = (node: Node | undefined, name: string): unknown => {
  const value = node === undefined || !Object.hasOwn(node, name) ? undefined : node[name]
  return Array.isArray(value) ? value[0] : value
}

const childNode = (node: Node | undefined, name: string): Node | undefined => {
  const value = child(node, name)
  return isNode(value) ? value : undefined
}

/** The element's text, trimmed; undefined when absent or empty. */
const childText = (node: Node | undefined, name: string): string | undefined => {
  const value = child(node, name)
  const text = typeof value === "string" ? value : isNode(value) && typeof value["#text"] === "string" ? value["#text"] : ""
  const trimmed = text.trim()
  return trimmed === "" ? undefined : trimmed
}

const childInteger = (node: Node | undefined, name: string): number | undefined => {
  const text = childText(node, name)
  if (text === undefined || !/^\d+$/.test(text)) return undefined
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : undefined
}

const policyOf = (published: Node): DmarcPolicy | undefined => {
  const p = childText(published, "p")
  const sp = childText(published, "sp")
  const pct = childInteger(published, "pct")
  const adkim = childText(published, "adkim")
  const aspf = childText(published, "aspf")
  const policy: DmarcPolicy = {
    ...(p === undefined ? {} : { p }),
    ...(sp === undefined ? {} : { sp }),
    ...(pct === undefined ? {} : { pct }),
    ...(adkim === undefined ? {} : { adkim }),
    ...(aspf === undefined ? {} : { aspf })
  }
  return Object.keys(policy).length === 0 ? undefined : policy
}

const recordsOf = (feedback: Node): ReadonlyArray<unknown> => {
  const records = Object.hasOwn(feedback, "record") ? feedback["record"] : undefined
  return Array.isArray(records) ? records : []
}

const messageCountOf = (record: unknown): number =>
  isNode(record) ? (childInteger(childNode(record, "row"), "count") ?? 0) : 0

/**
 * The `<feedback>` element: the document's root, or a child of its root. Some reporters wrap the
 * document in another element, an `<xs:schema>` they never close among them (parsedmarc strips
 * such tags before it parses); the parser reads an unclosed element up to the end. A `<feedback>`
 * deeper down belongs to some other document and is not looked for.
 */
const feedbackElement = (document: unknown): Node | undefined => {
  if (!isNode(document)) return undefined
  const root = childNode(document, "feedback")
  if (root !== undefined) return root
  for (const value of Object.values(document)) {
    for (const wrapper of Array.isArray(value) ? value : [value]) {
      const wrapped = isNode(wrapper) ? childNode(wrapper, "feedback") : undefined
      if (wrapped !== undefined) return wrapped
    }
  }
  return undefined
}

/** `dmarc@Reports.Example.NET`, `mailto:dmarc@…`, `Name <dmarc@…>` → `reports.example.net`. */
const domainOfEmail = (email: string | undefined): string | undefined => {
  const at = email?.lastIndexOf("@") ?? -1
  if (email === undefined || at === -1) return undefined
  const domain = email.slice(at + 1).replace(/>\s*$/, "").trim().replace(/\.$/, "").toLowerCase()
  return /^[^\s<>@;,"()\[\]]+$/.test(domain) ? domain : undefined
}

/**
 * `<org_name>` as written; when it is there but empty, as some reporters send it, the domain of
 * `<email>` stands in, as parsedmarc does. Without the element, or without an email address to
 * stand in, there is none.
 */
const orgNameOf = (metadata: Node | undefined): string | undefined => {
  if (metadata === undefined || !Object.hasOwn(metadata, "org_name")) return undefined
  return childText(metadata, "org_name") ?? domainOfEmail(childText(metadata, "email"))
}

const parsedXml = (xml: Uint8Array): unknown => {
  try {
    return parser.parse(bytesToText(xml))
  } catch {
    return undefined
  }
}

/**
 * A DMARC aggregate report from its XML `<feedback>` document (RFC 7489 appendix C), or undefined
 * when the document is not one: it is no XML, its `feedback` is neither the root nor the root's
 * child (`feedbackElement`), or org_name (`orgNameOf`), report_id, the date range or the published
 * policy's domain is missing.
 */
export const parseDmarcFeedback = (xml: Uint8Array): DmarcReport | undefined => {
  const feedback = feedbackElement(parsedXml(xml))
  if (feedback === undefined) return undefined
  const metadata = childNode(feedback, "report_metadata")
  const dateRange = childNode(metadata, "date_range")
  const published = childNode(feedback, "policy_published")
  const orgName = orgNameOf(metadata)
  const reportId = childText(metadata, "report_id")
  const begin = childInteger(dateRange, "begin")
  const end = childInteger(dateRange, "end")
  const domain = childText(published, "domain")
  if (published === undefined || orgName === undefined || reportId === undefined) return undefined
  if (begin === undefined || end === undefined || domain === undefined) return undefined
  const records = recordsOf(feedback)
  const email = childText(metadata, "email")
  const policy = policyOf(published)
  return {
    type: "dmarc",
    orgName,
    ...(email === undefined ? {} : { email }),
    reportId,
    dateRange: { begin, end },
    domain,
    ...(policy === undefined ? {} : { policy }),
    recordCount: records.length,
    messageCount: records.reduce<number>((sum, record) => sum + messageCountOf(record), 0)
  }
}
