/**
 * The nodes of a rabbitmq-address, in the order they are tried (rabbitmq-config.md,
 * minimal-configuration.md): whole addresses separated by commas
 * (`amqp://u:p@h1/v,amqp://u:p@h2/v`), and within one address hosts separated by semicolons
 * (`amqp://u:p@h1;h2:5673;h3/v`), which share its scheme, credentials, vhost and query.
 */
export const brokerNodes = (address: string): ReadonlyArray<string> =>
  address
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .flatMap(expandHosts)

const expandHosts = (address: string): ReadonlyArray<string> => {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(address)
  if (match === null) return [address]
  const [, scheme = "", authority = "", rest = ""] = match
  const at = authority.lastIndexOf("@")
  const credentials = at === -1 ? "" : authority.slice(0, at + 1)
  const hosts = authority.slice(at + 1).split(";").map((host) => host.trim())
  return hosts.map((host) => `${scheme}${credentials}${host}${rest}`)
}
