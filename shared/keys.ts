/**
 * Gateway keys as branded strings. A Gateway is `namespace/name` inside one cluster and
 * `cluster/namespace/name` across the control plane (the SQS group id, the store's partition, the
 * ownership tag). Both are plain strings at runtime, so they print, compare and serialise as
 * before; the brand makes the compiler refuse a string that was never checked, so a key with a
 * stray `/` or an upper-case letter is refused where it enters instead of addressing the wrong
 * partition. Build one with `gatewayKey`/`clusterGatewayKey` from parts, or `parse…` from text.
 */

declare const gatewayKeyBrand: unique symbol;
declare const clusterGatewayKeyBrand: unique symbol;

/** `namespace/name`: a Gateway within its cluster. */
export type GatewayKey = string & { readonly [gatewayKeyBrand]: true };

/** `cluster/namespace/name`: a Gateway anywhere switchyard reconciles. */
export type ClusterGatewayKey = string & { readonly [clusterGatewayKeyBrand]: true };

/**
 * Kubernetes object names are DNS-1123 subdomains: lower-case alphanumerics, `-` and `.`, starting
 * and ending alphanumeric, at most 253 characters. Namespaces are the stricter DNS-1123 label; the
 * subdomain rule accepts every valid namespace, and the API server has already refused the rest.
 */
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** @default 253 — Kubernetes' limit for a DNS-1123 subdomain (`validation.DNS1123SubdomainMaxLength`). */
export const MAX_NAME_LENGTH = 253;

/** Cluster ids become part of AWS resource names and tags: lower-case alphanumerics and `-`. */
const CLUSTER_ID = /^[a-z0-9-]+$/;
/** @default 63 — a cluster id must fit a DNS label, since it appears in names built from it. */
export const MAX_CLUSTER_ID_LENGTH = 63;

/** Which part of a key was refused. */
export type GatewayKeyPart = "cluster" | "namespace" | "name" | "key";

/** A gateway key, or one of its parts, that breaks the naming rules. */
export class InvalidGatewayKey extends Error {
  /** The text as given (the whole key, or the part when built from parts). */
  readonly input: string;
  readonly part: GatewayKeyPart;

  constructor(input: string, part: GatewayKeyPart, reason: string) {
    super(`invalid gateway key ${JSON.stringify(input)}: ${part} ${reason}`);
    this.name = "InvalidGatewayKey";
    this.input = input;
    this.part = part;
  }
}

function checkName(value: string, part: "namespace" | "name", input: string): void {
  // Callers pass fields of objects a cluster sent, which a malformed object may leave null or a number.
  if (typeof value !== "string") throw new InvalidGatewayKey(String(input), part, `is not a string (${typeof value})`);
  if (value.length === 0) throw new InvalidGatewayKey(input, part, "is empty");
  if (value.length > MAX_NAME_LENGTH) {
    throw new InvalidGatewayKey(input, part, `is ${value.length} characters, over ${MAX_NAME_LENGTH}`);
  }
  if (!DNS_1123_SUBDOMAIN.test(value)) {
    throw new InvalidGatewayKey(
      input,
      part,
      `${JSON.stringify(value)} is not a DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', starting and ending alphanumeric)`,
    );
  }
}

function checkCluster(value: string, input: string): void {
  if (value.length === 0) throw new InvalidGatewayKey(input, "cluster", "is empty");
  if (value.length > MAX_CLUSTER_ID_LENGTH) {
    throw new InvalidGatewayKey(input, "cluster", `is ${value.length} characters, over ${MAX_CLUSTER_ID_LENGTH}`);
  }
  if (!CLUSTER_ID.test(value)) {
    throw new InvalidGatewayKey(
      input,
      "cluster",
      `${JSON.stringify(value)} has characters other than a-z, 0-9 and '-'`,
    );
  }
}

/** The key of Gateway `name` in `namespace`; throws InvalidGatewayKey if either breaks the rules. */
export function gatewayKey(namespace: string, name: string): GatewayKey {
  checkName(namespace, "namespace", namespace);
  checkName(name, "name", name);
  return `${namespace}/${name}` as GatewayKey;
}

/** The cross-cluster key of a Gateway, from its cluster and either its parts or its GatewayKey. */
export function clusterGatewayKey(cluster: string, key: GatewayKey): ClusterGatewayKey;
export function clusterGatewayKey(cluster: string, namespace: string, name: string): ClusterGatewayKey;
export function clusterGatewayKey(cluster: string, keyOrNamespace: string, name?: string): ClusterGatewayKey {
  checkCluster(cluster, cluster);
  // A GatewayKey is already checked, but at runtime it is a string like any other: check it again
  // rather than trust an overload the caller may have reached through a cast.
  const key = name === undefined ? parseGatewayKey(keyOrNamespace) : gatewayKey(keyOrNamespace, name);
  return `${cluster}/${key}` as ClusterGatewayKey;
}

/** `namespace/name` as a GatewayKey; throws InvalidGatewayKey naming the part that is wrong. */
export function parseGatewayKey(text: string): GatewayKey {
  const parts = text.split("/");
  if (parts.length !== 2) {
    throw new InvalidGatewayKey(text, "key", `has ${parts.length} '/'-separated parts, expected namespace/name`);
  }
  const [namespace = "", name = ""] = parts;
  checkName(namespace, "namespace", text);
  checkName(name, "name", text);
  return text as GatewayKey;
}

/** `cluster/namespace/name` as a ClusterGatewayKey; throws InvalidGatewayKey naming the part that is wrong. */
export function parseClusterGatewayKey(text: string): ClusterGatewayKey {
  const parts = text.split("/");
  if (parts.length !== 3) {
    throw new InvalidGatewayKey(
      text,
      "key",
      `has ${parts.length} '/'-separated parts, expected cluster/namespace/name`,
    );
  }
  const [cluster = "", namespace = "", name = ""] = parts;
  checkCluster(cluster, text);
  checkName(namespace, "namespace", text);
  checkName(name, "name", text);
  return text as ClusterGatewayKey;
}

/** The parts of a ClusterGatewayKey (always three: the brand guarantees the shape). */
export function splitClusterGatewayKey(key: ClusterGatewayKey): {
  cluster: string;
  gatewayKey: GatewayKey;
  namespace: string;
  name: string;
} {
  const [cluster = "", namespace = "", name = ""] = key.split("/");
  return { cluster, gatewayKey: `${namespace}/${name}` as GatewayKey, namespace, name };
}
