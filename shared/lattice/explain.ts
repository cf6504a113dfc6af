/**
 * Why a request ends where it does on a VPC Lattice Gateway: which service answers its host (a
 * service network has no address of its own: a client reaches one service by its custom domain
 * name or its generated DNS name), the listener on its port, the rule that matched (or the default
 * action), every earlier rule with the part of its match the request failed, and where it goes.
 * Pure: the desired model and a request in, an explanation out; `switchyard explain` renders it.
 */
import type { LatticeBuild } from "./build.ts";
import { evaluateLatticeListener, failedPart, type LatticeOutcome, type LatticeRequest } from "./evaluate.ts";
import type { LatticeMatch, LatticeModel, LatticeServiceModel } from "./model.ts";

export interface LatticeExplainRequest extends LatticeRequest {
  /** The Host header (a port, if any, is ignored). */
  host: string;
  port: number;
}

export type ServiceChoice = "custom domain name" | "generated DNS name" | "the Gateway's address";

export interface LatticeExplanation {
  gateway: string;
  service: string;
  serviceName: string;
  chosenBy: ServiceChoice;
  listener: string;
  rule: { priority: number | "default"; route?: string; ruleIndex?: number; matchIndex?: number; match?: LatticeMatch };
  skipped: { priority: number; failed: string }[];
  outcome:
    | { kind: "forward"; backends: { backend: string; share: number }[] }
    | { kind: "fixed-response"; statusCode: number };
  /**
   * Set when the service is the Gateway's Gateway service (gateway-service.ts): the routes it
   * merges, and those it leaves out with why (each reachable at its own service only).
   */
  gatewayService?: { merged: string[]; leftOut: { route: string; why: string }[] };
}

export function hostName(host: string): string {
  const colon = host.lastIndexOf(":");
  const bare = colon > 0 && !host.endsWith("]") && /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
  return bare.toLowerCase();
}

/**
 * The service a host reaches on a Gateway's network: the one whose custom domain name it is,
 * else the one whose generated name (`<name>-<id>.<partition>.vpc-lattice-svcs.<region>.on.aws`)
 * it is, else — when `gatewayAddress` is undefined or equals the host — the service whose DNS name
 * the Gateway publishes as its address.
 */
export function resolveService(
  model: LatticeModel,
  host: string,
  gatewayAddress?: string,
  network: readonly LatticeServiceModel[] = model.services,
): { service: LatticeServiceModel; chosenBy: ServiceChoice } | undefined {
  const name = hostName(host);
  const custom = network.find((s) => s.customDomainName === name);
  if (custom) return { service: custom, chosenBy: "custom domain name" };
  const generated = network.find((s) => name.startsWith(`${s.name}-svc-`) && name.includes(".vpc-lattice-svcs."));
  if (generated) return { service: generated, chosenBy: "generated DNS name" };
  if (gatewayAddress !== undefined && hostName(gatewayAddress) !== name) return undefined;
  const address = network.find((s) => s.id === model.addressService);
  return address ? { service: address, chosenBy: "the Gateway's address" } : undefined;
}

function backendOf(model: LatticeModel, id: string): string {
  const owned = model.targetGroups.find((t) => t.id === id);
  if (owned) return owned.backend || "(invalid backends: 503)";
  return model.targetGroupReferences.find((r) => r.id === id)?.backend ?? id;
}

export function explainOutcome(model: LatticeModel, outcome: LatticeOutcome): LatticeExplanation["outcome"] {
  if (outcome.kind === "fixed-response") return { kind: "fixed-response", statusCode: outcome.statusCode };
  return {
    kind: "forward",
    backends: outcome.targetGroups.map((t) => ({ backend: backendOf(model, t.targetGroupId), share: t.share })),
  };
}

/**
 * The services in a Gateway's service network: those it builds, and those it associates that
 * another Gateway builds (a route with several Lattice parents).
 */
export function networkServices(model: LatticeModel, builds: readonly LatticeBuild[]): LatticeServiceModel[] {
  const others = builds
    .filter((b) => b.model !== model)
    .flatMap((b) => b.model.services)
    .filter((s) => model.serviceAssociations.includes(s.id));
  return [...model.services, ...others];
}

/** One explanation per Lattice Gateway with a service answering the host on the request's port. */
export function explainLatticeRequest(
  builds: readonly LatticeBuild[],
  request: LatticeExplainRequest,
): LatticeExplanation[] {
  const out: LatticeExplanation[] = [];
  for (const { model, gatewayService } of builds) {
    const found = resolveService(model, request.host, undefined, networkServices(model, builds));
    if (!found) continue;
    const listener = found.service.listeners.find((l) => l.port === request.port);
    if (!listener) continue;
    const outcome = evaluateLatticeListener(listener.rules, listener.defaultAction, request);
    const matched = listener.rules.find((r) => r.priority === outcome.rulePriority);
    out.push({
      gateway: model.gatewayKey,
      service: found.service.id,
      serviceName: found.service.name,
      chosenBy: found.chosenBy,
      listener: listener.id,
      rule: matched
        ? {
            priority: matched.priority,
            route: matched.source.route,
            ruleIndex: matched.source.rule,
            matchIndex: matched.source.match,
            match: matched.match,
          }
        : { priority: "default" },
      skipped: listener.rules
        .filter((r) => outcome.rulePriority === "default" || r.priority < outcome.rulePriority)
        .map((r) => ({ priority: r.priority, failed: failedPart(r.match, request) ?? "(no part failed)" })),
      outcome: explainOutcome(model, outcome),
      ...(gatewayService?.serviceId === found.service.id
        ? { gatewayService: { merged: gatewayService.merged, leftOut: gatewayService.leftOut } }
        : {}),
    });
  }
  return out;
}
