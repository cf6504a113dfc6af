// Real certificates and keys for the ACM import tests, made by openssl in a temporary directory
// (no key material is committed to the repository).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface KeyPair {
  certificate: string;
  privateKey: string;
}

export interface CertificateChain {
  /** Leaf first, then the issuing CA: what a `tls.crt` holds. */
  tlsCrt: string;
  leaf: string;
  ca: string;
  privateKey: string;
}

function inTempDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-tls-"));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** `-newkey` argument for each key type the tests use. */
const NEW_KEY = { rsa2048: "rsa:2048", ec256: "ec", ed25519: "ed25519" } as const;
export type KeyType = keyof typeof NEW_KEY;

function newKeyArgs(type: KeyType): string[] {
  return type === "ec256" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"] : ["-newkey", NEW_KEY[type]];
}

/** A self-signed certificate for `commonName` and its unencrypted PKCS#8 key. */
export function selfSigned(commonName: string, type: KeyType = "rsa2048"): KeyPair {
  return inTempDir((dir) => {
    openssl(dir, [
      "req",
      "-x509",
      ...newKeyArgs(type),
      "-nodes",
      "-keyout",
      "key.pem",
      "-out",
      "crt.pem",
      "-days",
      "30",
      "-subj",
      `/CN=${commonName}`,
      "-addext",
      `subjectAltName=DNS:${commonName}`,
    ]);
    return {
      certificate: readFileSync(join(dir, "crt.pem"), "utf8"),
      privateKey: readFileSync(join(dir, "key.pem"), "utf8"),
    };
  });
}

/** A leaf for `commonName` signed by a fresh CA: the chain case (tls.crt = leaf + CA). */
export function signedByCa(commonName: string): CertificateChain {
  return inTempDir((dir) => {
    openssl(dir, [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "30",
      "-subj",
      "/CN=switchyard test CA",
    ]);
    openssl(dir, [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "leaf.key",
      "-out",
      "leaf.csr",
      "-subj",
      `/CN=${commonName}`,
    ]);
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "leaf.pem",
      "-days",
      "30",
    ]);
    const leaf = readFileSync(join(dir, "leaf.pem"), "utf8");
    const ca = readFileSync(join(dir, "ca.pem"), "utf8");
    return { tlsCrt: `${leaf}${ca}`, leaf, ca, privateKey: readFileSync(join(dir, "leaf.key"), "utf8") };
  });
}

/** A Secret as the API server sends it: `data` base64-encoded. */
export function tlsSecret(
  crt: string,
  key: string,
  type = "kubernetes.io/tls",
): { apiVersion: string; kind: string; metadata: Record<string, string>; type: string; data: Record<string, string> } {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "cert", namespace: "apps", uid: "u-1", resourceVersion: "1" },
    type,
    data: { "tls.crt": Buffer.from(crt).toString("base64"), "tls.key": Buffer.from(key).toString("base64") },
  };
}

/** The base64 body of every PEM block of `pem`, for asserting that none of it leaked anywhere. */
export function pemBodies(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN [A-Z ]+-----\n([\s\S]*?)-----END/g)].map((m) => (m[1] ?? "").replace(/\n/g, ""));
}
