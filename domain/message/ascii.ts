/** The bytes the message and protocol parsers look for. */
export const NUL = 0x00
export const TAB = 0x09
export const LF = 0x0a
export const CR = 0x0d
export const SPACE = 0x20
export const DOT = 0x2e
export const COLON = 0x3a
