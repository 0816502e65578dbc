import { open } from "node:fs/promises"

/** Creates `path` (it must not exist), writes `body`, and fsyncs the file before closing it. */
export const writeFileDurably = async (path: string, body: Uint8Array): Promise<void> => {
  const handle = await open(path, "wx")
  try {
    await handle.writeFile(body)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** fsyncs a directory, which makes the entries created or renamed in it durable. */
export const syncDirectory = async (path: string): Promise<void> => {
  const handle = await open(path, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
