import { bytesToText } from "./text.ts"

/** A structured header value such as Content-Type's: `value; name=value; name="quoted value"`. */
export interface ParameterizedValue {
  /** the part before the first `;`, comments removed, trimmed */
  readonly value: string
  /** lower-case names; RFC 2231 continuations and charsets resolved */
  readonly parameters: ReadonlyMap<string, string>
}

/** Splits at `;` outside quoted strings, drops (comments), and unquotes quoted strings. */
const splitAtSemicolons = (text: string): Array<string> => {
  const pieces: Array<string> = []
  let current = ""
  let inQuotes = false
  let commentDepth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? ""
    if (inQuotes) {
      if (c === "\\" && i + 1 < text.length) current += text[++i] ?? ""
      else if (c === "\"") inQuotes = false
      else current += c
    } else if (commentDepth > 0) {
      if (c === "\\") i++
      else if (c === "(") commentDepth++
      else if (c === ")") commentDepth--
    } else if (c === "\"") {
      inQuotes = true
    } else if (c === "(") {
      commentDepth = 1
    } else if (c === ";") {
      pieces.push(current)
      current = ""
    } else {
      current += c
    }
  }
  pieces.push(current)
  return pieces
}

const percentDecoded = (text: string): string => {
  const bytes: Array<number> = []
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3)
    if (text[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(text.charCodeAt(i) & 0xff)
    }
  }
  return bytesToText(Uint8Array.from(bytes))
}

interface Section {
  readonly index: number
  readonly encoded: boolean
  readonly value: string
}

/** RFC 2231: `name*=charset'lang'%xx`, `name*0=…; name*1*=%xx…`, joined in index order. */
const joinedSections = (sections: ReadonlyArray<Section>): string =>
  [...sections]
    .sort((a, b) => a.index - b.index)
    .map((section, position) => {
      if (!section.encoded) return section.value
      const value = position === 0 ? section.value.replace(/^[^']*'[^']*'/, "") : section.value
      return percentDecoded(value)
    })
    .join("")

export const parseParameterizedValue = (headerValue: string): ParameterizedValue => {
  const [first, ...rest] = splitAtSemicolons(headerValue)
  const plain = new Map<string, string>()
  const extended = new Map<string, Array<Section>>()
  for (const piece of rest) {
    const equals = piece.indexOf("=")
    if (equals <= 0) continue
    const rawName = piece.slice(0, equals).trim().toLowerCase()
    const value = piece.slice(equals + 1).trim()
    const section = /^(.+?)\*(?:(\d{1,3})(\*)?|)$/.exec(rawName)
    if (section === null) {
      if (!plain.has(rawName)) plain.set(rawName, value)
      continue
    }
    const [, name = "", index, star] = section
    const encoded = index === undefined || star === "*"
    const sections = extended.get(name) ?? []
    sections.push({ index: index === undefined ? 0 : Number(index), encoded, value })
    extended.set(name, sections)
  }
  const parameters = new Map(plain)
  for (const [name, sections] of extended) parameters.set(name, joinedSections(sections))
  return { value: (first ?? "").trim(), parameters }
}
