import { describe, expect, it } from "vitest"
import { didYouMean, levenshtein } from "../../../domain/config/did-you-mean.ts"

const keys = ["smtp-port", "smtp-secure-port", "smtp-hostname", "rabbitmq-address", "rabbitmq-inbox", "smtp-range"]

describe("did you mean", () => {
  it.each([
    ["smtp-prot", "smtp-port"],
    ["smtp-ports", "smtp-port"],
    ["smtp-hostnme", "smtp-hostname"],
    ["rabbitmq-adress", "rabbitmq-address"],
    ["rabitmq-inbox", "rabbitmq-inbox"],
    ["smtp_range", "smtp-range"]
  ])("suggests %s -> %s", (typo, key) => expect(didYouMean(typo, keys)).toBe(key))

  it("suggests nothing for a word unlike any key", () => {
    expect(didYouMean("license", keys)).toBeUndefined()
    expect(didYouMean("cluster-address", keys)).toBeUndefined()
  })

  it("counts edits", () => {
    expect(levenshtein("smtp-port", "smtp-port")).toBe(0)
    expect(levenshtein("kitten", "sitting")).toBe(3)
    expect(levenshtein("", "abc")).toBe(3)
  })
})
