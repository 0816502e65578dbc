import { describe, expect, it } from "vitest"
import { defaultMaxMessageSize, maxMessageSize } from "../../../adapters/amqp/broker-limits.ts"

const MiB = 1024 * 1024

describe("the largest message the broker takes", () => {
  it("is RabbitMQ's default for its version: 128 MiB up to 3.x, 16 MiB from 4.0, and 16 MiB when unknown", () => {
    expect(defaultMaxMessageSize("3.10.8")).toBe(128 * MiB)
    expect(defaultMaxMessageSize("3.13.7")).toBe(128 * MiB)
    expect(defaultMaxMessageSize("4.0.5")).toBe(16 * MiB)
    expect(defaultMaxMessageSize("4.1.0")).toBe(16 * MiB)
    expect(defaultMaxMessageSize(undefined)).toBe(16 * MiB)
    expect(defaultMaxMessageSize("unknown")).toBe(16 * MiB)
  })

  it("is rabbitmq-max-message-size when set, whatever the version", () => {
    expect(maxMessageSize(MiB, "3.10.8")).toBe(MiB)
    expect(maxMessageSize(undefined, "3.10.8")).toBe(128 * MiB)
  })
})
