/**
 * Listeners of a Gateway: its own, then those of the ListenerSets it admits. Each is checked for a
 * protocol the data plane speaks, the route kinds it allows, its certificates, and conflicts with
 * the listeners before it. Gateway listeners win over ListenerSet listeners; an older ListenerSet
 * wins over a newer one.
 */
import type { DataPlane } from "../config.ts";
import { listenerHostnamesOverlap } from "../gateway-api/hostname.ts";
import {
  GATEWAY_GROUP,
  type Gateway,
  type ListenerEntry,
  type RouteGroupKind,
  type TLSModeType,
} from "../gateway-api/types.ts";
import type { Secret } from "../k8s/core.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { dataPlaneName, defaultRouteKinds, listenerProtocolProblem } from "./capabilities.ts";
import type { ListenerOrigin, ResolvedCertificate, ResolvedListener } from "./model.ts";
import type { ReferenceIndex } from "./reference-grants.ts";

/** Listener option naming one or more ACM certificate ARNs (comma-separated). */
export const CERTIFICATE_ARN_OPTION = "switchyard.dev/certificate-arn";
/** The VPC Lattice controller's listener option, honoured on Lattice Gateways. */
export const LATTICE_CERTIFICATE_ARN_OPTION = "application-networking.k8s.aws/certificate-arn";
const TLS_SECRET_TYPE = "kubernetes.io/tls";

export interface ListenerContext {
  dataPlane: DataPlane;
  secrets: ReadonlyMap<string, Secret>;
  references: ReferenceIndex;
}

export function resolveListener(entry: ListenerEntry, origin: ListenerOrigin, ctx: ListenerContext): ResolvedListener {
  const tlsMode: TLSModeType | undefined =
    entry.protocol === "HTTPS" || entry.protocol === "TLS" ? (entry.tls?.mode ?? "Terminate") : undefined;
  const from = entry.allowedRoutes?.namespaces?.from ?? "Same";
  const listener: ResolvedListener = {
    id: origin.kind === "Gateway" ? entry.name : `${origin.namespace}/${origin.name}/${entry.name}`,
    name: entry.name,
    origin,
    port: entry.port,
    protocol: entry.protocol,
    hostname: entry.hostname || undefined,
    tlsMode,
    certificates: [],
    allowedRoutes: {
      from,
      ...(entry.allowedRoutes?.namespaces?.selector ? { selector: entry.allowedRoutes.namespaces.selector } : {}),
    },
    supportedKinds: [],
    attachments: [],
  };
  const protocolProblem = listenerProtocolProblem(ctx.dataPlane, entry.protocol, tlsMode);
  if (protocolProblem) {
    listener.acceptedProblem = protocolProblem;
    return listener;
  }
  const known =
    ctx.dataPlane === "lattice" ? [CERTIFICATE_ARN_OPTION, LATTICE_CERTIFICATE_ARN_OPTION] : [CERTIFICATE_ARN_OPTION];
  const unknownOptions = Object.keys(entry.tls?.options ?? {}).filter((k) => !known.includes(k));
  if (unknownOptions.length > 0) {
    listener.acceptedProblem = problem(
      Reason.UnsupportedValue,
      `tls.options ${unknownOptions.join(", ")} ${unknownOptions.length === 1 ? "is" : "are"} not supported; switchyard reads only ${CERTIFICATE_ARN_OPTION}`,
    );
    return listener;
  }
  const kinds = routeKinds(entry, ctx.dataPlane, tlsMode);
  listener.supportedKinds = kinds.supported;
  if (kinds.problem) listener.resolvedRefsProblem = kinds.problem;
  if (tlsMode === "Terminate") {
    const certs = resolveCertificates(entry, origin, ctx);
    listener.certificates = certs.certificates;
    listener.resolvedRefsProblem ??= certs.problem;
  }
  return listener;
}

function routeKinds(
  entry: ListenerEntry,
  dataPlane: DataPlane,
  tlsMode: TLSModeType | undefined,
): { supported: RouteGroupKind[]; problem?: StatusProblem } {
  const defaults = defaultRouteKinds(dataPlane, entry.protocol, tlsMode);
  const requested = entry.allowedRoutes?.kinds;
  if (!requested || requested.length === 0) {
    return { supported: defaults.map((kind) => ({ group: GATEWAY_GROUP, kind })) };
  }
  const supported: RouteGroupKind[] = [];
  const invalid: string[] = [];
  for (const k of requested) {
    const group = k.group ?? GATEWAY_GROUP;
    if (group === GATEWAY_GROUP && (defaults as string[]).includes(k.kind)) {
      if (!supported.some((s) => s.kind === k.kind)) supported.push({ group, kind: k.kind });
    } else {
      invalid.push(group ? `${group}/${k.kind}` : k.kind);
    }
  }
  if (invalid.length === 0) return { supported };
  return {
    supported,
    problem: problem(
      Reason.InvalidRouteKinds,
      `route kinds ${invalid.join(", ")} cannot attach to a ${entry.protocol} listener on ${dataPlaneName(dataPlane)}`,
    ),
  };
}

function resolveCertificates(
  entry: ListenerEntry,
  origin: ListenerOrigin,
  ctx: ListenerContext,
): { certificates: ResolvedCertificate[]; problem?: StatusProblem } {
  const certificates: ResolvedCertificate[] = [];
  let first: StatusProblem | undefined;
  const note = (p: StatusProblem) => {
    first ??= p;
  };
  for (const [i, ref] of (entry.tls?.certificateRefs ?? []).entries()) {
    const group = ref.group ?? "";
    const kind = ref.kind ?? "Secret";
    const namespace = ref.namespace ?? origin.namespace;
    const at = `tls.certificateRefs[${i}]`;
    if (group !== "" || kind !== "Secret") {
      note(
        problem(
          Reason.InvalidCertificateRef,
          `${at}: ${group ? `${group}/` : ""}${kind} is not a supported certificate kind (core Secret)`,
        ),
      );
      continue;
    }
    const allowed = ctx.references.allows(
      { group: GATEWAY_GROUP, kind: origin.kind, namespace: origin.namespace },
      { group: "", kind: "Secret", namespace, name: ref.name },
    );
    if (!allowed) {
      note(
        problem(
          Reason.RefNotPermitted,
          `${at}: Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`,
        ),
      );
      continue;
    }
    const secret = ctx.secrets.get(`${namespace}/${ref.name}`);
    if (!secret) {
      note(problem(Reason.InvalidCertificateRef, `${at}: Secret ${namespace}/${ref.name} not found`));
      continue;
    }
    if (secret.type !== undefined && secret.type !== TLS_SECRET_TYPE) {
      note(
        problem(
          Reason.InvalidCertificateRef,
          `${at}: Secret ${namespace}/${ref.name} has type ${secret.type}, not ${TLS_SECRET_TYPE}`,
        ),
      );
      continue;
    }
    if (secret.acmImportError) {
      note(
        problem(
          Reason.InvalidCertificateRef,
          `${at}: Secret ${namespace}/${ref.name} cannot be used as a certificate: ${secret.acmImportError}`,
        ),
      );
      continue;
    }
    certificates.push({
      source: "certificateRef",
      secretKey: `${namespace}/${ref.name}`,
      ...(secret.acmCertificateArn ? { arn: secret.acmCertificateArn } : {}),
    });
  }
  // The VPC Lattice controller's listener option names one certificate ARN the same way.
  const options = entry.tls?.options ?? {};
  const named = [options[CERTIFICATE_ARN_OPTION], options[LATTICE_CERTIFICATE_ARN_OPTION]].filter(Boolean).join(",");
  for (const arn of named.split(",")) {
    if (arn.trim()) certificates.push({ source: "option", arn: arn.trim() });
  }
  return first ? { certificates, problem: first } : { certificates };
}

/** Ports on which two protocols can share one data-plane listener. */
function protocolsCompatible(dataPlane: DataPlane, a: string, b: string): boolean {
  if (a === b) return true;
  // NLB merges TCP and UDP on one port into a TCP_UDP listener.
  return dataPlane === "nlb" && ((a === "TCP" && b === "UDP") || (a === "UDP" && b === "TCP"));
}

function conflictBetween(dataPlane: DataPlane, a: ResolvedListener, b: ResolvedListener): StatusProblem | undefined {
  if (a.port !== b.port) return undefined;
  if (!protocolsCompatible(dataPlane, a.protocol, b.protocol)) {
    return problem(
      Reason.ProtocolConflict,
      `port ${a.port} is used by listeners with protocols ${a.protocol} and ${b.protocol}`,
    );
  }
  if (a.protocol !== b.protocol) return undefined;
  // Terminate and Passthrough on one port would need TLS and plain TCP on one data-plane listener;
  // without mixed termination the spec asks for ProtocolConflict on both.
  if (a.tlsMode !== b.tlsMode) {
    return problem(
      Reason.ProtocolConflict,
      `port ${a.port} is used by ${a.protocol} listeners with tls.mode ${a.tlsMode} and ${b.tlsMode}`,
    );
  }
  if ((a.hostname ?? "") === (b.hostname ?? "")) {
    return problem(
      Reason.HostnameConflict,
      `listeners ${a.id} and ${b.id} both use port ${a.port}/${a.protocol} with ${a.hostname ? `hostname ${a.hostname}` : "no hostname"}`,
    );
  }
  // A Network Load Balancer cannot route TLS by SNI: one TLS listener per port.
  if (dataPlane === "nlb" && a.protocol === "TLS") {
    return problem(
      Reason.HostnameConflict,
      `Network Load Balancer cannot route by hostname: listeners ${a.id} and ${b.id} share port ${a.port}/TLS`,
    );
  }
  return undefined;
}

function mixedTermination(a: ResolvedListener, b: ResolvedListener): boolean {
  return a.port === b.port && a.protocol === b.protocol && a.tlsMode !== b.tlsMode;
}

function markConflict(l: ResolvedListener, other: ResolvedListener, c: StatusProblem): void {
  if (l.conflict) return;
  l.conflict = c;
  if (c.reason === Reason.ProtocolConflict && mixedTermination(l, other)) l.mixedTermination = true;
}

/**
 * Marks conflicts. A listener that conflicts with an earlier tier (the Gateway's own listeners,
 * then each ListenerSet by age) loses alone; among the rest of one tier, every listener in a
 * conflict is marked. Conflicts are found whatever the data plane supports: an unsupported
 * protocol on a port still makes that port ambiguous (conformance ListenerSetProtocolConflict).
 */
export function markConflicts(dataPlane: DataPlane, tiers: readonly ResolvedListener[][]): void {
  const settled: ResolvedListener[] = [];
  for (const tier of tiers) {
    for (const l of tier) {
      for (const earlier of settled) {
        const c = conflictBetween(dataPlane, earlier, l);
        if (c) {
          markConflict(l, earlier, c);
          break;
        }
      }
    }
    const candidates = tier.filter((l) => !l.conflict);
    for (let i = 0; i < candidates.length; i++) {
      for (let j = i + 1; j < candidates.length; j++) {
        const a = candidates[i];
        const b = candidates[j];
        if (!a || !b) continue;
        const c = conflictBetween(dataPlane, a, b);
        if (c) {
          markConflict(a, b, c);
          markConflict(b, a, c);
        }
      }
    }
    // A loop, not push(...spread): ListenerSets make the candidates on one port unbounded.
    for (const l of candidates) if (!l.conflict && !l.acceptedProblem) settled.push(l);
  }
}

/**
 * Marks TLS-terminating listeners that share a port and serve overlapping (not equal) hostnames,
 * e.g. `*.example.com` and `foo.example.com`: HTTP/2 connection coalescing can then carry a request
 * over the other listener's certificate. The godoc requires detecting this (OverlappingTLSConfig);
 * both listeners keep working.
 */
export function markOverlappingTls(listeners: readonly ResolvedListener[]): void {
  const terminating = listeners.filter((l) => l.tlsMode === "Terminate" && !l.acceptedProblem && !l.conflict);
  for (const [i, a] of terminating.entries()) {
    for (const b of terminating.slice(i + 1)) {
      if (a.port !== b.port || (a.hostname ?? "") === (b.hostname ?? "")) continue;
      if (!listenerHostnamesOverlap(a.hostname, b.hostname)) continue;
      const message = `listeners ${a.id} and ${b.id} on port ${a.port} terminate TLS for overlapping hostnames ${a.hostname ?? "(any)"} and ${b.hostname ?? "(any)"}`;
      a.overlappingTls ??= problem(Reason.OverlappingHostnames, message);
      b.overlappingTls ??= problem(Reason.OverlappingHostnames, message);
    }
  }
}

export function gatewayOrigin(gateway: Gateway): ListenerOrigin {
  return {
    kind: "Gateway",
    namespace: gateway.metadata.namespace ?? "default",
    name: gateway.metadata.name,
    generation: gateway.metadata.generation,
  };
}
