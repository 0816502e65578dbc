import { fieldValue, topLevelHeaderFields, withoutFields } from "./header-block.ts"
import type { HeaderField } from "./header-block.ts"
import { mqTarget } from "./x-mq-targets.ts"
import type { MqTarget } from "./x-mq-targets.ts"

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

/** JSON properties taken from `x-mq-*` headers, to be merged into the published document. */
export type MqProperties = Readonly<Record<string, JsonValue>>

export interface MqExtraction {
  /** the message without its top-level `x-mq-*` headers; the same instance when it had none */
  readonly mime: Uint8Array
  readonly properties: MqProperties
  /** names of removed `x-mq-*` headers that set nothing (server-owned, malformed), for the log */
  readonly ignored: ReadonlyArray<string>
}

const PREFIX = "x-mq-"

const isMqField = (field: HeaderField) => field.name.toLowerCase().startsWith(PREFIX)

const NUMBER = /^-?\d+(\.\d+)?$/

const typedValue = (text: string): JsonValue => {
  if (NUMBER.test(text) && Number.isFinite(Number(text))) return Number(text)
  const lower = text.toLowerCase()
  if (lower === "true") return true
  if (lower === "false") return false
  return text
}

const isObject = (value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const apply = (properties: Record<string, JsonValue>, target: MqTarget, value: string): void => {
  if (target.kind === "list") {
    const items = value.split(target.separator).map((item) => item.trim()).filter((item) => item !== "")
    if (items.length === 0) return
    const existing = properties[target.property]
    properties[target.property] = [...(Array.isArray(existing) ? existing : []), ...items]
    return
  }
  const json = target.typed ? typedValue(value) : value
  if (target.key === undefined) {
    properties[target.property] = json
    return
  }
  const group = properties[target.property]
  properties[target.property] = { ...(isObject(group) ? group : {}), [target.key]: json }
}

/**
 * SPEC §2 with `smtp-extract`: every `x-mq-*` header of the top-level header block leaves the
 * message and becomes a JSON property. Headers of attached messages and the body are not looked
 * at, and every byte that is not part of a removed header stays as it was.
 */
export const extractMqHeaders = (mime: Uint8Array): MqExtraction => {
  const mqFields = topLevelHeaderFields(mime).filter(isMqField)
  const properties: Record<string, JsonValue> = {}
  const ignored: Array<string> = []
  for (const field of mqFields) {
    const target = field.valueStart === undefined ? undefined : mqTarget(field.name.slice(PREFIX.length).toLowerCase())
    if (target === undefined) ignored.push(field.name)
    else apply(properties, target, fieldValue(mime, field))
  }
  return { mime: withoutFields(mime, mqFields), properties, ignored }
}
