/**
 * From a `kubernetes.io/tls` Secret to what ACM's ImportCertificate takes, or a precise reason why
 * it cannot be imported. Pure (node:crypto parses, nothing is read or sent). The returned material
 * holds the private key: callers hand it to ACM and to nothing else — never to a log or an event.
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import type { KubeObjectJson } from "../shared/events/event.ts";
import { isRecord } from "../shared/events/strip.ts";

export const TLS_SECRET_TYPE = "kubernetes.io/tls";

/**
 * Tags on every certificate the forwarder imports. The keys follow the control plane's ownership
 * tags (shared/elb/naming.ts; not imported: the forwarder depends on the event schema only).
 * `secret-sha256` is the fingerprint of the Secret's data at the last import, so a restarted
 * forwarder can tell an unchanged Secret from a rotated one without re-importing.
 */
export const CERTIFICATE_TAG = {
  managedBy: "switchyard.dev/managed-by",
  cluster: "switchyard.dev/cluster",
  secretNamespace: "switchyard.dev/secret-namespace",
  secretName: "switchyard.dev/secret-name",
  fingerprint: "switchyard.dev/secret-sha256",
} as const;
export const MANAGED_BY = "switchyard";

export interface CertificateMaterial {
  /** The first PEM block of `tls.crt`: the leaf certificate. */
  certificate: string;
  /** The remaining blocks of `tls.crt` (intermediates), or undefined when there are none. */
  chain: string | undefined;
  privateKey: string;
  /** sha256 (hex) of `tls.crt` and `tls.key` as stored: changes exactly when the data changes. */
  fingerprint: string;
}

export type TlsSecretParse = { ok: true; material: CertificateMaterial } | { ok: false; error: string };

interface PemBlock {
  label: string;
  pem: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every PEM block of `text`, in order, normalised to LF line ends. */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(PEM_BLOCK)].map((match) => {
    const label = match[1] ?? "";
    const body = (match[2] ?? "").replace(/\r\n/g, "\n");
    return { label, pem: `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n` };
  });
}

// What ACM imports (ImportCertificate: RSA 1024 to 4096 bits, EC P-256/P-384/P-521).
const ACM_RSA_BITS = new Set([1024, 2048, 3072, 4096]);
const ACM_EC_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);

function acmKeyProblem(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") {
    const bits = details.modulusLength ?? 0;
    return ACM_RSA_BITS.has(bits) ? undefined : `an RSA key of ${bits} bits (ACM takes 1024, 2048, 3072 or 4096)`;
  }
  if (key.asymmetricKeyType === "ec") {
    const curve = details.namedCurve ?? "unknown";
    return ACM_EC_CURVES.has(curve)
      ? undefined
      : `an EC key on curve ${curve} (ACM takes prime256v1, secp384r1, secp521r1)`;
  }
  return `a ${key.asymmetricKeyType ?? "unknown"} key (ACM takes RSA or EC keys)`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function decodedField(data: Record<string, unknown>, name: string): Buffer | string {
  const value = data[name];
  if (typeof value !== "string" || value === "") return `the Secret has no "${name}"`;
  return Buffer.from(value, "base64");
}

export function certificateFingerprint(crt: Uint8Array, key: Uint8Array): string {
  // Length-prefixed so that moving bytes between the two fields changes the fingerprint.
  return createHash("sha256").update(`${crt.length}:`).update(crt).update(`${key.length}:`).update(key).digest("hex");
}

/** The ACM import material of a TLS Secret as the API server sends it (`data` base64-encoded). */
export function tlsMaterialOf(secret: KubeObjectJson): TlsSecretParse {
  const fail = (error: string): TlsSecretParse => ({ ok: false, error });
  if (secret.type !== TLS_SECRET_TYPE) {
    const type = typeof secret.type === "string" ? secret.type : "(none)";
    return fail(`the Secret's type is ${type}; a listener certificate must be a Secret of type ${TLS_SECRET_TYPE}`);
  }
  const data = isRecord(secret.data) ? secret.data : {};
  const crt = decodedField(data, "tls.crt");
  if (typeof crt === "string") return fail(crt);
  const keyBytes = decodedField(data, "tls.key");
  if (typeof keyBytes === "string") return fail(keyBytes);

  const blocks = pemBlocks(crt.toString("utf8"));
  if (blocks.length === 0) return fail("tls.crt holds no PEM block");
  const certificates: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    if (block.label !== "CERTIFICATE")
      return fail(`tls.crt block ${index + 1} is a ${block.label}, expected a CERTIFICATE`);
    try {
      certificates.push(new X509Certificate(block.pem));
    } catch (error) {
      return fail(`tls.crt block ${index + 1} is not a valid X.509 certificate: ${errorText(error)}`);
    }
  }
  const [leaf] = certificates;
  const [leafBlock, ...chainBlocks] = blocks;
  if (leaf === undefined || leafBlock === undefined) return fail("tls.crt holds no certificate");

  const keyBlocks = pemBlocks(keyBytes.toString("utf8"));
  if (keyBlocks.length !== 1)
    return fail(`tls.key must hold exactly one PEM private key block, found ${keyBlocks.length}`);
  const [keyBlock] = keyBlocks;
  if (keyBlock === undefined) return fail("tls.key holds no PEM block");
  if (keyBlock.label === "ENCRYPTED PRIVATE KEY")
    return fail("tls.key is encrypted; ACM imports only unencrypted private keys");
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlock.pem);
  } catch (error) {
    return fail(`tls.key is not a valid private key: ${errorText(error)}`);
  }
  const keyProblem = acmKeyProblem(key);
  if (keyProblem !== undefined) return fail(`tls.key is ${keyProblem}`);
  if (!leaf.checkPrivateKey(key))
    return fail(`tls.key does not match the certificate in tls.crt (subject ${leaf.subject.replace(/\n/g, ", ")})`);

  return {
    ok: true,
    material: {
      certificate: leafBlock.pem,
      chain: chainBlocks.length === 0 ? undefined : chainBlocks.map((b) => b.pem).join(""),
      privateKey: keyBlock.pem,
      fingerprint: certificateFingerprint(crt, keyBytes),
    },
  };
}

export interface SecretRef {
  namespace: string;
  name: string;
}

/** The tags of a certificate imported for `secret`, with the fingerprint of its data. */
export function certificateTags(clusterId: string, secret: SecretRef, fingerprint: string): Record<string, string> {
  return {
    [CERTIFICATE_TAG.managedBy]: MANAGED_BY,
    [CERTIFICATE_TAG.cluster]: clusterId,
    [CERTIFICATE_TAG.secretNamespace]: secret.namespace,
    [CERTIFICATE_TAG.secretName]: secret.name,
    [CERTIFICATE_TAG.fingerprint]: fingerprint,
  };
}

export interface OwnedCertificate {
  secret: SecretRef;
  /** Undefined when the tag is missing (e.g. a re-import whose re-tagging failed): re-import. */
  fingerprint: string | undefined;
}

/**
 * Which Secret of `clusterId` a certificate was imported for, judged by its tags alone; undefined
 * for every certificate switchyard (for this cluster) did not import, which it must never touch.
 */
export function ownedCertificate(
  clusterId: string,
  tags: Readonly<Record<string, string>>,
): OwnedCertificate | undefined {
  if (tags[CERTIFICATE_TAG.managedBy] !== MANAGED_BY || tags[CERTIFICATE_TAG.cluster] !== clusterId) return undefined;
  const namespace = tags[CERTIFICATE_TAG.secretNamespace];
  const name = tags[CERTIFICATE_TAG.secretName];
  if (namespace === undefined || name === undefined || namespace === "" || name === "") return undefined;
  return { secret: { namespace, name }, fingerprint: tags[CERTIFICATE_TAG.fingerprint] };
}
