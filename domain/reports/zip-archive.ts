import { inflateWithinBudget } from "./bounded-inflate.ts"
import type { DecompressionBudget } from "./decompression-budget.ts"
import { MAX_ZIP_ENTRIES } from "./limits.ts"
import { bytesToText } from "./text.ts"

/** One file of a zip archive, as its central directory describes it (APPNOTE.TXT §4.3.12). */
interface ZipEntry {
  readonly name: string
  readonly encrypted: boolean
  readonly method: number
  readonly compressedSize: number
  readonly localHeaderOffset: number
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const CENTRAL_DIRECTORY_HEADER = 0x02014b50
const LOCAL_FILE_HEADER = 0x04034b50
const END_RECORD_SIZE = 22
const MAX_COMMENT = 0xffff
const STORED = 0
const DEFLATED = 8

export const isZip = (bytes: Uint8Array): boolean =>
  bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04

const u16 = (bytes: Uint8Array, at: number): number => (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8)
const u32 = (bytes: Uint8Array, at: number): number => (u16(bytes, at) | (u16(bytes, at + 2) << 16)) >>> 0

/** The end of central directory record sits in the last 22 bytes, or further back when it has a comment. */
const endRecordOffset = (zip: Uint8Array): number | undefined => {
  const lowest = Math.max(0, zip.length - END_RECORD_SIZE - MAX_COMMENT)
  for (let at = zip.length - END_RECORD_SIZE; at >= lowest; at--) {
    if (u32(zip, at) === END_OF_CENTRAL_DIRECTORY) return at
  }
  return undefined
}

const centralDirectory = (zip: Uint8Array): ReadonlyArray<ZipEntry> => {
  const end = endRecordOffset(zip)
  if (end === undefined) return []
  const count = Math.min(u16(zip, end + 10), MAX_ZIP_ENTRIES)
  const entries: Array<ZipEntry> = []
  let at = u32(zip, end + 16)
  for (let i = 0; i < count && at + 46 <= zip.length && u32(zip, at) === CENTRAL_DIRECTORY_HEADER; i++) {
    const nameLength = u16(zip, at + 28)
    entries.push({
      name: bytesToText(zip.subarray(at + 46, at + 46 + nameLength)),
      encrypted: (u16(zip, at + 8) & 1) === 1,
      method: u16(zip, at + 10),
      compressedSize: u32(zip, at + 20),
      localHeaderOffset: u32(zip, at + 42)
    })
    at += 46 + nameLength + u16(zip, at + 30) + u16(zip, at + 32)
  }
  return entries
}

const entryContent = (zip: Uint8Array, entry: ZipEntry, budget: DecompressionBudget): Uint8Array | undefined => {
  const header = entry.localHeaderOffset
  if (entry.encrypted || u32(zip, header) !== LOCAL_FILE_HEADER) return undefined
  const dataStart = header + 30 + u16(zip, header + 26) + u16(zip, header + 28)
  const data = zip.subarray(dataStart, dataStart + entry.compressedSize)
  if (entry.method === STORED) return data
  if (entry.method === DEFLATED) return inflateWithinBudget(data, budget)
  return undefined
}

/** The archive's first `.xml` file, or its only file; undefined when there is none or it cannot be read. */
export const xmlFileOfZip = (zip: Uint8Array, budget: DecompressionBudget): Uint8Array | undefined => {
  const files = centralDirectory(zip).filter((entry) => !entry.name.endsWith("/"))
  const chosen = files.find((entry) => entry.name.toLowerCase().endsWith(".xml")) ?? (files.length === 1 ? files[0] : undefined)
  return chosen === undefined ? undefined : entryContent(zip, chosen, budget)
}
