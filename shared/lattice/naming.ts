/**
 * Names of what switchyard builds in VPC Lattice. Lattice names allow lowercase letters, digits
 * and hyphens, no hyphen first, last or twice in a row; services take 3–40 characters, target
 * groups 3–128, service networks 3–63 (CreateService, CreateTargetGroup, CreateServiceNetwork).
 * A service is named like the Lattice controller names it (`<route[:20]>-<namespace[:18]>`) so
 * users moving from it keep their DNS names; a name that would not be valid, or that truncation
 * makes ambiguous, gets a deterministic hash instead. Names derive only from identity.
 */
import { shortHash } from "../elb/naming.ts";

export const SERVICE_NAME_MAX = 40;
export const TARGET_GROUP_NAME_MAX = 128;
export const SERVICE_NETWORK_NAME_MAX = 63;
const NAME_MIN = 3;

const VALID_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Why `name` is not a valid Lattice resource name of at most `max` characters, or undefined. */
export function latticeNameProblem(name: string, max: number, reservedPrefix?: string): string | undefined {
  if (name.length < NAME_MIN || name.length > max) return `must be ${NAME_MIN}–${max} characters (has ${name.length})`;
  if (!VALID_NAME.test(name)) {
    return "may hold only lowercase letters, digits and single hyphens, and may not start or end with a hyphen";
  }
  // Ids look like `svc-…`, `tg-…`: a name may not, so the two can never be confused.
  if (reservedPrefix && name.startsWith(reservedPrefix)) return `may not start with ${reservedPrefix}`;
  return undefined;
}

/** Lowercase, every run of other characters one hyphen, trimmed, at most `max` characters. */
export function slug(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");
}

/**
 * The Lattice controller's service name, `<route[:20]>-<namespace[:18]>`, when it is valid and
 * the route and namespace fit without truncation; otherwise `<route>-<namespace>` slugs shortened
 * to leave room for `-<hash>` of the route's identity, so two routes never share a name.
 */
export function serviceName(routeKind: string, namespace: string, name: string): string {
  const controller = `${name.slice(0, 20)}-${namespace.slice(0, 18)}`;
  if (
    name.length <= 20 &&
    namespace.length <= 18 &&
    latticeNameProblem(controller, SERVICE_NAME_MAX, "svc-") === undefined
  ) {
    return controller;
  }
  const hash = shortHash(routeKind, namespace, name).slice(0, 8);
  const room = SERVICE_NAME_MAX - hash.length - 1;
  const raw = slug(`${slug(name, 20)}-${slug(namespace, 18)}`, room) || "route";
  // A name may not look like an id: `svc-web` becomes `r-svc-web`.
  const base = raw.startsWith("svc-") ? slug(`r-${raw}`, room) : raw;
  return `${base}-${hash}`;
}

/**
 * `sy-<ns>-<service>-<port>-<hash>`; the hash covers the cluster, the owner (the Gateway, or the
 * ServiceExport for an export's group) and the group's model id, so two Gateways of one cluster
 * forwarding to one Service own two groups and never fight over one (names are unique per account).
 */
export function targetGroupName(
  clusterId: string,
  owner: string,
  namespace: string,
  service: string,
  port: number,
  id: string,
): string {
  const base = slug(`sy-${slug(namespace, 40)}-${slug(service, 60)}-${port}`, TARGET_GROUP_NAME_MAX - 11);
  return `${base}-${shortHash(clusterId, owner, id)}`;
}

/** A listener's Lattice name: `http-80`, `https-443`, `tls-passthrough-8443`. */
export function listenerName(protocol: string, port: number): string {
  return `${protocol.toLowerCase().replace(/_/g, "-")}-${port}`;
}

const SERVICE_NETWORK_ID = /^sn-[0-9a-z]{17}$/;
const SERVICE_NETWORK_ARN = /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:servicenetwork\/sn-[0-9a-z]{17}$/;

/** How a service network is named: an ARN, an id, or a name (checked against Lattice's rules). */
export function parseServiceNetworkRef(
  text: string,
): { kind: "name"; name: string } | { kind: "id"; id: string } | { kind: "arn"; arn: string } | { problem: string } {
  if (text.startsWith("arn:")) {
    return SERVICE_NETWORK_ARN.test(text)
      ? { kind: "arn", arn: text }
      : {
          problem: `${text} is not a VPC Lattice service network ARN (arn:aws:vpc-lattice:<region>:<account>:servicenetwork/sn-…)`,
        };
  }
  if (SERVICE_NETWORK_ID.test(text)) return { kind: "id", id: text };
  const problem = latticeNameProblem(text, SERVICE_NETWORK_NAME_MAX);
  return problem ? { problem: `service network name ${text} ${problem}` } : { kind: "name", name: text };
}
