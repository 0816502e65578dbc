import { execFileSync } from "node:child_process"
import { X509Certificate } from "node:crypto"
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export type KeyType = "ec" | "rsa"

/** A self-signed certificate and its private key, as PEM files. */
export interface CertificateFiles {
  readonly cn: string
  readonly certificate: string
  readonly key: string
  /** SHA-256 fingerprint as node's X509Certificate prints it (AA:BB:…) */
  readonly fingerprint256: string
  /** the certificate's PEM text, e.g. as the `ca` of a verifying client */
  readonly pem: string
}

export interface CertificateFactory {
  readonly dir: string
  /** a self-signed certificate for `cn` (also its subjectAltName) and its key, made with openssl */
  readonly selfSigned: (cn: string) => CertificateFiles
  /** a private key of the same type that belongs to no certificate, for a mismatch test */
  readonly unrelatedKey: () => string
  /** overwrites `target`'s certificate and key files with those of `source` (a renewed certificate) */
  readonly install: (source: { readonly certificate: string; readonly key: string }, target: { readonly certificate: string; readonly key: string }) => void
  readonly cleanup: () => void
}

const keyOptions = (type: KeyType): ReadonlyArray<string> =>
  type === "ec" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "rsa:2048"]

/**
 * Makes certificates and keys with the `openssl` command in a temporary directory. EC P-256 by
 * default (a few milliseconds each); RSA-2048 on request. Every file gets a fresh name.
 */
export const certificateFactory = (type: KeyType = "ec"): CertificateFactory => {
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-certs-"))
  let counter = 0
  const fresh = (stem: string) => join(dir, `${stem}-${++counter}.pem`)
  const openssl = (args: ReadonlyArray<string>) => execFileSync("openssl", [...args], { stdio: ["ignore", "ignore", "pipe"] })

  return {
    dir,
    selfSigned: (cn) => {
      const certificate = fresh(`${cn}-cert`)
      const key = fresh(`${cn}-key`)
      openssl([
        "req", "-x509", ...keyOptions(type), "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
        "-subj", `/CN=${cn}`, "-addext", `subjectAltName=DNS:${cn}`
      ])
      const pem = readFileSync(certificate, "utf8")
      return { cn, certificate, key, pem, fingerprint256: new X509Certificate(pem).fingerprint256 }
    },
    unrelatedKey: () => {
      const key = fresh("unrelated-key")
      openssl(type === "ec"
        ? ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]
        : ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key])
      return key
    },
    install: (source, target) => {
      copyFileSync(source.certificate, target.certificate)
      copyFileSync(source.key, target.key)
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  }
}
