import { Effect, Layer } from "effect"
import { Publisher } from "../../application/ports/publisher.ts"
import { makeSpool } from "./spool.ts"
import { SpoolUnavailable } from "./spool-unavailable.ts"

export { makeSpool } from "./spool.ts"
export type { Spool, SpoolStats } from "./spool.ts"
export { SpoolUnavailable }

export interface SpoolPublisherOptions {
  readonly directory: string
}

const make = (options: SpoolPublisherOptions) =>
  Effect.gen(function*() {
    const spool = yield* makeSpool(options.directory)
    yield* Effect.logInfo(`embedded-spool-directory is set: accepted messages go to the embedded spool in ${options.directory}, not to RabbitMQ`)
    // a publish still waiting for its directory fsync should get its answer before the process goes
    yield* Effect.addFinalizer(() => Effect.promise(() => spool.idle()))
    return Publisher.of({
      publish: spool.publish,
      isReady: spool.isReady,
      condition: Effect.map(spool.isReady, (writable) => ({ kind: "spool", writable }) as const)
    })
  })

export const SpoolPublisher = {
  layer: (options: SpoolPublisherOptions): Layer.Layer<Publisher, SpoolUnavailable> =>
    Layer.effect(Publisher, make(options))
} as const
