/**
 * Imports listener certificate Secrets into ACM in the cluster's own account, so the control plane
 * gets an ARN and never the key. One certificate per Secret: a rotated Secret is re-imported into
 * the same ARN, so listeners that use it pick up the new certificate without a reconcile. Which
 * certificate belongs to which Secret, and the fingerprint of the data last imported, live in the
 * certificate's tags; memory is only a cache of them, so a restart re-imports nothing unchanged.
 */
import {
  type ACMClient,
  AddTagsToCertificateCommand,
  ImportCertificateCommand,
  KeyAlgorithm,
  ListTagsForCertificateCommand,
  paginateListCertificates,
} from "@aws-sdk/client-acm";
import type { KubeObjectJson } from "../shared/events/event.ts";
import { certificateTags, ownedCertificate, type SecretRef, tlsMaterialOf } from "./tls-certificate.ts";

/** What travels in the forwarded Secret instead of its data. */
export type ImportOutcome = { acmCertificateArn: string } | { acmImportError: string };

interface Imported {
  arn: string;
  fingerprint: string | undefined;
}

export interface CertificateImporterDependencies {
  acm: ACMClient;
  clusterId: string;
  log: (message: string) => void;
}

function awsErrorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function keyOf(secret: SecretRef): string {
  return `${secret.namespace}/${secret.name}`;
}

export class CertificateImporter {
  private readonly deps: CertificateImporterDependencies;
  /** Secret `namespace/name` → its certificate; loaded from ACM's tags on first use. */
  private index: Promise<Map<string, Imported>> | undefined;
  /** One import at a time per Secret: two at once would create two certificates. */
  private readonly perSecret = new Map<string, Promise<unknown>>();

  constructor(deps: CertificateImporterDependencies) {
    this.deps = deps;
  }

  /** Imports (or re-imports) `secret`, a Secret as the API server sends it, data included. */
  importSecret(secret: SecretRef, object: KubeObjectJson): Promise<ImportOutcome> {
    const key = keyOf(secret);
    const previous = this.perSecret.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.importNow(secret, object));
    const settled = next.catch(() => undefined);
    this.perSecret.set(key, settled);
    settled.then(() => {
      if (this.perSecret.get(key) === settled) this.perSecret.delete(key);
    });
    return next;
  }

  private async importNow(secret: SecretRef, object: KubeObjectJson): Promise<ImportOutcome> {
    const { acm, clusterId, log } = this.deps;
    const key = keyOf(secret);
    const parsed = tlsMaterialOf(object);
    if (!parsed.ok) {
      // A broken Secret leaves an already imported certificate as it was: listeners keep serving.
      log(`Secret ${key} not imported into ACM: ${parsed.error}`);
      return { acmImportError: parsed.error };
    }
    const { material } = parsed;
    let owned: Map<string, Imported>;
    try {
      owned = await this.ownedCertificates();
    } catch (error) {
      const message = `ACM ListCertificates/ListTagsForCertificate failed: ${awsErrorText(error)}`;
      log(`Secret ${key} not imported into ACM: ${message}`);
      return { acmImportError: message };
    }
    const existing = owned.get(key);
    if (existing !== undefined && existing.fingerprint === material.fingerprint) {
      return { acmCertificateArn: existing.arn };
    }
    const tags = Object.entries(certificateTags(clusterId, secret, material.fingerprint)).map(([Key, Value]) => ({
      Key,
      Value,
    }));
    const request = {
      Certificate: Buffer.from(material.certificate),
      PrivateKey: Buffer.from(material.privateKey),
      ...(material.chain === undefined ? {} : { CertificateChain: Buffer.from(material.chain) }),
    };
    try {
      let arn: string | undefined;
      if (existing !== undefined) {
        try {
          // ACM refuses tags on a re-import; they are (re)applied below.
          arn = (await acm.send(new ImportCertificateCommand({ ...request, CertificateArn: existing.arn })))
            .CertificateArn;
        } catch (error) {
          // Deleted behind our back: import afresh rather than fail forever.
          if (!(error instanceof Error && error.name === "ResourceNotFoundException")) throw error;
          log(`certificate ${existing.arn} of Secret ${key} is gone from ACM; importing a new one`);
          owned.delete(key);
        }
      }
      if (arn === undefined) {
        arn = (await acm.send(new ImportCertificateCommand({ ...request, Tags: tags }))).CertificateArn;
      } else {
        // After a re-import: the new fingerprint, and the ownership tags again (moto drops a
        // certificate's tags on re-import; ACM keeps them, where this is a no-op).
        await acm.send(new AddTagsToCertificateCommand({ CertificateArn: arn, Tags: tags }));
      }
      if (arn === undefined) throw new Error("ImportCertificate returned no CertificateArn");
      owned.set(key, { arn, fingerprint: material.fingerprint });
      log(`Secret ${key} ${existing === undefined ? "imported into" : "re-imported into"} ACM as ${arn}`);
      return { acmCertificateArn: arn };
    } catch (error) {
      const message = `ACM ImportCertificate failed: ${awsErrorText(error)}`;
      log(`Secret ${key} not imported into ACM: ${message}`);
      return { acmImportError: message };
    }
  }

  private ownedCertificates(): Promise<Map<string, Imported>> {
    if (this.index === undefined) {
      const loading = this.loadOwnedCertificates();
      this.index = loading;
      // A failed scan is retried by the next import instead of being remembered.
      loading.catch(() => {
        if (this.index === loading) this.index = undefined;
      });
    }
    return this.index;
  }

  /** Every certificate this cluster's forwarder imported, found by its tags (one scan per process). */
  private async loadOwnedCertificates(): Promise<Map<string, Imported>> {
    const { acm, clusterId, log } = this.deps;
    const owned = new Map<string, Imported>();
    // Without keyTypes ListCertificates returns only RSA_2048 certificates.
    const pages = paginateListCertificates(
      { client: acm },
      { Includes: { keyTypes: Object.values(KeyAlgorithm) }, MaxItems: 100 },
    );
    for await (const page of pages) {
      for (const summary of page.CertificateSummaryList ?? []) {
        const arn = summary.CertificateArn;
        if (arn === undefined || (summary.Type !== undefined && summary.Type !== "IMPORTED")) continue;
        const listed = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
        const tags: Record<string, string> = {};
        for (const tag of listed.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? "";
        const certificate = ownedCertificate(clusterId, tags);
        if (certificate === undefined) continue;
        const key = keyOf(certificate.secret);
        const other = owned.get(key);
        if (other !== undefined) {
          log(`warning: Secret ${key} has two imported certificates (${other.arn}, ${arn}); using the first`);
          continue;
        }
        owned.set(key, { arn, fingerprint: certificate.fingerprint });
      }
    }
    return owned;
  }
}
