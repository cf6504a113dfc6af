/**
 * A Gateway of a VPC Lattice class → its desired Lattice model. The Gateway stands for a service
 * network (referenced, never deleted implicitly); each route attached to it becomes one Lattice
 * service with a listener per Gateway listener port and protocol, one rule per match in Gateway
 * API precedence order (priorities 1..N), and weighted forwards to target groups per
 * (cluster, Service, port). Anything Lattice cannot express rejects only the route that asked for
 * it (Accepted=False UnsupportedValue), or drops only the rule holding a value Lattice would
 * refuse (PartiallyInvalid), exactly as the ALB builder does; the Gateway itself stays whole.
 * The Gateway service, merging the hostname-less routes, is added by translate.ts
 * (gateway-service.ts) once every parent's refusals are known.
 */
import { DataPlaneEnvelope } from "../dataplane/envelope.ts";
import type { CertificateTarget } from "../elb/certificates.ts";
import type { AcmCertificate } from "../elb/context.ts";
import { ownershipTags } from "../elb/naming.ts";
import {
  type AccessLogPolicy,
  type IAMAuthPolicy,
  LatticeAnnotation,
  SwitchyardLatticeAnnotation,
  type TargetGroupPolicy,
  type VpcAssociationPolicy,
} from "../extensions/lattice.ts";
import { isWildcardHostname } from "../gateway-api/hostname.ts";
import type { GRPCRouteMatch, HTTPRouteMatch } from "../gateway-api/types.ts";
import type { ResolvedGateway, ResolvedListener, ResolvedRoute, ResolvedRule } from "../graph/model.ts";
import { objectKey } from "../k8s/meta.ts";
import { orderByPrecedence } from "../precedence/order.ts";
import type { MatchUnitKey } from "../precedence/unit.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { type ExportIndex, FIXED_404, FIXED_500, forwardedGroups, ruleAction } from "./actions.ts";
import { type LatticeLimits, MAX_CUSTOM_DOMAIN_NAME_LENGTH, MAX_RULE_PRIORITY } from "./limits.ts";
import { grpcMatchParts, httpMatchParts, type MatchPart, matchValueProblem } from "./matches.ts";
import type {
  AccessLogSubscriptionModel,
  AuthModel,
  LatticeAction,
  LatticeListenerModel,
  LatticeListenerProtocol,
  LatticeModel,
  LatticeRuleModel,
  LatticeTargetGroupReference,
  ServiceNetworkModel,
} from "./model.ts";
import { latticeNameProblem, listenerName, parseServiceNetworkRef, SERVICE_NAME_MAX, serviceName } from "./naming.ts";
import { LatticeTargetGroupSet } from "./target-groups.ts";

/** Lattice policies whose status is Accepted, by kind. Refused ones apply nothing. */
export interface AcceptedLatticePolicies {
  targetGroup: readonly TargetGroupPolicy[];
  vpcAssociation: readonly VpcAssociationPolicy[];
  accessLog: readonly AccessLogPolicy[];
  iamAuth: readonly IAMAuthPolicy[];
}

export interface LatticeBuildContext {
  clusterId: string;
  policies: AcceptedLatticePolicies;
  exports: ExportIndex;
  limits: LatticeLimits;
  acmCertificates?: readonly AcmCertificate[];
  target?: CertificateTarget;
}

export interface LatticeBuild {
  model: LatticeModel;
  routeProblems: Map<string, StatusProblem>;
  routePartial: Map<string, StatusProblem>;
  listenerProblems: Map<string, string>;
  listenerPending: Map<string, string>;
  /** Why the Gateway names no usable service network (then nothing is built). */
  networkProblem?: string;
  /** What the Gateway service merges and leaves out (gateway-service.ts); absent before translate.ts adds it. */
  gatewayService?: GatewayServiceReport;
}

/** The Gateway service of one Gateway: whether it is built, what it leaves out and why. */
export interface GatewayServiceReport {
  /** Its model id (`Gateway/ns/name`) when built. */
  serviceId?: string;
  /** Routes it merges, by route key. */
  merged: string[];
  /** Routes attached to the Gateway it does not merge, each with why (reachable at its own service). */
  leftOut: { route: string; why: string }[];
  /** Sentences for the Gateway's status: routes or listeners left out by a limit, an invalid annotation. */
  notes: string[];
}

const TRUE = "true";

/** The Lattice listener a Gateway listener becomes. */
export function latticeProtocol(l: ResolvedListener): LatticeListenerProtocol {
  if (l.protocol === "TLS") return "TLS_PASSTHROUGH";
  return l.protocol === "HTTPS" ? "HTTPS" : "HTTP";
}

function targetKey(kind: string, object: { metadata: { name: string; namespace?: string } }): string {
  return `${kind}/${objectKey(object.metadata)}`;
}

export function policyFor<
  T extends { spec?: { targetRef: { kind: string; name: string } }; metadata: { namespace?: string } },
>(policies: readonly T[], kind: string, key: string): T | undefined {
  return policies.find(
    (p) =>
      `${p.spec?.targetRef.kind}/${p.metadata.namespace ?? "default"}/${p.spec?.targetRef.name}` === `${kind}/${key}`,
  );
}

function authOf(policy: IAMAuthPolicy | undefined): AuthModel | undefined {
  return policy?.spec
    ? { authType: "AWS_IAM", policy: policy.spec.policy, source: objectKey(policy.metadata) }
    : undefined;
}

export function accessLogsOf(
  policies: readonly AccessLogPolicy[],
  kind: string,
  key: string,
): AccessLogSubscriptionModel[] {
  return policies
    .filter(
      (p) =>
        `${p.spec?.targetRef.kind}/${p.metadata.namespace ?? "default"}/${p.spec?.targetRef.name}` === `${kind}/${key}`,
    )
    .flatMap((p) => (p.spec ? [{ destinationArn: p.spec.destinationArn, policy: objectKey(p.metadata) }] : []))
    .sort((a, b) => (a.destinationArn < b.destinationArn ? -1 : 1));
}

/** Accepted TargetGroupPolicies by `Kind/ns/name` of their target. */
export function targetGroupPolicies(ctx: LatticeBuildContext): Map<string, TargetGroupPolicy> {
  return new Map(
    ctx.policies.targetGroup.map((p) => [
      `${p.spec?.targetRef.kind}/${p.metadata.namespace ?? "default"}/${p.spec?.targetRef.name}`,
      p,
    ]),
  );
}

/** A `standalone` route or Gateway: its services join no service network. */
export function isStandalone(gateway: ResolvedGateway, route: ResolvedRoute): boolean {
  return (
    gateway.object.metadata.annotations?.[LatticeAnnotation.standalone] === TRUE ||
    route.object.metadata.annotations?.[LatticeAnnotation.standalone] === TRUE
  );
}

/** The service network the Gateway names, or why it names none usable. */
function serviceNetwork(gateway: ResolvedGateway, ctx: LatticeBuildContext): ServiceNetworkModel | { problem: string } {
  const annotations = gateway.object.metadata.annotations ?? {};
  const classAnnotations = gateway.gatewayClass.object.metadata.annotations ?? {};
  const named =
    annotations[SwitchyardLatticeAnnotation.serviceNetwork] ??
    classAnnotations[SwitchyardLatticeAnnotation.serviceNetwork] ??
    gateway.object.metadata.name;
  const ref = parseServiceNetworkRef(named);
  if ("problem" in ref) return { problem: ref.problem };
  const create =
    (annotations[SwitchyardLatticeAnnotation.createServiceNetwork] ??
      classAnnotations[SwitchyardLatticeAnnotation.createServiceNetwork]) === TRUE;
  if (create && ref.kind !== "name") {
    return {
      problem: `${SwitchyardLatticeAnnotation.createServiceNetwork}: a service network can be created only by name, not from ${ref.kind} ${named}`,
    };
  }
  const key = gateway.key;
  const vpc = policyFor(ctx.policies.vpcAssociation, "Gateway", key);
  const auth = authOf(policyFor(ctx.policies.iamAuth, "Gateway", key));
  return {
    id: "service-network",
    ref,
    lifecycle: create ? "create" : "reference",
    ...(vpc?.spec?.associateWithVpc
      ? {
          vpcAssociation: {
            vpc: "cluster" as const,
            securityGroupIds: vpc.spec.securityGroupIds ?? [],
            policy: objectKey(vpc.metadata),
          },
        }
      : {}),
    ...(auth ? { auth } : {}),
    accessLogs: accessLogsOf(ctx.policies.accessLog, "Gateway", key),
    tags: create ? ownershipTags(ctx.clusterId, key, "service-network") : {},
  };
}

/** The Gateway that owns a route's service: its first Lattice parent that accepted it. */
export function serviceOwner(route: ResolvedRoute): string | undefined {
  return route.parents
    .filter((p) => p.dataPlane === "lattice" && !p.acceptedProblem && p.attachments.length > 0)
    .sort((a, b) => a.parentRefIndex - b.parentRefIndex)[0]?.gatewayKey;
}

function addPartial(partial: Map<string, StatusProblem>, route: string, found: StatusProblem): void {
  const known = partial.get(route);
  if (!known) partial.set(route, found);
  else if (!known.message.includes(found.message))
    partial.set(route, problem(known.reason, `${known.message}; ${found.message}`));
}

type RouteMatch = { kind: "HTTPRoute"; match: HTTPRouteMatch } | { kind: "GRPCRoute"; match: GRPCRouteMatch };

function routeMatches(route: ResolvedRoute, rule: ResolvedRule): RouteMatch[] {
  return route.kind === "GRPCRoute"
    ? rule.grpcMatches.map((match) => ({ kind: "GRPCRoute", match }))
    : rule.httpMatches.map((match) => ({ kind: "HTTPRoute", match }));
}

function unitKey(route: ResolvedRoute, ruleIndex: number, matchIndex: number, m: RouteMatch): MatchUnitKey {
  const base = {
    routeNamespace: route.object.metadata.namespace ?? "default",
    routeName: route.object.metadata.name,
    creationTimestamp: route.object.metadata.creationTimestamp,
    ruleIndex,
    matchIndex,
    hostname: undefined,
  };
  if (m.kind === "GRPCRoute") {
    return {
      ...base,
      routeKind: "GRPCRoute",
      grpc: {
        methodType: m.match.method?.type ?? "Exact",
        ...(m.match.method?.service ? { service: m.match.method.service } : {}),
        ...(m.match.method?.method ? { method: m.match.method.method } : {}),
        headerCount: m.match.headers?.length ?? 0,
      },
    };
  }
  return {
    ...base,
    routeKind: "HTTPRoute",
    http: {
      pathType: m.match.path?.type ?? "PathPrefix",
      pathValue: m.match.path?.value ?? "/",
      ...(m.match.method ? { method: m.match.method } : {}),
      headerCount: m.match.headers?.length ?? 0,
      queryParamCount: m.match.queryParams?.length ?? 0,
    },
  };
}

/** One match of a route rule, before numbering: its precedence key, Lattice match parts and action. */
export interface RuleUnit {
  key: MatchUnitKey;
  parts: MatchPart[];
  action: LatticeAction;
  route: string;
  rule: number;
  match: number;
}

/**
 * The rule units of one route for the Lattice service `service` (whose target groups the actions
 * name), or the problem that rejects the route. A rule holding a value Lattice would refuse is
 * dropped and recorded in `partial`; the others keep serving.
 */
export function routeUnits(
  route: ResolvedRoute,
  service: string,
  targetGroups: LatticeTargetGroupSet,
  ctx: LatticeBuildContext,
  references: Map<string, LatticeTargetGroupReference>,
  partial: Map<string, StatusProblem>,
): RuleUnit[] | StatusProblem {
  const units: RuleUnit[] = [];
  const refused: StatusProblem[] = [];
  for (const rule of route.rules) {
    const where = `spec.rules[${rule.index}]`;
    const missing: StatusProblem[] = [];
    const action = ruleAction(
      rule,
      where,
      { service, routeKind: route.kind, targetGroups, exports: ctx.exports, references },
      missing,
    );
    if ("reason" in action) return action;
    for (const m of missing) addPartial(partial, route.key, m);
    const ruleUnits: RuleUnit[] = [];
    let ruleRefused: StatusProblem | undefined;
    for (const [i, m] of routeMatches(route, rule).entries()) {
      const at = `${where}.matches[${i}]`;
      const parts = m.kind === "GRPCRoute" ? grpcMatchParts(m.match, at) : httpMatchParts(m.match, at);
      if ("reason" in parts) return parts;
      for (const p of parts) ruleRefused ??= matchValueProblem(p.match, at);
      ruleUnits.push({
        key: unitKey(route, rule.index, i, m),
        parts,
        action,
        route: route.key,
        rule: rule.index,
        match: i,
      });
    }
    // A value Lattice would refuse drops its rule, not the route: the other rules keep serving.
    if (ruleRefused) refused.push(ruleRefused);
    else units.push(...ruleUnits);
  }
  if (refused.length > 0) {
    const all = problem(Reason.UnsupportedValue, refused.map((p) => p.message).join("; "));
    if (units.length === 0) return all;
    addPartial(partial, route.key, all);
  }
  return units;
}

/** How many Lattice rules a route's units take (a segment-wise PathPrefix takes two). */
export function ruleCount(units: readonly RuleUnit[]): number {
  return units.reduce((n, u) => n + u.parts.length, 0);
}

/**
 * Units (of one route or several) in Gateway API precedence order, numbered 1..N as Lattice rules.
 * `prefix` keeps rule ids unique when units of several routes share a listener.
 */
export function numberRules(
  units: readonly RuleUnit[],
  prefix: (route: string) => string = () => "",
): LatticeRuleModel[] {
  const rules: LatticeRuleModel[] = [];
  for (const unit of orderByPrecedence(units, (u) => u.key)) {
    for (const p of unit.parts) {
      rules.push({
        id: `${prefix(unit.route)}r${unit.rule}-m${unit.match}${p.part ? `-${p.part}` : ""}`,
        priority: rules.length + 1,
        match: p.match,
        action: unit.action,
        source: { route: unit.route, rule: unit.rule, match: unit.match, ...(p.part ? { part: p.part } : {}) },
      });
    }
  }
  return rules;
}

/** A route's rules, ordered and numbered, or the problem that rejects the route. */
function routeRules(
  route: ResolvedRoute,
  targetGroups: LatticeTargetGroupSet,
  ctx: LatticeBuildContext,
  references: Map<string, LatticeTargetGroupReference>,
  partial: Map<string, StatusProblem>,
): LatticeRuleModel[] | StatusProblem {
  const units = routeUnits(route, route.key, targetGroups, ctx, references, partial);
  return "reason" in units ? units : numberRules(units);
}

/** The route's one custom domain name (undefined: none), or why Lattice cannot give it one. */
export function customDomain(route: ResolvedRoute, gatewayKey: string): { name: string | undefined } | StatusProblem {
  const names = new Set<string>();
  let unconstrained = false;
  for (const p of route.parents) {
    if (p.gatewayKey !== gatewayKey) continue;
    for (const a of p.attachments) {
      if (a.hostnames === undefined) unconstrained = true;
      else for (const h of a.hostnames) names.add(h);
    }
  }
  const list = [...names].sort();
  if (list.length > 1) {
    return problem(
      Reason.UnsupportedValue,
      `spec.hostnames: the route would serve ${list.length} hostnames (${list.join(", ")}); a VPC Lattice service has one custom domain name`,
    );
  }
  const name = list[0];
  if (name !== undefined && isWildcardHostname(name)) {
    return problem(
      Reason.UnsupportedValue,
      `spec.hostnames: ${name} is a wildcard; a VPC Lattice custom domain name is one fully qualified name`,
    );
  }
  if (name !== undefined && name.length > MAX_CUSTOM_DOMAIN_NAME_LENGTH) {
    return problem(
      Reason.UnsupportedValue,
      `spec.hostnames: ${name} is longer than VPC Lattice's ${MAX_CUSTOM_DOMAIN_NAME_LENGTH} characters`,
    );
  }
  if (route.kind === "TLSRoute" && (name === undefined || unconstrained)) {
    return problem(
      Reason.UnsupportedValue,
      "spec.hostnames: a TLSRoute on VPC Lattice needs exactly one hostname: TLS passthrough finds its service by SNI, through the custom domain name",
    );
  }
  return { name };
}

export function buildLattice(gateway: ResolvedGateway, ctx: LatticeBuildContext): LatticeBuild {
  const envelope = new DataPlaneEnvelope({
    gateway,
    tagsFor: (role) => ownershipTags(ctx.clusterId, gateway.key, role),
    acmCertificates: ctx.acmCertificates ?? [],
    target: ctx.target ?? {},
  });
  const { routeProblems, routePartial } = envelope;
  const network = serviceNetwork(gateway, ctx);
  const targetGroups = new LatticeTargetGroupSet(ctx.clusterId, gateway.key, targetGroupPolicies(ctx));
  const references = new Map<string, LatticeTargetGroupReference>();
  const model: LatticeModel = {
    gatewayKey: gateway.key,
    serviceNetwork:
      "problem" in network
        ? {
            id: "service-network",
            ref: { kind: "name", name: gateway.object.metadata.name },
            lifecycle: "reference",
            accessLogs: [],
            tags: {},
          }
        : network,
    services: [],
    serviceAssociations: [],
    targetGroups: [],
    targetGroupReferences: [],
  };
  const result = (): LatticeBuild => ({
    model,
    routeProblems,
    routePartial,
    listenerProblems: envelope.listenerProblems,
    listenerPending: envelope.listenerPending,
  });
  if ("problem" in network) {
    for (const l of envelope.listeners) envelope.listenerProblems.set(l.id, network.problem);
    return { ...result(), networkProblem: network.problem };
  }

  // Routes by key with the usable listeners they attach to, oldest first. Names and custom domain
  // names that must be unique are settled across every Gateway in translate.ts.
  const attached = new Map<string, { route: ResolvedRoute; listeners: ResolvedListener[] }>();
  for (const listener of envelope.listeners) {
    for (const a of listener.attachments) {
      const entry = attached.get(a.route.key) ?? { route: a.route, listeners: [] };
      if (!entry.listeners.includes(listener)) entry.listeners.push(listener);
      attached.set(a.route.key, entry);
    }
  }
  const byAge = [...attached.values()].sort((a, b) => {
    const ta = a.route.object.metadata.creationTimestamp ?? "";
    const tb = b.route.object.metadata.creationTimestamp ?? "";
    return ta < tb ? -1 : ta > tb ? 1 : a.route.key < b.route.key ? -1 : 1;
  });
  for (const { route, listeners } of byAge) {
    const standalone = isStandalone(gateway, route);
    if (serviceOwner(route) !== gateway.key) {
      // Another Gateway builds the service; this one only brings it into its network.
      if (!standalone) model.serviceAssociations.push(route.key);
      continue;
    }
    const reject = (p: StatusProblem) => routeProblems.set(route.key, p);
    const namespace = route.object.metadata.namespace ?? "default";
    const override = route.object.metadata.annotations?.[LatticeAnnotation.serviceNameOverride];
    if (override !== undefined) {
      const invalid = latticeNameProblem(override, SERVICE_NAME_MAX, "svc-");
      if (invalid) {
        reject(
          problem(
            Reason.UnsupportedValue,
            `annotation ${LatticeAnnotation.serviceNameOverride}: ${override} ${invalid}`,
          ),
        );
        continue;
      }
    }
    const name = override ?? serviceName(route.kind, namespace, route.object.metadata.name);
    const domain = customDomain(route, gateway.key);
    if ("reason" in domain) {
      reject(domain);
      continue;
    }
    // One Lattice listener per port and protocol, whatever Gateway listeners share it.
    const byPort = new Map<string, ResolvedListener[]>();
    for (const l of listeners) {
      const id = `${latticeProtocol(l)}:${l.port}`;
      byPort.set(id, [...(byPort.get(id) ?? []), l]);
    }
    if (byPort.size > ctx.limits.maxListenersPerService) {
      reject(
        problem(
          Reason.UnsupportedValue,
          `the route attaches to ${byPort.size} listener ports (${[...byPort.keys()].join(", ")}); a VPC Lattice service has at most ${ctx.limits.maxListenersPerService} listeners`,
        ),
      );
      continue;
    }
    const rules = route.kind === "TLSRoute" ? [] : routeRules(route, targetGroups, ctx, references, routePartial);
    if ("reason" in rules) {
      reject(rules);
      continue;
    }
    const limit = Math.min(ctx.limits.maxRulesPerListener, MAX_RULE_PRIORITY);
    if (rules.length > limit) {
      reject(
        problem(
          Reason.UnsupportedValue,
          `the route needs ${rules.length} VPC Lattice rules (a PathPrefix other than / takes two: exact and prefix); a listener holds ${limit}`,
        ),
      );
      continue;
    }
    let tlsAction: LatticeAction | undefined;
    if (route.kind === "TLSRoute") {
      const first = route.rules[0];
      if (route.rules.length > 1) {
        reject(
          problem(
            Reason.UnsupportedValue,
            "spec.rules: a VPC Lattice TLS passthrough listener forwards everything to one action; use one rule",
          ),
        );
        continue;
      }
      const missing: StatusProblem[] = [];
      const action = first
        ? ruleAction(
            first,
            "spec.rules[0]",
            { service: route.key, routeKind: route.kind, targetGroups, exports: ctx.exports, references },
            missing,
          )
        : FIXED_500;
      if ("reason" in action) {
        reject(action);
        continue;
      }
      for (const m of missing) addPartial(routePartial, route.key, m);
      // A TLS listener's default action must forward to a TCP group ("TLS listeners", user
      // guide): with no valid backend, an empty group refuses the connection instead of a 500.
      tlsAction =
        action.type === "forward"
          ? action
          : { type: "forward", targetGroups: [{ targetGroupId: targetGroups.sink(route.key, "TCP"), weight: 1 }] };
    }
    let certificateArn: string | undefined;
    const latticeListeners: LatticeListenerModel[] = [];
    for (const [id, gatewayListeners] of [...byPort.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const first = gatewayListeners[0];
      if (!first) continue;
      const protocol = latticeProtocol(first);
      if (protocol === "HTTPS" && domain.name !== undefined) {
        // Lattice serves its generated name with its own certificate; a custom domain needs ours.
        const certificates = envelope.certificates({
          listenerId: id,
          gatewayListeners,
          routeHostnames: [domain.name],
          config: undefined,
          hint: "add listener certificateRefs or an ACM certificate covering the route's hostname",
        });
        if (!certificates) continue;
        certificateArn ??= certificates.arns[0];
      }
      latticeListeners.push({
        id,
        name: listenerName(protocol, first.port),
        protocol,
        port: first.port,
        defaultAction: tlsAction ?? FIXED_404,
        rules: protocol === "TLS_PASSTHROUGH" ? [] : rules,
        gatewayListeners: gatewayListeners.map((l) => l.id),
        tags: envelope.tagsFor(`listener:${route.key}:${id}`),
      });
    }
    if (latticeListeners.length === 0) continue;
    const routeRef = targetKey(route.kind, route.object);
    const auth = authOf(policyFor(ctx.policies.iamAuth, route.kind, objectKey(route.object.metadata)));
    model.services.push({
      id: route.key,
      name,
      ...(domain.name !== undefined ? { customDomainName: domain.name } : {}),
      ...(certificateArn ? { certificateArn } : {}),
      ...(auth ? { auth } : {}),
      accessLogs: accessLogsOf(ctx.policies.accessLog, route.kind, objectKey(route.object.metadata)),
      listeners: latticeListeners,
      associateWithServiceNetwork: !standalone,
      tags: envelope.tagsFor(`service:${routeRef}`),
    });
    if (!standalone) model.serviceAssociations.push(route.key);
  }
  model.services.sort((a, b) => (a.id < b.id ? -1 : 1));
  model.serviceAssociations.sort();
  model.targetGroups = targetGroups.all();
  model.targetGroupReferences = [...references.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  pruneTargetGroups(model);
  return result();
}

/** Keeps only the target groups some service's rule or default action still forwards to. */
export function pruneTargetGroups(model: LatticeModel): void {
  const used = forwardedGroups(model.services.flatMap((s) => s.listeners));
  model.targetGroups = model.targetGroups.filter((tg) => used.has(tg.id));
  model.targetGroupReferences = model.targetGroupReferences.filter((r) => used.has(r.id));
}
