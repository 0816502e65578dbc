import { fieldValue, topLevelHeaderFields, withoutFields } from "./header-block.ts"
import type { HeaderField } from "./header-block.ts"
import { mqTarget } from "./x-mq-targets.ts"
import type { MqTarget, MqValueType } from "./x-mq-targets.ts"

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
  /** names of removed `x-mq-*` headers that set nothing (server-owned, malformed, a value not of the documented type), for the log */
  readonly ignored: ReadonlyArray<string>
}

const PREFIX = "x-mq-"

const isMqField = (field: HeaderField) => field.name.toLowerCase().startsWith(PREFIX)

const WHOLE_NUMBER = /^-?\d{1,15}$/
const TRUE_WORDS = ["true", "1", "yes"]
const FALSE_WORDS = ["false", "0", "no"]

/** The value as its documented JSON type; undefined when it is not of that type (the header is then reported, not guessed at). */
export const typedMqValue = (type: MqValueType, text: string): JsonValue | undefined => {
  switch (type) {
    case "text":
      return text
    case "boolean": {
      const word = text.trim().toLowerCase()
      return TRUE_WORDS.includes(word) ? true : FALSE_WORDS.includes(word) ? false : undefined
    }
    case "integer":
      return WHOLE_NUMBER.test(text.trim()) ? Number(text.trim()) : undefined
    case "time-or-seconds":
      return /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : text
    case "seconds-list": {
      const items = text.split(/[\s,;]+/).filter((item) => item !== "")
      return items.length > 0 && items.every((item) => /^\d{1,15}$/.test(item)) ? items.map(Number) : undefined
    }
  }
}

const isObject = (value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Sets the header's property; false when its value is not of the documented type. */
const apply = (properties: Record<string, JsonValue>, target: MqTarget, value: string): boolean => {
  if (target.kind === "list") {
    const items = target.separator === undefined ? [value.trim()] : value.split(target.separator).map((item) => item.trim())
    const kept = items.filter((item) => item !== "")
    if (kept.length === 0) return true
    const existing = properties[target.property]
    properties[target.property] = [...(Array.isArray(existing) ? existing : []), ...kept]
    return true
  }
  const json = typedMqValue(target.type, value)
  if (json === undefined) return false
  if (target.key === undefined) {
    properties[target.property] = json
    return true
  }
  const group = properties[target.property]
  properties[target.property] = { ...(isObject(group) ? group : {}), [target.key]: json }
  return true
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
    if (target === undefined || !apply(properties, target, fieldValue(mime, field))) ignored.push(field.name)
  }
  return { mime: withoutFields(mime, mqFields), properties, ignored }
}
