import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { brokerNodes } from "../../../domain/broker/broker-nodes.ts"

const host = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`)
)
const credentials = fc.option(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[a-z0-9%]{0,8}$/)), { nil: undefined })
const vhost = fc.stringMatching(/^[a-z]{0,6}$/)

describe("brokerNodes (rabbitmq-address of a cluster)", () => {
  it("a semicolon host list is one address per host, sharing scheme, credentials and vhost, in order", () => {
    fc.assert(fc.property(fc.constantFrom("amqp", "amqps"), credentials, fc.array(host, { minLength: 1, maxLength: 4 }), vhost, (scheme, login, hosts, path) => {
      const auth = login === undefined ? "" : `${login[0]}:${login[1]}@`
      expect(brokerNodes(`${scheme}://${auth}${hosts.join(";")}/${path}`)).toEqual(hosts.map((h) => `${scheme}://${auth}${h}/${path}`))
    }))
  })

  it("comma-separated addresses are tried in the order written, each expanded on its own", () => {
    fc.assert(fc.property(fc.array(fc.array(host, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), (groups) => {
      const address = groups.map((hosts) => `amqp://u:p@${hosts.join(";")}/v`).join(",")
      expect(brokerNodes(address)).toEqual(groups.flat().map((h) => `amqp://u:p@${h}/v`))
    }))
  })

  it("a single address is itself", () => {
    fc.assert(fc.property(host, vhost, (h, path) => {
      expect(brokerNodes(`amqp://guest:guest@${h}/${path}`)).toEqual([`amqp://guest:guest@${h}/${path}`])
    }))
  })
})
