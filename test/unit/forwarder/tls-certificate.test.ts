// The pure half of the ACM import: what a TLS Secret becomes for ImportCertificate, why one cannot
// be imported, and which certificates are switchyard's by their tags.
import { describe, expect, it } from "vitest";
import { listenerCertificateSecrets, referencedSecrets } from "../../../forwarder/secret-references.ts";
import {
  CERTIFICATE_TAG,
  certificateTags,
  ownedCertificate,
  pemBlocks,
  tlsMaterialOf,
} from "../../../forwarder/tls-certificate.ts";
import { selfSigned, signedByCa, tlsSecret } from "./tls-fixtures.ts";

const site = selfSigned("site.example.com");
const other = selfSigned("other.example.com");

function material(secret: ReturnType<typeof tlsSecret>) {
  const parsed = tlsMaterialOf(secret);
  if (!parsed.ok) throw new Error(`expected a parse, got: ${parsed.error}`);
  return parsed.material;
}

function errorOf(secret: Parameters<typeof tlsMaterialOf>[0]): string {
  const parsed = tlsMaterialOf(secret);
  if (parsed.ok) throw new Error("expected a refusal");
  return parsed.error;
}

describe("tlsMaterialOf", () => {
  it("takes the first PEM block of tls.crt as the certificate and the rest as the chain", () => {
    const chain = signedByCa("leaf.example.com");
    const m = material(tlsSecret(chain.tlsCrt, chain.privateKey));
    expect(m.certificate).toBe(chain.leaf);
    expect(m.chain).toBe(chain.ca);
    expect(m.privateKey).toBe(chain.privateKey);
  });

  it("has no chain when tls.crt holds only the leaf", () => {
    expect(material(tlsSecret(site.certificate, site.privateKey)).chain).toBeUndefined();
  });

  it("accepts CRLF line ends and normalises them", () => {
    const m = material(tlsSecret(site.certificate.replace(/\n/g, "\r\n"), site.privateKey.replace(/\n/g, "\r\n")));
    expect(m.certificate).toBe(site.certificate);
  });

  it("accepts an EC P-256 key", () => {
    const ec = selfSigned("ec.example.com", "ec256");
    expect(tlsMaterialOf(tlsSecret(ec.certificate, ec.privateKey)).ok).toBe(true);
  });

  it("fingerprints the data: equal data gives equal fingerprints, any change a different one", () => {
    const a = material(tlsSecret(site.certificate, site.privateKey)).fingerprint;
    expect(material(tlsSecret(site.certificate, site.privateKey)).fingerprint).toBe(a);
    expect(material(tlsSecret(other.certificate, other.privateKey)).fingerprint).not.toBe(a);
    expect(material(tlsSecret(`${site.certificate}\n`, site.privateKey)).fingerprint).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a Secret that is not of type kubernetes.io/tls", () => {
    expect(errorOf(tlsSecret(site.certificate, site.privateKey, "Opaque"))).toBe(
      "the Secret's type is Opaque; a listener certificate must be a Secret of type kubernetes.io/tls",
    );
  });

  it("refuses a Secret without tls.crt or tls.key", () => {
    const secret = tlsSecret(site.certificate, site.privateKey);
    expect(errorOf({ ...secret, data: { "tls.key": secret.data["tls.key"] } })).toBe('the Secret has no "tls.crt"');
    expect(errorOf({ ...secret, data: { "tls.crt": secret.data["tls.crt"] } })).toBe('the Secret has no "tls.key"');
  });

  it("refuses a tls.crt without PEM, or with a block that is not a certificate", () => {
    expect(errorOf(tlsSecret("not pem at all", site.privateKey))).toBe("tls.crt holds no PEM block");
    expect(errorOf(tlsSecret(`${site.certificate}${site.privateKey}`, site.privateKey))).toBe(
      "tls.crt block 2 is a PRIVATE KEY, expected a CERTIFICATE",
    );
    const broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    expect(errorOf(tlsSecret(broken, site.privateKey))).toMatch(
      /^tls\.crt block 1 is not a valid X\.509 certificate: /,
    );
  });

  it("refuses a garbage key, naming the field and never echoing it", () => {
    const garbage = "-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZS1rZXktbWF0ZXJpYWw=\n-----END PRIVATE KEY-----\n";
    const error = errorOf(tlsSecret(site.certificate, garbage));
    expect(error).toMatch(/^tls\.key is not a valid private key: /);
    expect(error).not.toContain("Z2FyYmFnZS1rZXktbWF0ZXJpYWw");
    expect(errorOf(tlsSecret(site.certificate, "garbage"))).toBe(
      "tls.key must hold exactly one PEM private key block, found 0",
    );
  });

  it("refuses a key that does not belong to the certificate", () => {
    expect(errorOf(tlsSecret(site.certificate, other.privateKey))).toBe(
      "tls.key does not match the certificate in tls.crt (subject CN=site.example.com)",
    );
  });

  it("refuses key types ACM cannot import", () => {
    const ed = selfSigned("ed.example.com", "ed25519");
    expect(errorOf(tlsSecret(ed.certificate, ed.privateKey))).toBe(
      "tls.key is a ed25519 key (ACM takes RSA or EC keys)",
    );
  });

  it("refuses an encrypted key", () => {
    const encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
    expect(errorOf(tlsSecret(site.certificate, encrypted))).toBe(
      "tls.key is encrypted; ACM imports only unencrypted private keys",
    );
  });
});

describe("pemBlocks", () => {
  it("finds every block with its label, in order", () => {
    expect(pemBlocks(`${site.certificate}junk\n${site.privateKey}`).map((b) => b.label)).toEqual([
      "CERTIFICATE",
      "PRIVATE KEY",
    ]);
  });
});

describe("certificate ownership tags", () => {
  const secret = { namespace: "apps", name: "cert" };

  it("recognises a certificate imported for this cluster, with its Secret and fingerprint", () => {
    expect(ownedCertificate("c1", certificateTags("c1", secret, "f".repeat(64)))).toEqual({
      secret,
      fingerprint: "f".repeat(64),
    });
  });

  it("never claims a certificate of another cluster or one switchyard did not tag", () => {
    const tags = certificateTags("c1", secret, "f".repeat(64));
    expect(ownedCertificate("c2", tags)).toBeUndefined();
    expect(ownedCertificate("c1", { ...tags, [CERTIFICATE_TAG.managedBy]: "someone-else" })).toBeUndefined();
    expect(ownedCertificate("c1", { Name: "hand-made" })).toBeUndefined();
    const { [CERTIFICATE_TAG.secretName]: _name, ...withoutName } = tags;
    expect(ownedCertificate("c1", withoutName)).toBeUndefined();
  });

  it("treats a certificate without a fingerprint tag as owned but due for re-import", () => {
    const { [CERTIFICATE_TAG.fingerprint]: _f, ...tags } = certificateTags("c1", secret, "f".repeat(64));
    expect(ownedCertificate("c1", tags)).toEqual({ secret, fingerprint: undefined });
  });
});

describe("listener certificate Secrets", () => {
  const gateway = {
    metadata: { namespace: "apps", name: "gw" },
    spec: {
      listeners: [{ name: "https", tls: { certificateRefs: [{ name: "cert" }, { name: "x", namespace: "other" }] } }],
      tls: { frontend: { default: { validation: { caCertificateRefs: [{ name: "client-ca" }] } } } },
    },
  };

  it("are the listeners' certificateRefs only; CA bundles are referenced but not imported", () => {
    expect([...listenerCertificateSecrets("Gateway", gateway)].sort()).toEqual(["apps/cert", "other/x"]);
    expect([...referencedSecrets("Gateway", gateway)].sort()).toEqual(["apps/cert", "apps/client-ca", "other/x"]);
    const policy = { metadata: { namespace: "apps" }, spec: { validation: { caCertificateRefs: [{ name: "ca" }] } } };
    expect([...listenerCertificateSecrets("BackendTLSPolicy", policy)]).toEqual([]);
  });
});
