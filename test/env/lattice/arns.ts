// Ids and ARNs in VPC Lattice's formats: `<prefix>-` and 17 characters of [0-9a-z], inside
// `arn:aws:vpc-lattice:<region>:<account>:<type>/<id>` (listeners and rules nest under their
// service). Ids come from a counter through SHA-256, so a fresh emulator hands out the same ids for
// the same sequence of creates, while looking as random as AWS's.
import { createHash } from "node:crypto";
import type { DnsEntry, ResourceKind } from "./model.ts";

export const ID_PREFIX: Record<ResourceKind, string> = {
  serviceNetwork: "sn",
  service: "svc",
  listener: "listener",
  rule: "rule",
  targetGroup: "tg",
  serviceNetworkServiceAssociation: "snsa",
  serviceNetworkVpcAssociation: "snva",
  accessLogSubscription: "als",
};

/** Resource types as ResourceNotFound and Conflict errors name them. */
export const RESOURCE_TYPE: Record<ResourceKind, string> = {
  serviceNetwork: "SERVICE_NETWORK",
  service: "SERVICE",
  listener: "LISTENER",
  rule: "RULE",
  targetGroup: "TARGET_GROUP",
  serviceNetworkServiceAssociation: "SERVICE_NETWORK_SERVICE_ASSOCIATION",
  serviceNetworkVpcAssociation: "SERVICE_NETWORK_VPC_ASSOCIATION",
  accessLogSubscription: "ACCESS_LOG_SUBSCRIPTION",
};

const ARN_TYPE: Record<Exclude<ResourceKind, "listener" | "rule">, string> = {
  serviceNetwork: "servicenetwork",
  service: "service",
  targetGroup: "targetgroup",
  serviceNetworkServiceAssociation: "servicenetworkserviceassociation",
  serviceNetworkVpcAssociation: "servicenetworkvpcassociation",
  accessLogSubscription: "accesslogsubscription",
};

const ID_BODY = "[0-9a-z]{17}";
const ARN_HEAD = "arn:[a-z0-9-]+:vpc-lattice:([a-zA-Z0-9-]+):(\\d{12}):";

function idPattern(kind: ResourceKind): string {
  return `${ID_PREFIX[kind]}-${ID_BODY}`;
}

function arnPath(kind: ResourceKind): string {
  if (kind === "listener") return `service/${idPattern("service")}/listener/${idPattern("listener")}`;
  if (kind === "rule")
    return `service/${idPattern("service")}/listener/${idPattern("listener")}/rule/${idPattern("rule")}`;
  return `${ARN_TYPE[kind]}/${idPattern(kind)}`;
}

/** What an identifier member accepts: the resource's id or its ARN (API model patterns). */
export function identifierPattern(kind: ResourceKind): RegExp {
  return new RegExp(`^(?:${idPattern(kind)}|${ARN_HEAD}${arnPath(kind)})$`);
}

export function arnPattern(kind: ResourceKind): RegExp {
  return new RegExp(`^${ARN_HEAD}${arnPath(kind)}$`);
}

export interface ParsedArn {
  region: string;
  account: string;
  kind: ResourceKind;
  /** The id of the resource itself (the last path segment). */
  id: string;
}

const KINDS = Object.keys(ID_PREFIX) as ResourceKind[];

/** Parses a VPC Lattice ARN of any resource kind the emulator knows. */
export function parseArn(arn: string): ParsedArn | undefined {
  for (const kind of KINDS) {
    const match = arnPattern(kind).exec(arn);
    if (match !== null) {
      const id = arn.slice(arn.lastIndexOf("/") + 1);
      return { region: match[1] ?? "", account: match[2] ?? "", kind, id };
    }
  }
  return undefined;
}

export function isArn(identifier: string): boolean {
  return identifier.startsWith("arn:");
}

export function buildArn(
  kind: ResourceKind,
  region: string,
  account: string,
  id: string,
  parent?: { serviceId: string; listenerId?: string },
): string {
  const head = `arn:aws:vpc-lattice:${region}:${account}:`;
  if (kind === "listener") return `${head}service/${parent?.serviceId}/listener/${id}`;
  if (kind === "rule") return `${head}service/${parent?.serviceId}/listener/${parent?.listenerId}/rule/${id}`;
  return `${head}${ARN_TYPE[kind]}/${id}`;
}

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** 17 characters of [0-9a-z] derived from `seed`. */
export function idBody(seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  let body = "";
  for (let i = 0; body.length < 17; i++) body += ALPHABET[(digest[i] ?? 0) % ALPHABET.length];
  return body;
}

/**
 * The generated DNS name of a service, in the shape AWS documents
 * (`<name>-<hex>.<hex>.vpc-lattice-svcs.<region>.on.aws`), derived from the service id and account.
 */
export function serviceDnsEntry(name: string, id: string, account: string, region: string): DnsEntry {
  const hex = (seed: string, length: number): string =>
    createHash("sha256").update(seed).digest("hex").slice(0, length);
  const zone = createHash("sha256").update(`zone:${region}`).digest("hex").slice(0, 13).toUpperCase();
  return {
    domainName: `${name}-${hex(id, 17)}.${hex(account, 7)}.vpc-lattice-svcs.${region}.on.aws`,
    hostedZoneId: `Z${zone}`,
  };
}
