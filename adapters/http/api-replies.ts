import { ByteSize, Data, Effect } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerResponse } from "effect/http"
import type { HttpServerRequest } from "effect/http"
import type { StoreUnavailable } from "../../application/ports/managed-lists-store.ts"
import type { Parsed } from "../../domain/lists/list-inputs.ts"

/** A request the API answers with a JSON error instead of doing it. */
export class ApiProblem extends Data.TaggedError("ApiProblem")<{
  readonly status: number
  readonly message: string
}> {}

const MAX_BODY_BYTES = 64 * 1024

const API_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" }

export const jsonReply = (status: number, body: unknown): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.jsonUnsafe(body, { status, headers: API_HEADERS })

export const errorReply = (status: number, message: string): HttpServerResponse.HttpServerResponse =>
  jsonReply(status, { error: message })

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const
type Method = (typeof METHODS)[number]

/** 405 with an Allow header for the other methods on a path that exists. */
export const methodNotAllowed = (path: HttpRouter.PathInput, allowed: ReadonlyArray<Method>) => {
  const reply = HttpServerResponse.setHeader(
    errorReply(405, `method not allowed; use ${allowed.join(", ")}`),
    "allow",
    allowed.join(", ")
  )
  return HttpRouter.use((router) =>
    Effect.forEach(METHODS.filter((method) => !allowed.includes(method)), (method) => router.add(method, path, reply), {
      discard: true
    })
  )
}

export const badRequest = (message: string) => new ApiProblem({ status: 400, message })

export const accepted = <A>(parsed: Parsed<A>): Effect.Effect<A, ApiProblem> =>
  parsed.ok ? Effect.succeed(parsed.value) : Effect.fail(badRequest(parsed.error))

export const notFound = (message: string) => new ApiProblem({ status: 404, message })

const readBody = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<string, ApiProblem> =>
  request.text.pipe(
    Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(MAX_BODY_BYTES)),
    Effect.mapError(() => new ApiProblem({ status: 400, message: `request body unreadable or larger than ${MAX_BODY_BYTES} bytes` }))
  )

const parseObject = (text: string): Effect.Effect<Readonly<Record<string, unknown>>, ApiProblem> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return Effect.fail(badRequest("invalid JSON body"))
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return Effect.fail(badRequest("request body must be a JSON object"))
  }
  return Effect.succeed(value as Readonly<Record<string, unknown>>)
}

/**
 * A write's JSON object body. Insisting on application/json also keeps other web sites out: a browser
 * sends that type cross-origin only after a CORS preflight, which this server never grants.
 */
export const jsonObjectBody = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase()
    if (contentType !== "application/json") {
      return yield* new ApiProblem({ status: 415, message: "Content-Type must be application/json" })
    }
    return yield* parseObject(yield* readBody(request))
  })

/** DELETE names its entry in the query (`?pattern=...`) or in a JSON body (`{ "pattern": "..." }`). */
export const deleteField = (request: HttpServerRequest.HttpServerRequest, name: string) =>
  Effect.gen(function*() {
    const fromQuery = new URL(request.url, "http://management.invalid").searchParams.get(name)
    if (fromQuery !== null) return fromQuery
    const text = yield* readBody(request)
    if (text.trim() === "") return undefined
    const value = (yield* parseObject(text))[name]
    if (value === undefined || value === null) return undefined
    if (typeof value !== "string") return yield* badRequest(`${name} must be a string`)
    return value
  })

/** The one place API failures become replies: a bad request says why; a store outage is a 503. */
export const answer = <R>(
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, ApiProblem | StoreUnavailable, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R> =>
  handler.pipe(
    Effect.catchTag("ApiProblem", (problem) => Effect.succeed(errorReply(problem.status, problem.message))),
    Effect.catchTag("StoreUnavailable", (error) =>
      Effect.logWarning("management API: managed lists store unavailable").pipe(
        Effect.annotateLogs({ reason: error.message }),
        Effect.as(errorReply(503, "the managed lists store is unavailable, try again later"))
      ))
  )
