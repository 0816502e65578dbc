import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

/**
 * V8 collects garbage when JavaScript allocates. A daemon that goes idle right after a burst of large
 * messages allocates next to nothing, so the burst's buffers (hundreds of MB) would stay resident
 * until the next burst. Once the message data in flight is back to nothing after a burst, one full
 * collection a second later gives that memory back (measured: 566 MB stayed; with it, back to
 * about 400 MB, the rest being V8's heap, which it shrinks on its own).
 */
let gc: (() => void) | undefined

const fullCollection = (): (() => void) => {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc")
    gc = runInNewContext("gc") as () => void
  }
  return gc
}

/** Bytes of message data released since the last collection that make one worth it. */
const BURST_BYTES = 64 * 1024 * 1024

export const collectAfterBursts = () => {
  let released = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  return {
    /** `bytes` of message data went back; `inUse` is what is still held */
    released(bytes: number, inUse: number): void {
      released += bytes
      if (inUse > 0 || released < BURST_BYTES || timer !== undefined) return
      timer = setTimeout(() => {
        timer = undefined
        released = 0
        fullCollection()()
      }, 1_000)
      timer.unref()
    }
  }
}
