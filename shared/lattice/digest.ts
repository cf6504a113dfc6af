/**
 * What the state record keeps of a rule's match and of an auth policy: a digest, since the planner
 * only asks whether what AWS holds equals what is desired. A Gateway at the planner's limits (100
 * services, 2 listeners of 10 rules each, matches of 5 headers of 128 characters and a 200-character
 * path, a 10 KB auth policy per service) would otherwise need more than DynamoDB's 400 KB item even
 * gzip-compressed (shared/store/README.md, "Lattice record size").
 */
import { createHash } from "node:crypto";
import type { LatticeMatch } from "./model.ts";

/** JSON with object keys sorted: equal values give equal text whatever order AWS returned fields in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

const PREFIX = "sha256:";

function digest(text: string): string {
  return `${PREFIX}${createHash("sha256").update(text).digest("base64url")}`;
}

/** A rule match as the record keeps it: equal matches (by canonical JSON) have equal digests. */
export function matchDigest(match: LatticeMatch): string {
  return digest(canonicalJson(match));
}

/** Whether a recorded auth policy is a digest (records from before digests hold the document). */
export function isPolicyDigest(recorded: string): boolean {
  return recorded.startsWith(PREFIX);
}

/**
 * An auth policy as the record keeps it: the digest of its normalized form (`normalized`, as
 * plan-policies.ts compares documents), or of the text itself when it is not JSON.
 */
export function policyDigest(normalized: string): string {
  return digest(normalized);
}
