/** Bounds on the work spent looking at one message, so a hostile message costs little. */

/** MIME entities looked at, containers included. */
export const MAX_MIME_ENTITIES = 50

/** How deep multiparts may nest before the rest is ignored. */
export const MAX_MIME_DEPTH = 10

/** Bytes that all decompression of one message may produce together (zip and gzip bombs). */
export const MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024

/** Entries of a zip archive looked at. */
export const MAX_ZIP_ENTRIES = 50
