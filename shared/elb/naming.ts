/**
 * Names and ownership tags of everything switchyard creates in Elastic Load Balancing. Names are
 * deterministic and short (ELB allows 32 characters) and derive only from identity and immutable
 * fields, so a spec change never renames — and so never replaces — a resource by accident.
 */
import { createHash } from "node:crypto";

export const TAG = {
  managedBy: "switchyard.dev/managed-by",
  cluster: "switchyard.dev/cluster",
  gateway: "switchyard.dev/gateway",
  role: "switchyard.dev/role",
} as const;

export const MANAGED_BY = "switchyard";

export function shortHash(...parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 10);
}

function slug(text: string, max: number): string {
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

export function ownershipTags(clusterId: string, gatewayKey: string, role: string): Record<string, string> {
  return { [TAG.managedBy]: MANAGED_BY, [TAG.cluster]: clusterId, [TAG.gateway]: gatewayKey, [TAG.role]: role };
}
