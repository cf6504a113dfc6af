/**
 * backendRef resolution: the Service (or ServiceImport) a reference names, whether the route may
 * reference it, the port it uses and the ready endpoints behind that port. An invalid reference is
 * kept with its problem so that its share of traffic answers 500 instead of silently vanishing.
 */
import type { ServiceImport } from "../extensions/lattice.ts";
import { type BackendRef, GATEWAY_GROUP, type RouteKind } from "../gateway-api/types.ts";
import {
  type EndpointPort,
  type EndpointSlice,
  SERVICE_NAME_LABEL,
  type Service,
  type ServicePort,
} from "../k8s/core.ts";
import { problem, Reason } from "../status/conditions.ts";
import type { ResolvedBackend, ResolvedEndpoint } from "./model.ts";
import type { ReferenceIndex } from "./reference-grants.ts";

const SERVICE_IMPORT_GROUPS: readonly string[] = ["multicluster.x-k8s.io", "application-networking.k8s.aws"];

/** appProtocol values switchyard can carry to a target group. */
const KNOWN_APP_PROTOCOLS = new Set([
  "http",
  "https",
  "http2",
  "h2c",
  "grpc",
  "tcp",
  "udp",
  "tls",
  "kubernetes.io/h2c",
  "kubernetes.io/ws",
  "kubernetes.io/wss",
]);

export interface BackendContext {
  services: ReadonlyMap<string, Service>;
  serviceImports: ReadonlyMap<string, ServiceImport>;
  endpointSlices: ReadonlyMap<string, EndpointSlice[]>;
  references: ReferenceIndex;
  /** Memo of readyEndpoints per `namespace/service#port`: many rules share one Service port. */
  endpointCache?: Map<string, ResolvedEndpoint[]>;
}

export function indexEndpointSlices(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  const index = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!service) continue;
    const key = `${slice.metadata.namespace ?? "default"}/${service}`;
    const list = index.get(key);
    if (list) list.push(slice);
    else index.set(key, [slice]);
  }
  return index;
}

export function resolveBackend(
  from: { kind: RouteKind; namespace: string },
  ref: BackendRef,
  index: number,
  ctx: BackendContext,
): ResolvedBackend {
  const group = ref.group ?? "";
  const kind = ref.kind ?? "Service";
  const namespace = ref.namespace ?? from.namespace;
  const backend: ResolvedBackend = {
    index,
    namespace,
    name: ref.name,
    kind,
    group,
    port: ref.port,
    weight: ref.weight ?? 1,
    endpoints: [],
  };
  const label = `${kind} ${namespace}/${ref.name}`;
  const isService = group === "" && kind === "Service";
  const isImport = kind === "ServiceImport" && SERVICE_IMPORT_GROUPS.includes(group);
  if (!isService && !isImport) {
    backend.problem = problem(
      Reason.InvalidKind,
      `backendRef ${group ? `${group}/` : ""}${kind} ${ref.name} is not a supported backend kind (Service or ServiceImport)`,
    );
    return backend;
  }
  const permitted = ctx.references.allows(
    { group: GATEWAY_GROUP, kind: from.kind, namespace: from.namespace },
    { group, kind, namespace, name: ref.name },
  );
  if (!permitted) {
    backend.problem = problem(
      Reason.RefNotPermitted,
      `${label} is in another namespace and no ReferenceGrant in ${namespace} allows ${from.kind}s from ${from.namespace}`,
    );
    return backend;
  }
  if (isImport) {
    const serviceImport = ctx.serviceImports.get(`${namespace}/${ref.name}`);
    if (!serviceImport) backend.problem = problem(Reason.BackendNotFound, `${label} not found`);
    else backend.serviceImport = serviceImport;
    return backend;
  }
  const service = ctx.services.get(`${namespace}/${ref.name}`);
  if (!service) {
    backend.problem = problem(Reason.BackendNotFound, `${label} not found`);
    return backend;
  }
  backend.service = service;
  const servicePort = servicePorts(service).find((p) => p.port === ref.port);
  if (!servicePort) {
    backend.problem = problem(Reason.BackendNotFound, `${label} has no port ${ref.port ?? "(unset)"}`);
    return backend;
  }
  backend.servicePort = servicePort;
  if (servicePort.appProtocol !== undefined) {
    backend.appProtocol = servicePort.appProtocol;
    if (!KNOWN_APP_PROTOCOLS.has(servicePort.appProtocol.toLowerCase())) {
      backend.problem = problem(
        Reason.UnsupportedProtocol,
        `${label} port ${servicePort.port} has unsupported appProtocol ${servicePort.appProtocol}`,
      );
      return backend;
    }
  }
  const cacheKey = `${namespace}/${ref.name}#${servicePort.name ?? ""}`;
  let endpoints = ctx.endpointCache?.get(cacheKey);
  if (!endpoints) {
    endpoints = readyEndpoints(ctx.endpointSlices.get(`${namespace}/${ref.name}`) ?? [], servicePort.name);
    ctx.endpointCache?.set(cacheKey, endpoints);
  }
  backend.endpoints = endpoints;
  return backend;
}

/**
 * Core kinds are checked only for their metadata (manifests) or not at all (the objects mirror), so
 * the fields read here are taken only where they have the shape the Kubernetes API gives them: a
 * port, endpoint or address that does not is skipped, as if absent.
 */
function entries(list: unknown): Record<string, unknown>[] {
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPortNumber(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65_535;
}

const optionalString = (value: unknown) => value === undefined || typeof value === "string";

function servicePorts(service: Service): ServicePort[] {
  return entries(service.spec?.ports).filter(
    (p): p is Record<string, unknown> & ServicePort =>
      isPortNumber(p.port) && optionalString(p.name) && optionalString(p.appProtocol),
  );
}

function endpointPorts(slice: EndpointSlice): EndpointPort[] {
  return entries(slice.ports).filter(
    (p): p is Record<string, unknown> & EndpointPort =>
      (p.port === undefined || isPortNumber(p.port)) && optionalString(p.name),
  );
}

/** Ready, non-terminating endpoint addresses for the named service port, sorted for stable output. */
function readyEndpoints(slices: readonly EndpointSlice[], portName: string | undefined): ResolvedEndpoint[] {
  const seen = new Set<string>();
  const out: ResolvedEndpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType === "FQDN") continue;
    const port = endpointPorts(slice).find((p) => (p.name ?? "") === (portName ?? ""));
    if (port?.port === undefined) continue;
    for (const endpoint of entries(slice.endpoints)) {
      const conditions = isRecord(endpoint.conditions) ? endpoint.conditions : {};
      // A nil `ready` means ready, as the EndpointSlice API specifies.
      if (conditions.ready === false || conditions.terminating === true) continue;
      const zone = typeof endpoint.zone === "string" && endpoint.zone !== "" ? endpoint.zone : undefined;
      const addresses = Array.isArray(endpoint.addresses) ? endpoint.addresses : [];
      for (const ip of addresses) {
        if (typeof ip !== "string") continue;
        const key = `${ip}:${port.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(zone ? { ip, port: port.port, zone } : { ip, port: port.port });
      }
    }
  }
  return out.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}
