/** The bytes the message and protocol parsers look for. */
export const NUL = 0x00
export const TAB = 0x09
export const LF = 0x0a
export const CR = 0x0d
export const SPACE = 0x20
export const DOT = 0x2e
export const COLON = 0x3a

const singleByte = new TextDecoder("latin1")

/**
 * Bytes as text of one code unit per byte, decoded natively, for native searches (a regular
 * expression, indexOf): CR, LF and "." stand where they stand in the bytes. Not for keeping the
 * text: the decoder is windows-1252's, which reads bytes 0x80 to 0x9F as other characters.
 */
export const searchableText = (bytes: Uint8Array): string => singleByte.decode(bytes)
