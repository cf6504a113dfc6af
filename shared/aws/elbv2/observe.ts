/**
 * Reading what exists in Elastic Load Balancing for one Gateway, in the model's terms.
 *
 * - observeFromArns: the drift check. Re-reads exactly what the state record claims, by ARN:
 *   DescribeLoadBalancers (1 call), DescribeListeners by load balancer (1 call per 400 listeners),
 *   DescribeRules per listener of an ALB (1 call per 400 rules; none for an NLB, whose listeners
 *   have only their default action), DescribeTargetGroups by ARN (1 call), so at most 3 +
 *   listeners + extra rule pages (3 for an NLB). No region-wide listing, no target health, and no
 *   attribute or certificate-list reads unless asked for: the record's attributes, targets,
 *   non-default certificates and pending secrets are carried over (DescribeListeners reports a
 *   listener's default certificate only).
 * - discoverByTags: after a crash or with no state record, finds everything tagged as this
 *   Gateway's, then reads it in full (attributes and targets included).
 * - describeTargets: the registered targets of one target group, for an explicit target drift check.
 */
import {
  DescribeCapacityReservationCommand,
  DescribeListenerAttributesCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type Rule,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { ShieldClient } from "@aws-sdk/client-shield";
import type { WAFV2Client } from "@aws-sdk/client-wafv2";
import type { ObservedLoadBalancerFeatures } from "../../elb/load-balancer-features.ts";
import type { TargetModel } from "../../elb/model.ts";
import { MANAGED_BY, TAG, tagValue } from "../../elb/naming.ts";
import {
  emptyObserved,
  type ObservedElb,
  type ObservedListener,
  type ObservedLoadBalancer,
  type ObservedRule,
  type ObservedTargetGroup,
} from "../../elb/observed.ts";
import type { ListenerProtocol } from "../../elb/rules.ts";
import { classifyCallError } from "../deadline.ts";
import { AwsOperationError } from "../errors.ts";
import { readProtection } from "../shield/protection.ts";
import { readWebAcl } from "../wafv2/web-acl.ts";
import { addOnsOf, creationSettingsFrom } from "./features.ts";
import { Answer } from "./response.ts";
import {
  forwardedArns,
  fromSdkActions,
  fromSdkAttributes,
  fromSdkCondition,
  fromSdkHealthCheck,
  fromSdkTransform,
} from "./translate.ts";

export interface GatewayIdentity {
  /** Value of the `switchyard.dev/cluster` tag. */
  cluster: string;
  /** Value of the `switchyard.dev/gateway` tag (the model's gateway key). */
  gateway: string;
}

export interface ObserveOptions {
  /** Also read load balancer and target group attributes: 1 + (target groups) calls. Default false. */
  attributes?: boolean;
  /** Also read each HTTPS/TLS listener's certificate list: 1 call per such listener. Default false. */
  listenerCertificates?: boolean;
  /** Also read registered targets (DescribeTargetHealth): 1 call per target group. Default false. */
  targets?: boolean;
  /**
   * Whose resources these are. A target group a rule forwards to that the record does not know is
   * adopted only when it carries this Gateway's tags (one DescribeTags call per 20 such groups);
   * anything else stays out of `targetGroups`, so no plan ever deletes a group it does not own.
   */
  owner?: GatewayIdentity;
  /**
   * Clients for the add-ons kept outside ELBv2. A Web ACL association and a Shield protection the
   * record has are re-read with them (1 call each); without a client the record's value is kept.
   */
  addOnClients?: { wafv2?: WAFV2Client; shield?: ShieldClient };
  /**
   * Also read the Shield protection when the record has none (discovery after a crash): the
   * protection's name tells whether switchyard made it. Default false.
   */
  readShield?: boolean;
}

const PAGE_SIZE = 400;
/** DescribeTags takes at most 20 resource ARNs per call. */
const TAG_BATCH = 20;

async function read<T>(operation: string, send: () => Promise<T>): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    const c = classifyCallError(error);
    if (c.kind === "notFound") return undefined;
    throw new AwsOperationError(operation, c, error);
  }
}

function hasTls(protocol: string | undefined): boolean {
  return protocol === "HTTPS" || protocol === "TLS";
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const LOAD_BALANCER_STATES = ["provisioning", "active", "active_impaired", "failed"] as const;
const PROTOCOLS = [
  "HTTP",
  "HTTPS",
  "TCP",
  "UDP",
  "TCP_UDP",
  "TLS",
  "QUIC",
  "TCP_QUIC",
] as const satisfies readonly ListenerProtocol[];

function loadBalancerFrom(lb: LoadBalancer, attributes: Record<string, string>): ObservedLoadBalancer {
  const answer = new Answer(
    "DescribeLoadBalancers",
    `load balancer ${lb.LoadBalancerArn ?? lb.LoadBalancerName ?? "?"}`,
  );
  return {
    arn: answer.string("LoadBalancerArn", lb.LoadBalancerArn),
    name: answer.string("LoadBalancerName", lb.LoadBalancerName),
    type: answer.oneOf("Type", lb.Type, ["application", "network"] as const),
    scheme: answer.oneOf("Scheme", lb.Scheme, ["internet-facing", "internal"] as const),
    ipAddressType: answer.oneOf("IpAddressType", lb.IpAddressType, [
      "ipv4",
      "dualstack",
      "dualstack-without-public-ipv4",
    ] as const),
    ...(lb.DNSName ? { dnsName: lb.DNSName } : {}),
    ...(lb.State?.Code ? { state: answer.oneOf("State.Code", lb.State.Code, LOAD_BALANCER_STATES) } : {}),
    subnets: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId ?? "").filter((s) => s !== ""),
    securityGroups: [...(lb.SecurityGroups ?? [])],
    ...(lb.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic === "on" ||
    lb.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic === "off"
      ? { enforceInboundRulesOnPrivateLinkTraffic: lb.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic }
      : {}),
    attributes,
    ...creationSettingsFrom(lb),
  };
}

/**
 * The add-ons switchyard set, as they are now: each is re-read only when the record says
 * switchyard set it (DescribeCapacityReservation, GetWebACLForResource, DescribeProtection: at
 * most 3 calls), so a Gateway without any costs nothing more.
 */
async function readAddOns(
  client: ElasticLoadBalancingV2Client,
  recorded: ObservedLoadBalancer,
  arn: string,
  options: ObserveOptions,
): Promise<ObservedLoadBalancerFeatures> {
  const out: ObservedLoadBalancerFeatures = {};
  if (recorded.minimumCapacityUnits !== undefined) {
    const reservation = await read("DescribeCapacityReservation", () =>
      client.send(new DescribeCapacityReservationCommand({ LoadBalancerArn: arn })),
    );
    const units = reservation?.MinimumLoadBalancerCapacity?.CapacityUnits;
    if (units !== undefined && units > 0) out.minimumCapacityUnits = units;
  }
  const { wafv2, shield } = options.addOnClients ?? {};
  if (recorded.webAcl) {
    const acl = wafv2 ? await readWebAcl(wafv2, arn) : recorded.webAcl;
    if (acl) out.webAcl = acl;
  }
  if (recorded.shieldProtection || (options.readShield && recorded.type === "application")) {
    const protection = shield ? await readProtection(shield, arn) : recorded.shieldProtection;
    if (protection) out.shieldProtection = { ...protection };
  }
  return out;
}

/** The listener attributes the record has, as they are now (other keys are AWS defaults). */
async function listenerAttributesNow(
  client: ElasticLoadBalancingV2Client,
  arn: string,
  recorded: Record<string, string>,
): Promise<Record<string, string>> {
  const response = await read("DescribeListenerAttributes", () =>
    client.send(new DescribeListenerAttributesCommand({ ListenerArn: arn })),
  );
  const now = fromSdkAttributes(response?.Attributes);
  return Object.fromEntries(Object.keys(recorded).flatMap((k) => (now[k] !== undefined ? [[k, now[k]]] : [])));
}

async function describeListeners(client: ElasticLoadBalancingV2Client, lbArn: string): Promise<Listener[]> {
  const out: Listener[] = [];
  let marker: string | undefined;
  do {
    const page = await read("DescribeListeners", () =>
      client.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn, Marker: marker, PageSize: PAGE_SIZE })),
    );
    if (!page) return out;
    out.push(...(page.Listeners ?? []));
    marker = page.NextMarker;
  } while (marker);
  return out;
}

async function describeRules(client: ElasticLoadBalancingV2Client, listenerArn: string): Promise<Rule[]> {
  const out: Rule[] = [];
  let marker: string | undefined;
  do {
    const page = await read("DescribeRules", () =>
      client.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker, PageSize: PAGE_SIZE })),
    );
    if (!page) return out;
    out.push(...(page.Rules ?? []));
    marker = page.NextMarker;
  } while (marker);
  return out;
}

/** DescribeLoadBalancers takes at most 20 ARNs per call. */
const DESCRIBE_LB_BATCH = 20;

/**
 * Load balancers by ARN, those that exist; one call per 20 ARNs, or one per ARN of a batch in which
 * some are gone (AWS fails the whole call with LoadBalancerNotFound).
 */
async function describeLoadBalancers(
  client: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<LoadBalancer[]> {
  const all = async (subset: readonly string[]) =>
    (
      await read("DescribeLoadBalancers", () =>
        client.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [...subset] })),
      )
    )?.LoadBalancers;
  const out: LoadBalancer[] = [];
  for (const batch of chunks(arns, DESCRIBE_LB_BATCH)) {
    const together = await all(batch);
    if (together) out.push(...together);
    else for (const one of await Promise.all(batch.map((arn) => all([arn])))) out.push(...(one ?? []));
  }
  return out;
}

/** Target groups by ARN; one call, or one per ARN when some are gone (AWS fails the whole call). */
async function describeTargetGroups(
  client: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<TargetGroup[]> {
  if (arns.length === 0) return [];
  const all = async (subset: readonly string[]) => {
    const out: TargetGroup[] = [];
    let marker: string | undefined;
    do {
      const page = await read("DescribeTargetGroups", () =>
        client.send(
          new DescribeTargetGroupsCommand({ TargetGroupArns: [...subset], Marker: marker, PageSize: PAGE_SIZE }),
        ),
      );
      if (!page) return undefined;
      out.push(...(page.TargetGroups ?? []));
      marker = page.NextMarker;
    } while (marker);
    return out;
  };
  const together = await all(arns);
  if (together) return together;
  const one = await Promise.all(arns.map((arn) => all([arn])));
  return one.flatMap((x) => x ?? []);
}

async function describeTags(
  client: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for (const batch of chunks(arns, TAG_BATCH)) {
    const page = await read("DescribeTags", () => client.send(new DescribeTagsCommand({ ResourceArns: batch })));
    for (const d of page?.TagDescriptions ?? []) {
      if (!d.ResourceArn) continue;
      const tags: Record<string, string> = {};
      for (const t of d.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? "";
      out.set(d.ResourceArn, tags);
    }
  }
  return out;
}

function ownedBy(tags: Record<string, string> | undefined, owner: GatewayIdentity): boolean {
  // Compared as written: a value too long for a tag was shortened the same way.
  return (
    tags?.[TAG.managedBy] === MANAGED_BY &&
    tags[TAG.cluster] === tagValue(owner.cluster) &&
    tags[TAG.gateway] === tagValue(owner.gateway)
  );
}

/** The model id in a `target-group:<id>` role tag. */
function targetGroupRole(tags: Record<string, string> | undefined): string | undefined {
  const role = tags?.[TAG.role];
  return role?.startsWith("target-group:") ? role.slice("target-group:".length) : undefined;
}

async function targetGroupAttributes(
  client: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<Record<string, string>> {
  const response = await read("DescribeTargetGroupAttributes", () =>
    client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
  );
  return fromSdkAttributes(response?.Attributes);
}

function ruleFrom(rule: Rule, idOf: (arn: string) => string): ObservedRule {
  const transforms = (rule.Transforms ?? []).map(fromSdkTransform);
  const answer = new Answer("DescribeRules", `rule ${rule.RuleArn ?? "?"}`);
  return {
    arn: answer.string("RuleArn", rule.RuleArn),
    priority: answer.integer("Priority", rule.Priority),
    conditions: (rule.Conditions ?? []).map(fromSdkCondition),
    actions: fromSdkActions(rule.Actions, idOf),
    ...(transforms.length ? { transforms } : {}),
  };
}

/** ALPN policy as the model writes it: absent when none is set. */
function alpnPolicy(listener: Listener): string | undefined {
  const policy = listener.AlpnPolicy?.[0];
  return policy && policy !== "None" ? policy : undefined;
}

/**
 * The record with only its load balancer re-read (state, DNS name): one DescribeLoadBalancers
 * call, for waiting on a load balancer that is still provisioning.
 */
export async function refreshLoadBalancer(
  client: ElasticLoadBalancingV2Client,
  applied: ObservedElb,
): Promise<ObservedElb> {
  const current = applied.loadBalancer;
  if (!current) return applied;
  const found = await read("DescribeLoadBalancers", () =>
    client.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [current.arn] })),
  );
  const lb = found?.LoadBalancers?.find((x) => x.LoadBalancerArn === current.arn);
  if (!lb) {
    const { loadBalancer: _gone, ...rest } = applied;
    return { ...rest, listeners: [] };
  }
  return {
    ...applied,
    loadBalancer: {
      ...loadBalancerFrom(lb, current.attributes),
      subnets: current.subnets,
      securityGroups: current.securityGroups,
      ...addOnsOf(current),
    },
  };
}

/** Re-reads what the state record `applied` claims. See the module comment for the calls made. */
export async function observeFromArns(
  client: ElasticLoadBalancingV2Client,
  applied: ObservedElb,
  options: ObserveOptions = {},
): Promise<ObservedElb> {
  const idByArn = new Map(applied.targetGroups.map((tg) => [tg.arn, tg.id]));
  const appliedTgByArn = new Map(applied.targetGroups.map((tg) => [tg.arn, tg]));
  const appliedListeners = new Map(applied.listeners.map((l) => [l.arn, l]));

  let loadBalancer: ObservedLoadBalancer | undefined;
  if (applied.loadBalancer) {
    const arn = applied.loadBalancer.arn;
    const found = await read("DescribeLoadBalancers", () =>
      client.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })),
    );
    const lb = found?.LoadBalancers?.find((x) => x.LoadBalancerArn === arn);
    if (lb) {
      const attributes = options.attributes
        ? fromSdkAttributes(
            (
              await read("DescribeLoadBalancerAttributes", () =>
                client.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn })),
              )
            )?.Attributes,
          )
        : { ...applied.loadBalancer.attributes };
      loadBalancer = {
        ...loadBalancerFrom(lb, attributes),
        ...(await readAddOns(client, applied.loadBalancer, arn, options)),
      };
    }
  }

  const listeners = loadBalancer ? await describeListeners(client, loadBalancer.arn) : [];
  const rulesByListener = new Map<string, Rule[]>();
  for (const l of listeners) {
    const arn = new Answer("DescribeListeners", "listener").string("ListenerArn", l.ListenerArn);
    // Only an Application Load Balancer's listeners have rules beyond the default action, which
    // DescribeListeners already returns: an NLB's would cost one call per listener for nothing.
    if (loadBalancer?.type === "network") continue;
    rulesByListener.set(arn, await describeRules(client, arn));
  }

  // Target groups: those the record knows, plus any a listener or rule now forwards to.
  const referenced = new Set<string>();
  for (const l of listeners) for (const arn of forwardedArns(l.DefaultActions)) referenced.add(arn);
  for (const rules of rulesByListener.values())
    for (const r of rules) for (const arn of forwardedArns(r.Actions)) referenced.add(arn);
  const unknown = [...referenced].filter((arn) => !idByArn.has(arn));
  const adopted = new Set<string>();
  if (unknown.length > 0 && options.owner) {
    const owner = options.owner;
    const tags = await describeTags(client, unknown);
    for (const arn of unknown) {
      const id = targetGroupRole(tags.get(arn));
      if (id && ownedBy(tags.get(arn), owner)) {
        idByArn.set(arn, id);
        adopted.add(arn);
      }
    }
  }
  // A group this Gateway does not own keeps its ARN as the id: the rule differs from any model.
  const idOf = (arn: string) => idByArn.get(arn) ?? arn;

  const groups = await describeTargetGroups(client, [...appliedTgByArn.keys(), ...adopted]);
  const targetGroups: ObservedTargetGroup[] = [];
  for (const tg of groups) {
    const arn = new Answer("DescribeTargetGroups", `target group ${tg.TargetGroupName ?? "?"}`).string(
      "TargetGroupArn",
      tg.TargetGroupArn,
    );
    const known = appliedTgByArn.get(arn);
    const targetType = observedTargetType(tg.TargetType) ?? known?.targetType;
    const multiCluster = known?.multiCluster === true;
    targetGroups.push({
      id: idOf(arn),
      arn,
      name: tg.TargetGroupName ?? known?.name ?? "",
      protocol: tg.Protocol ?? known?.protocol ?? "",
      ...(tg.ProtocolVersion ? { protocolVersion: tg.ProtocolVersion } : {}),
      port: tg.Port ?? known?.port ?? 0,
      ...(targetType ? { targetType } : {}),
      ...(tg.TargetControlPort !== undefined ? { targetControlPort: tg.TargetControlPort } : {}),
      ...(multiCluster ? { multiCluster } : {}),
      healthCheck: fromSdkHealthCheck(tg),
      attributes: options.attributes ? await targetGroupAttributes(client, arn) : { ...(known?.attributes ?? {}) },
      targets: options.targets
        ? ownTargets(await describeTargets(client, { arn }), multiCluster ? (known?.targets ?? []) : undefined)
        : [...(known?.targets ?? [])],
    });
  }
  // Keep the record's order (the planner resolves a reused id to the last entry).
  const order = new Map([...appliedTgByArn.keys()].map((arn, i) => [arn, i]));
  targetGroups.sort((a, b) => (order.get(a.arn) ?? order.size) - (order.get(b.arn) ?? order.size));

  const observedListeners: ObservedListener[] = [];
  for (const l of listeners) {
    const answer = new Answer("DescribeListeners", `listener ${l.ListenerArn ?? "?"}`);
    const listenerArn = answer.string("ListenerArn", l.ListenerArn);
    const before = appliedListeners.get(listenerArn);
    const protocol = answer.oneOf("Protocol", l.Protocol, PROTOCOLS);
    const port = answer.integer("Port", l.Port);
    const rules = (rulesByListener.get(listenerArn) ?? [])
      .filter((r) => !r.IsDefault)
      .map((r) => ruleFrom(r, idOf))
      .sort((a, b) => a.priority - b.priority);
    const certificates = hasTls(protocol)
      ? await listenerCertificates(client, l, before, options.listenerCertificates === true)
      : undefined;
    const alpn = alpnPolicy(l);
    const attributes = before?.attributes
      ? await listenerAttributesNow(client, listenerArn, before.attributes)
      : undefined;
    observedListeners.push({
      id: `${protocol}:${port}`,
      arn: listenerArn,
      port,
      protocol,
      ...(certificates ? { certificates } : {}),
      ...(hasTls(protocol) && l.SslPolicy ? { sslPolicy: l.SslPolicy } : {}),
      ...(l.MutualAuthentication?.Mode && l.MutualAuthentication.Mode !== "off"
        ? {
            mutualAuthentication: {
              mode: l.MutualAuthentication.Mode,
              ...(l.MutualAuthentication.TrustStoreArn ? { trustStoreArn: l.MutualAuthentication.TrustStoreArn } : {}),
              ...(l.MutualAuthentication.IgnoreClientCertificateExpiry !== undefined
                ? { ignoreClientCertificateExpiry: l.MutualAuthentication.IgnoreClientCertificateExpiry }
                : {}),
              ...(l.MutualAuthentication.AdvertiseTrustStoreCaNames === "on"
                ? { advertiseTrustStoreCaNames: "on" as const }
                : {}),
            },
          }
        : {}),
      ...(alpn ? { alpnPolicy: alpn } : {}),
      defaultActions: fromSdkActions(l.DefaultActions, idOf),
      rules,
      ...(attributes && Object.keys(attributes).length > 0 ? { attributes } : {}),
    });
  }
  observedListeners.sort((a, b) => a.port - b.port);

  return {
    ...(loadBalancer ? { loadBalancer } : {}),
    listeners: observedListeners,
    targetGroups,
    strayLoadBalancers: [...applied.strayLoadBalancers],
  };
}

async function listenerCertificates(
  client: ElasticLoadBalancingV2Client,
  listener: Listener,
  before: ObservedListener | undefined,
  readList: boolean,
): Promise<ObservedListener["certificates"]> {
  const pendingSecrets = [...(before?.certificates?.pendingSecrets ?? [])];
  if (readList && listener.ListenerArn) {
    const arn = listener.ListenerArn;
    const all: { CertificateArn?: string | undefined; IsDefault?: boolean | undefined }[] = [];
    let marker: string | undefined;
    do {
      const page = await read("DescribeListenerCertificates", () =>
        client.send(new DescribeListenerCertificatesCommand({ ListenerArn: arn, Marker: marker, PageSize: PAGE_SIZE })),
      );
      all.push(...(page?.Certificates ?? []));
      marker = page?.NextMarker;
    } while (marker);
    // The default is listed with IsDefault, and again without it when it is also in the list.
    const first = all.find((c) => c.IsDefault)?.CertificateArn;
    const rest = all.filter((c) => !c.IsDefault && c.CertificateArn && c.CertificateArn !== first);
    const arns = [...(first ? [first] : []), ...rest.map((c) => c.CertificateArn ?? "")];
    return arns.length || pendingSecrets.length ? { arns, pendingSecrets } : undefined;
  }
  // DescribeListeners reports the default certificate only; the rest is as the record says.
  const first = listener.Certificates?.[0]?.CertificateArn;
  const rest = (before?.certificates?.arns ?? []).slice(1).filter((a) => a !== first);
  const arns = [...(first ? [first] : []), ...rest];
  return arns.length || pendingSecrets.length ? { arns, pendingSecrets } : undefined;
}

function observedTargetType(value: string | undefined): ObservedTargetGroup["targetType"] {
  return value === "ip" || value === "instance" || value === "lambda" || value === "alb" ? value : undefined;
}

/**
 * The registered targets that are switchyard's: all of them, or in a multi-cluster group only
 * those the record says switchyard registered (`mine`), so a drift check never plans to remove a
 * target another cluster registered. A target switchyard registered and someone removed is
 * simply absent, and the plan registers it again.
 */
function ownTargets(registered: TargetModel[], mine: readonly TargetModel[] | undefined): TargetModel[] {
  if (mine === undefined) return registered;
  const keys = new Set(mine.map((t) => `${t.id}:${t.port}`));
  return registered.filter((t) => keys.has(`${t.id}:${t.port}`));
}

/** Registered targets of one target group, without those already draining out. */
export async function describeTargets(
  client: ElasticLoadBalancingV2Client,
  tg: Pick<ObservedTargetGroup, "arn">,
): Promise<TargetModel[]> {
  const response = await read("DescribeTargetHealth", () =>
    client.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.arn })),
  );
  return (response?.TargetHealthDescriptions ?? [])
    .filter((d) => !d.TargetHealth?.State?.endsWith("draining"))
    .map((d) => ({
      id: d.Target?.Id ?? "",
      port: d.Target?.Port ?? 0,
      ...(d.Target?.AvailabilityZone ? { availabilityZone: d.Target.AvailabilityZone } : {}),
      ...(d.Target?.QuicServerId ? { quicServerId: d.Target.QuicServerId } : {}),
    }))
    .filter((t) => t.id !== "")
    .sort((a, b) => a.id.localeCompare(b.id) || a.port - b.port);
}

export interface DiscoverOptions {
  /** Read attributes and registered targets too (a crash leaves no record of them). Default true. */
  full?: boolean;
  /** When several load balancers carry the Gateway's tags, the one with this name is current. */
  loadBalancerName?: string;
  /** Clients for the add-ons outside ELBv2; with Shield's, an ALB's protection is read too. */
  addOnClients?: ObserveOptions["addOnClients"];
}

interface Tagged {
  arn: string;
  tags: Record<string, string>;
}

/**
 * Everything tagged as this Gateway's, read back like observeFromArns. Uses the Resource Groups
 * Tagging API when a client for it is given: one GetResources call per 100 tagged resources, found
 * by tag on AWS's side whatever else the account holds. Without it, falls back to listing every
 * load balancer and target group in the Region and DescribeTags in batches of 20: 2 + N/20 calls
 * for N resources in the Region (plus pages of 400), i.e. cost grows with the whole account, not
 * with this Gateway, so that path is for accounts where the tagging API is not allowed.
 */
export async function discoverByTags(
  client: ElasticLoadBalancingV2Client,
  taggingClient: ResourceGroupsTaggingAPIClient | undefined,
  identity: GatewayIdentity,
  options: DiscoverOptions = {},
): Promise<ObservedElb> {
  const tagged = taggingClient
    ? await taggedViaTaggingApi(taggingClient, identity)
    : await taggedViaDescribe(client, identity);
  const lbArns = tagged.filter((r) => r.arn.includes(":loadbalancer/")).map((r) => r.arn);
  const tgs = tagged.filter((r) => r.arn.includes(":targetgroup/"));

  // The tagging API also lists load balancers deleted a while ago (GetResources: "tagged or
  // previously tagged resources"): only those ELBv2 still describes exist, current or stray.
  const found = await describeLoadBalancers(client, lbArns);
  // The named one if given, else the newest: an older one is what a replacement left behind.
  const current =
    found.find((lb) => options.loadBalancerName !== undefined && lb.LoadBalancerName === options.loadBalancerName) ??
    [...found].sort((a, b) => (b.CreatedTime?.getTime() ?? 0) - (a.CreatedTime?.getTime() ?? 0))[0];
  const skeleton: ObservedElb = emptyObserved();
  if (current?.LoadBalancerArn) skeleton.loadBalancer = loadBalancerFrom(current, {});
  skeleton.strayLoadBalancers = found.flatMap((lb) =>
    lb.LoadBalancerArn && lb.LoadBalancerArn !== current?.LoadBalancerArn ? [lb.LoadBalancerArn] : [],
  );
  for (const tg of [...tgs].sort((a, b) =>
    (targetGroupRole(a.tags) ?? a.arn).localeCompare(targetGroupRole(b.tags) ?? b.arn),
  )) {
    skeleton.targetGroups.push({
      id: targetGroupRole(tg.tags) ?? tg.arn,
      arn: tg.arn,
      name: "",
      protocol: "",
      port: 0,
      // Without a record no registered target is known to be switchyard's: none is removed, and
      // the plan registers the desired ones again (RegisterTargets is idempotent).
      ...(tg.tags?.[TAG.multiCluster] === "true" ? { multiCluster: true } : {}),
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        intervalSeconds: 0,
        timeoutSeconds: 0,
        healthyThresholdCount: 0,
        unhealthyThresholdCount: 0,
      },
      attributes: {},
      targets: [],
    });
  }
  const full = options.full ?? true;
  return observeFromArns(client, skeleton, {
    owner: identity,
    attributes: full,
    targets: full,
    listenerCertificates: full,
    ...(options.addOnClients ? { addOnClients: options.addOnClients, readShield: true } : {}),
  });
}

async function taggedViaTaggingApi(
  client: ResourceGroupsTaggingAPIClient,
  identity: GatewayIdentity,
): Promise<Tagged[]> {
  const out: Tagged[] = [];
  let token: string | undefined;
  do {
    const page = await read("GetResources", () =>
      client.send(
        new GetResourcesCommand({
          TagFilters: [
            { Key: TAG.managedBy, Values: [MANAGED_BY] },
            { Key: TAG.cluster, Values: [tagValue(identity.cluster)] },
            { Key: TAG.gateway, Values: [tagValue(identity.gateway)] },
          ],
          ResourceTypeFilters: ["elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup"],
          ResourcesPerPage: 100,
          ...(token ? { PaginationToken: token } : {}),
        }),
      ),
    );
    for (const r of page?.ResourceTagMappingList ?? []) {
      if (!r.ResourceARN) continue;
      const tags: Record<string, string> = {};
      for (const t of r.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? "";
      // Filter again: the answer must not decide ownership on the service's word alone.
      if (ownedBy(tags, identity)) out.push({ arn: r.ResourceARN, tags });
    }
    token = page?.PaginationToken || undefined;
  } while (token);
  return out;
}

async function taggedViaDescribe(client: ElasticLoadBalancingV2Client, identity: GatewayIdentity): Promise<Tagged[]> {
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page = await read("DescribeLoadBalancers", () =>
      client.send(new DescribeLoadBalancersCommand({ Marker: marker, PageSize: PAGE_SIZE })),
    );
    for (const lb of page?.LoadBalancers ?? []) if (lb.LoadBalancerArn) arns.push(lb.LoadBalancerArn);
    marker = page?.NextMarker;
  } while (marker);
  marker = undefined;
  do {
    const page = await read("DescribeTargetGroups", () =>
      client.send(new DescribeTargetGroupsCommand({ Marker: marker, PageSize: PAGE_SIZE })),
    );
    for (const tg of page?.TargetGroups ?? []) if (tg.TargetGroupArn) arns.push(tg.TargetGroupArn);
    marker = page?.NextMarker;
  } while (marker);
  const tags = await describeTags(client, arns);
  return arns.flatMap((arn) => {
    const t = tags.get(arn);
    return t && ownedBy(t, identity) ? [{ arn, tags: t }] : [];
  });
}
