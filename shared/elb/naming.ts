/**
 * Names and ownership tags of everything switchyard creates in Elastic Load Balancing. Names are
 * deterministic and short (ELB allows 32 characters) and derive only from identity and immutable
 * fields, so a spec change never renames — and so never replaces — a resource by accident.
 */
import { createHash } from "node:crypto";
import { type ClusterGatewayKey, InvalidGatewayKey, parseClusterGatewayKey } from "../keys.ts";

export const TAG = {
  managedBy: "switchyard.dev/managed-by",
  cluster: "switchyard.dev/cluster",
  gateway: "switchyard.dev/gateway",
  role: "switchyard.dev/role",
  /** On a target group other clusters register targets in too (TargetGroupProps enableMultiCluster). */
  multiCluster: "switchyard.dev/multi-cluster",
} as const;

export const MANAGED_BY = "switchyard";

export function shortHash(...parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 10);
}

/** Lower-case alphanumerics and `-`, at most `max` characters: the readable part of a name. */
export function slug(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");
}

/** `sy-<ns>-<name>-<hash>`; the hash covers cluster, gateway and the immutable type and scheme. */
export function loadBalancerName(clusterId: string, gatewayKey: string, type: string, scheme: string): string {
  const [ns = "", name = ""] = gatewayKey.split("/");
  return `sy-${slug(ns, 6)}-${slug(name, 8)}-${shortHash(clusterId, gatewayKey, type, scheme)}`;
}

/** `sy-<svc>-<hash>`; the hash covers cluster, gateway, target group role id and protocol. */
export function targetGroupName(clusterId: string, gatewayKey: string, id: string, protocol: string): string {
  const service = id.split("/")[1]?.split(":")[0] ?? "tg";
  return `sy-${slug(service, 16)}-${shortHash(clusterId, gatewayKey, id, protocol)}`;
}

/** AWS tag limits (ELBv2, Resource Groups Tagging): characters per key and per value. */
export const TAG_KEY_LIMIT = 128;
export const TAG_VALUE_LIMIT = 256;
/** Hex characters of SHA-256 kept when a tag is shortened: collisions stay out of reach. */
const TAG_HASH_LENGTH = 16;

/**
 * `text` as a tag key or value within `limit` characters: unchanged when it fits, otherwise a
 * readable prefix, `+` and a hash of the whole text, so two long texts that differ anywhere (the
 * end included) stay apart. Writing and finding tags both go through here, so discovery by tag
 * matches what was written. (`+` is one of the few punctuation characters tags allow.)
 */
export function boundedTag(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, TAG_HASH_LENGTH);
  return `${text.slice(0, limit - TAG_HASH_LENGTH - 1)}+${hash}`;
}

/** A tag value within AWS's 256 characters (see boundedTag). */
export function tagValue(text: string): string {
  return boundedTag(text, TAG_VALUE_LIMIT);
}

/**
 * The tags that make a resource switchyard's: managed-by, cluster, gateway and the resource's role
 * in the model. Values that would exceed AWS's limit (a 253-character Gateway name in a long
 * namespace) are shortened with a hash; match them with `tagValue`, never with the raw text.
 */
export function ownershipTags(clusterId: string, gatewayKey: string, role: string): Record<string, string> {
  return {
    [TAG.managedBy]: MANAGED_BY,
    [TAG.cluster]: tagValue(clusterId),
    [TAG.gateway]: tagValue(gatewayKey),
    [TAG.role]: tagValue(role),
  };
}

/**
 * Whose a resource is, from its tags: the Gateway its ownership tags name (`key`), the raw
 * `cluster/gateway` text when the Gateway part is a shortened key no Gateway can be named from
 * (`shortened`), or undefined when the tags are not switchyard's.
 */
export function taggedOwner(
  tags: readonly { Key?: string; Value?: string }[],
): { key: ClusterGatewayKey } | { shortened: string } | undefined {
  const byKey = new Map(tags.map((t) => [t.Key ?? "", t.Value ?? ""]));
  const cluster = byKey.get(TAG.cluster);
  const gateway = byKey.get(TAG.gateway);
  if (byKey.get(TAG.managedBy) !== MANAGED_BY || cluster === undefined || gateway === undefined) return undefined;
  try {
    return { key: parseClusterGatewayKey(`${cluster}/${gateway}`) };
  } catch (error) {
    if (!(error instanceof InvalidGatewayKey)) throw error;
    return { shortened: `${cluster}/${gateway}` };
  }
}
