import { fieldValue, topLevelHeaderFields } from "../message/header-block.ts"
import type { HeaderField } from "../message/header-block.ts"
import { parseParameterizedValue } from "./header-parameters.ts"

/** One MIME entity (a whole message or one body part): what its headers say, and its body. */
export interface MimeEntity {
  /** lower-case `type/subtype`; `text/plain` when absent or unreadable (RFC 2045 §5.2) */
  readonly mediaType: string
  /** Content-Type's parameters, lower-case names */
  readonly parameters: ReadonlyMap<string, string>
  /** lower case; `7bit` when absent */
  readonly transferEncoding: string
  /** Content-Disposition's filename, else Content-Type's name */
  readonly filename: string | undefined
  /** still transfer-encoded */
  readonly body: Uint8Array
}

const LF = 0x0a
const CR = 0x0d
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/

const firstField = (entity: Uint8Array, fields: ReadonlyArray<HeaderField>, name: string): string | undefined => {
  const field = fields.find((f) => f.name.toLowerCase() === name)
  return field === undefined ? undefined : fieldValue(entity, field)
}

/** Where the body starts: past the empty line that ends the header fields. */
const bodyStart = (entity: Uint8Array, fields: ReadonlyArray<HeaderField>): number => {
  const at = fields.at(-1)?.end ?? 0
  if (entity[at] === LF) return at + 1
  if (entity[at] === CR && entity[at + 1] === LF) return at + 2
  return at
}

export const parseEntity = (entity: Uint8Array): MimeEntity => {
  const fields = topLevelHeaderFields(entity)
  const contentType = parseParameterizedValue(firstField(entity, fields, "content-type") ?? "")
  const disposition = parseParameterizedValue(firstField(entity, fields, "content-disposition") ?? "")
  const mediaType = contentType.value.toLowerCase().replace(/\s+/g, "")
  const transferEncoding = (firstField(entity, fields, "content-transfer-encoding") ?? "").trim().toLowerCase()
  return {
    mediaType: MEDIA_TYPE.test(mediaType) ? mediaType : "text/plain",
    parameters: contentType.parameters,
    transferEncoding: transferEncoding === "" ? "7bit" : transferEncoding,
    filename: disposition.parameters.get("filename") ?? contentType.parameters.get("name"),
    body: entity.subarray(bodyStart(entity, fields))
  }
}
