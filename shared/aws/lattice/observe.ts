/**
 * Reading what exists in VPC Lattice for one Gateway.
 *
 * - `observeLattice` (drift check) re-reads what the record claims: per service GetService and
 *   ListListeners, per listener ListRules (a rule is read again with GetRule only when its
 *   lastUpdatedAt moved), per target group GetTargetGroup and ListTargets, per association one Get.
 *   Calls grow with services + listeners + groups, never with rules or targets.
 * - `refreshLattice` re-reads only what is still being created (CREATE_IN_PROGRESS → ACTIVE), and
 *   the targets of groups whose deregistered targets were still draining.
 * - `discoverLattice` finds everything tagged as this Gateway's, with no record to start from
 *   (after a crash, or an interrupted apply): it lists the account's services and target groups
 *   and reads their tags. It costs O(account's services), and runs only then.
 */
import {
  GetAuthPolicyCommand,
  GetListenerCommand,
  GetRuleCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  GetServiceNetworkServiceAssociationCommand,
  GetServiceNetworkVpcAssociationCommand,
  GetTargetGroupCommand,
  ListAccessLogSubscriptionsCommand,
  type ListenerSummary,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  ListServiceNetworkVpcAssociationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  ListTargetsCommand,
  type RuleSummary,
  type VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { MANAGED_BY, TAG } from "../../elb/naming.ts";
import { matchDigest } from "../../lattice/digest.ts";
import {
  emptyObservedLattice,
  type ObservedAccessLogSubscription,
  type ObservedLattice,
  type ObservedLatticeTargetGroup,
  type ObservedListener,
  type ObservedPolicies,
  type ObservedRule,
  type ObservedService,
  type ObservedServiceAssociation,
  SETTLING_STATES,
} from "../../lattice/observed.ts";
import { recordedAuthPolicy } from "../../lattice/plan-policies.ts";
import { isAccessDenied, isNotFound } from "./errors.ts";
import { fromHealthCheck, fromRuleAction, fromRuleMatch } from "./shapes.ts";

/** Whose resources these are: the ownership tags' values. */
export interface LatticeOwner {
  clusterId: string;
  gatewayKey: string;
}

/** Whether tags say a resource is this Gateway's, with its role (`service:HTTPRoute/ns/name`). */
export function ownedRole(tags: Record<string, string> | undefined, owner: LatticeOwner): string | undefined {
  if (!tags || tags[TAG.managedBy] !== MANAGED_BY) return undefined;
  if (tags[TAG.cluster] !== owner.clusterId || tags[TAG.gateway] !== owner.gatewayKey) return undefined;
  return tags[TAG.role];
}

async function tagsOf(client: VPCLatticeClient, arn: string): Promise<Record<string, string> | undefined> {
  try {
    return (await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {};
  } catch (error) {
    // Another account's association or a deleted resource: not this Gateway's to claim.
    if (isNotFound(error) || isAccessDenied(error)) return undefined;
    throw error;
  }
}

/** Null when it is gone. */
async function orGone<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The auth policy and access log subscriptions of a service or network, as far as they are
 * switchyard's. A drift check reads only what the record holds (the policy switchyard put, the
 * subscriptions it created): one GetAuthPolicy and one ListAccessLogSubscriptions at most, and
 * others' subscriptions stay out of the record. Discovery (`owner`) reads both and keeps the
 * subscriptions tagged as this Gateway's; the policy only when the resource is switchyard's.
 */
async function readPolicies(
  client: VPCLatticeClient,
  arn: string,
  recorded: ObservedPolicies | undefined,
  discover?: { owner: LatticeOwner; ownsResource: boolean },
): Promise<Pick<ObservedPolicies, "authPolicy" | "accessLogs">> {
  const out: Pick<ObservedPolicies, "authPolicy" | "accessLogs"> = {};
  if (recorded?.authPolicy !== undefined || discover?.ownsResource) {
    const policy = await orGone(client.send(new GetAuthPolicyCommand({ resourceIdentifier: arn })));
    if (policy?.policy) out.authPolicy = recordedAuthPolicy(policy.policy);
  }
  if ((recorded?.accessLogs?.length ?? 0) > 0 || discover) {
    const items = await listAll((nextToken) =>
      client
        .send(new ListAccessLogSubscriptionsCommand({ resourceIdentifier: arn, nextToken }))
        .then((r) => ({ ...(r.items ? { items: r.items } : {}), ...(r.nextToken ? { nextToken: r.nextToken } : {}) })),
    );
    const known = new Set((recorded?.accessLogs ?? []).map((l) => l.arn));
    const logs: ObservedAccessLogSubscription[] = [];
    for (const item of items) {
      if (!item.arn || !item.destinationArn) continue;
      const ours = discover
        ? ownedRole(await tagsOf(client, item.arn), discover.owner) !== undefined
        : known.has(item.arn);
      if (ours) logs.push({ arn: item.arn, destinationArn: item.destinationArn });
    }
    if (logs.length > 0) out.accessLogs = logs;
  }
  return out;
}

async function listAll<T>(
  page: (token: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const answer = await page(token);
    out.push(...(answer.items ?? []));
    token = answer.nextToken;
  } while (token);
  return out;
}

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

async function readRule(
  client: VPCLatticeClient,
  service: string,
  listener: string,
  summary: RuleSummary,
  current: ObservedLattice,
): Promise<ObservedRule | undefined> {
  const rule = await orGone(
    client.send(
      new GetRuleCommand({
        serviceIdentifier: service,
        listenerIdentifier: listener,
        ruleIdentifier: summary.arn ?? "",
      }),
    ),
  );
  if (!rule?.arn || !rule.name || rule.priority === undefined) return undefined;
  const updatedAt = iso(summary.lastUpdatedAt ?? rule.lastUpdatedAt);
  return {
    id: rule.name,
    arn: rule.arn,
    priority: rule.priority,
    matchDigest: matchDigest(fromRuleMatch(rule.match)),
    action: fromRuleAction(rule.action, current),
    ...(updatedAt ? { updatedAt } : {}),
  };
}

/** A listener's rules: the recorded ones kept while unchanged, the rest read (GetRule). */
async function readRules(
  client: VPCLatticeClient,
  service: string,
  listenerArn: string,
  recorded: readonly ObservedRule[],
  current: ObservedLattice,
): Promise<ObservedRule[]> {
  const summaries = await listAll((nextToken) =>
    client
      .send(new ListRulesCommand({ serviceIdentifier: service, listenerIdentifier: listenerArn, nextToken }))
      .then((r) => ({ ...(r.items ? { items: r.items } : {}), ...(r.nextToken ? { nextToken: r.nextToken } : {}) })),
  );
  const byArn = new Map(recorded.map((r) => [r.arn, r]));
  const rules: ObservedRule[] = [];
  for (const summary of summaries) {
    if (summary.isDefault || !summary.arn) continue;
    const known = byArn.get(summary.arn);
    const updatedAt = iso(summary.lastUpdatedAt);
    // A rule this reconciler wrote carries no timestamp yet (create and batch answers have none):
    // the record is what was written, and the first drift check learns its timestamp.
    if (known && (known.updatedAt === undefined || known.updatedAt === updatedAt) && summary.priority !== undefined) {
      rules.push({ ...known, priority: summary.priority, ...(updatedAt ? { updatedAt } : {}) });
      continue;
    }
    const read = await readRule(client, service, listenerArn, summary, current);
    if (read) rules.push(read);
  }
  return rules;
}

async function readListener(
  client: VPCLatticeClient,
  serviceArn: string,
  summary: ListenerSummary,
  recorded: ObservedListener | undefined,
  current: ObservedLattice,
): Promise<ObservedListener | undefined> {
  if (!summary.arn || !summary.protocol || summary.port === undefined) return undefined;
  let defaultAction = recorded?.defaultAction;
  const updatedAt = iso(summary.lastUpdatedAt);
  if (!recorded || (recorded.updatedAt !== undefined && recorded.updatedAt !== updatedAt)) {
    const listener = await orGone(
      client.send(new GetListenerCommand({ serviceIdentifier: serviceArn, listenerIdentifier: summary.arn })),
    );
    if (!listener) return undefined;
    defaultAction = fromRuleAction(listener.defaultAction, current);
  }
  return {
    id: `${summary.protocol}:${summary.port}`,
    arn: summary.arn,
    name: summary.name ?? "",
    protocol: summary.protocol,
    port: summary.port,
    defaultAction: defaultAction ?? { type: "fixed-response", statusCode: 404 },
    rules: await readRules(client, serviceArn, summary.arn, recorded?.rules ?? [], current),
    ...(updatedAt ? { updatedAt } : {}),
    ...(recorded?.tags ? { tags: recorded.tags } : {}),
  };
}

/** A service and everything under it, or undefined when it is gone. */
async function readService(
  client: VPCLatticeClient,
  id: string,
  arn: string,
  recorded: ObservedService | undefined,
  current: ObservedLattice,
  discover?: { owner: LatticeOwner; ownsResource: boolean },
  tags: Record<string, string> | undefined = recorded?.tags,
): Promise<ObservedService | undefined> {
  const service = await orGone(client.send(new GetServiceCommand({ serviceIdentifier: arn })));
  if (!service?.arn || service.status === "DELETE_IN_PROGRESS") return undefined;
  const summaries = await listAll((nextToken) =>
    client
      .send(new ListListenersCommand({ serviceIdentifier: arn, nextToken }))
      .then((r) => ({ ...(r.items ? { items: r.items } : {}), ...(r.nextToken ? { nextToken: r.nextToken } : {}) })),
  );
  const listeners: ObservedListener[] = [];
  for (const summary of summaries) {
    const known = recorded?.listeners.find((l) => l.arn === summary.arn);
    const listener = await readListener(client, arn, summary, known, current);
    if (listener) listeners.push(listener);
  }
  return {
    ...serviceOf(id, service, listeners),
    ...(await readPolicies(client, arn, recorded, discover)),
    ...(tags ? { tags } : {}),
  };
}

export function serviceOf(
  id: string,
  service: {
    arn?: string;
    name?: string;
    customDomainName?: string;
    certificateArn?: string;
    dnsEntry?: { domainName?: string };
    status?: string;
    authType?: string;
  },
  listeners: ObservedListener[],
): ObservedService {
  return {
    id,
    arn: service.arn ?? "",
    name: service.name ?? "",
    ...(service.customDomainName ? { customDomainName: service.customDomainName } : {}),
    ...(service.certificateArn ? { certificateArn: service.certificateArn } : {}),
    ...(service.authType ? { authType: service.authType } : {}),
    ...(service.dnsEntry?.domainName ? { dnsName: service.dnsEntry.domainName } : {}),
    ...(service.status ? { status: service.status } : {}),
    listeners,
  };
}

async function readTargetGroup(
  client: VPCLatticeClient,
  id: string,
  arn: string,
  tags?: Record<string, string>,
): Promise<ObservedLatticeTargetGroup | undefined> {
  const tg = await orGone(client.send(new GetTargetGroupCommand({ targetGroupIdentifier: arn })));
  if (!tg?.arn || tg.status === "DELETE_IN_PROGRESS") return undefined;
  const targets = await listAll((nextToken) =>
    client
      .send(new ListTargetsCommand({ targetGroupIdentifier: arn, nextToken }))
      .then((r) => ({ ...(r.items ? { items: r.items } : {}), ...(r.nextToken ? { nextToken: r.nextToken } : {}) })),
  );
  const healthCheck = fromHealthCheck(tg.config?.healthCheck);
  const draining = targets.filter((t) => t.status === "DRAINING").length;
  return {
    id,
    arn: tg.arn,
    name: tg.name ?? "",
    protocol: tg.config?.protocol ?? "",
    ...(tg.config?.protocolVersion ? { protocolVersion: tg.config.protocolVersion } : {}),
    port: tg.config?.port ?? 0,
    ...(tg.config?.vpcIdentifier ? { vpcId: tg.config.vpcIdentifier } : {}),
    ...(healthCheck ? { healthCheck } : {}),
    ...(tg.status ? { status: tg.status } : {}),
    targets: targets
      .filter((t) => t.id && t.status !== "DRAINING")
      .map((t) => ({ id: t.id ?? "", port: t.port ?? tg.config?.port ?? 0 })),
    ...(tags ? { tags } : {}),
    ...(draining > 0 ? { draining } : {}),
  };
}

/** The drift check: every resource the record claims, re-read by ARN; what is gone drops out. */
export async function observeLattice(client: VPCLatticeClient, applied: ObservedLattice): Promise<ObservedLattice> {
  const out = emptyObservedLattice();
  if (applied.serviceNetwork) {
    const network = await orGone(
      client.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: applied.serviceNetwork.arn })),
    );
    if (network) {
      const { authPolicy: _read, accessLogs: _again, ...known } = applied.serviceNetwork;
      out.serviceNetwork = {
        ...known,
        ...(network.authType ? { authType: network.authType } : {}),
        ...(await readPolicies(client, applied.serviceNetwork.arn, applied.serviceNetwork)),
      };
    }
  }
  if (applied.vpcAssociation) {
    const association = await orGone(
      client.send(
        new GetServiceNetworkVpcAssociationCommand({
          serviceNetworkVpcAssociationIdentifier: applied.vpcAssociation.arn,
        }),
      ),
    );
    if (association && association.status !== "DELETE_IN_PROGRESS") {
      out.vpcAssociation = {
        ...applied.vpcAssociation,
        securityGroupIds: association.securityGroupIds ?? [],
        ...(association.status ? { status: association.status } : {}),
      };
    }
  }
  // Groups first: actions name them by ARN, and are translated back to model ids through them.
  for (const tg of applied.targetGroups) {
    const read = await readTargetGroup(client, tg.id, tg.arn, tg.tags);
    if (read) out.targetGroups.push(read);
  }
  for (const s of applied.services) {
    const read = await readService(client, s.id, s.arn, s, out);
    if (read) out.services.push(read);
  }
  for (const a of applied.serviceAssociations) {
    const read = await orGone(
      client.send(
        new GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: a.arn }),
      ),
    );
    if (read && read.status !== "DELETE_IN_PROGRESS") {
      out.serviceAssociations.push({ ...a, ...(read.status ? { status: read.status } : {}) });
    }
  }
  return out;
}

const settling = (status: string | undefined) => status !== undefined && SETTLING_STATES.has(status);

/** Only what is still on its way re-read: one Get per such resource. */
export async function refreshLattice(client: VPCLatticeClient, applied: ObservedLattice): Promise<ObservedLattice> {
  const services: ObservedService[] = [];
  for (const s of applied.services) {
    if (!settling(s.status)) {
      services.push(s);
      continue;
    }
    const read = await orGone(client.send(new GetServiceCommand({ serviceIdentifier: s.arn })));
    if (read) services.push({ ...s, ...serviceOf(s.id, read, s.listeners) });
  }
  const targetGroups: ObservedLatticeTargetGroup[] = [];
  for (const tg of applied.targetGroups) {
    if ((tg.draining ?? 0) > 0) {
      // Deregistered targets still draining: the group and its targets again (a deletion waits on them).
      const read = await readTargetGroup(client, tg.id, tg.arn);
      if (read) targetGroups.push(read);
      continue;
    }
    if (!settling(tg.status)) {
      targetGroups.push(tg);
      continue;
    }
    const read = await orGone(client.send(new GetTargetGroupCommand({ targetGroupIdentifier: tg.arn })));
    if (read) targetGroups.push({ ...tg, ...(read.status ? { status: read.status } : {}) });
  }
  const serviceAssociations: ObservedServiceAssociation[] = [];
  for (const a of applied.serviceAssociations) {
    if (!settling(a.status)) {
      serviceAssociations.push(a);
      continue;
    }
    const read = await orGone(
      client.send(
        new GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: a.arn }),
      ),
    );
    if (read) serviceAssociations.push({ ...a, ...(read.status ? { status: read.status } : {}) });
  }
  let vpcAssociation = applied.vpcAssociation;
  if (vpcAssociation && settling(vpcAssociation.status)) {
    const read = await orGone(
      client.send(
        new GetServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: vpcAssociation.arn }),
      ),
    );
    vpcAssociation = read ? { ...vpcAssociation, ...(read.status ? { status: read.status } : {}) } : undefined;
  }
  return {
    ...applied,
    services,
    targetGroups,
    serviceAssociations,
    ...(vpcAssociation ? { vpcAssociation } : {}),
  };
}

/** Everything tagged as this Gateway's, found without a record. */
export async function discoverLattice(
  client: VPCLatticeClient,
  owner: LatticeOwner,
  options: { account: string; vpcId?: string },
): Promise<ObservedLattice> {
  const out = emptyObservedLattice();
  const groups = await listAll((nextToken) =>
    client
      .send(new ListTargetGroupsCommand({ nextToken }))
      .then((r) => ({ ...(r.items ? { items: r.items } : {}), ...(r.nextToken ? { nextToken: r.nextToken } : {}) })),
  );
  for (const g of groups) {
    // Only switchyard's names (`sy-…`) can be its groups: the others' tags are not read.
    if (!g.arn || !g.name?.startsWith("sy-")) continue;
    const tags = await tagsOf(client, g.arn);
    const role = ownedRole(tags, owner);
    if (!role?.startsWith("target-group:")) continue;
    const read = await readTargetGroup(client, role.slice("target-group:".length), g.arn, tags);
    if (read) out.targetGroups.push(read);
  }
  const services = await listAll((nextToken) =>
    client
      .send(new ListServicesCommand({ nextToken }))
      .then((r) => ({ ...(r.items ? { items: r.items } : {}), ...(r.nextToken ? { nextToken: r.nextToken } : {}) })),
  );
  for (const s of services) {
    if (!s.arn?.includes(`:${options.account}:`)) continue;
    const tags = await tagsOf(client, s.arn);
    const role = ownedRole(tags, owner);
    if (!role?.startsWith("service:")) continue;
    const read = await readService(
      client,
      role.slice("service:".length),
      s.arn,
      undefined,
      out,
      { owner, ownsResource: true },
      tags,
    );
    if (!read) continue;
    out.services.push(read);
    const associations = await listAll((nextToken) =>
      client
        .send(new ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: s.arn, nextToken }))
        .then((r) => ({ ...(r.items ? { items: r.items } : {}), ...(r.nextToken ? { nextToken: r.nextToken } : {}) })),
    );
    for (const a of associations) {
      if (!a.arn || a.status === "DELETE_IN_PROGRESS") continue;
      const owned = ownedRole(await tagsOf(client, a.arn), owner) !== undefined;
      out.serviceAssociations.push({
        serviceId: read.id,
        arn: a.arn,
        ...(a.status ? { status: a.status } : {}),
        owned,
      });
      if (owned && !out.serviceNetwork && a.serviceNetworkArn && a.serviceNetworkId) {
        out.serviceNetwork = {
          arn: a.serviceNetworkArn,
          id: a.serviceNetworkId,
          name: a.serviceNetworkName ?? "",
          created: false,
        };
      }
    }
  }
  // A network switchyard created for this Gateway carries its tags; only own networks are read.
  const networks = await listAll((nextToken) =>
    client
      .send(new ListServiceNetworksCommand({ nextToken }))
      .then((r) => ({ ...(r.items ? { items: r.items } : {}), ...(r.nextToken ? { nextToken: r.nextToken } : {}) })),
  );
  for (const n of networks) {
    if (!n.arn || !n.id || !n.arn.includes(`:${options.account}:`)) continue;
    const tags = await tagsOf(client, n.arn);
    if (ownedRole(tags, owner) !== "service-network") continue;
    out.serviceNetwork = { arn: n.arn, id: n.id, name: n.name ?? "", created: true, ...(tags ? { tags } : {}) };
  }
  if (out.serviceNetwork?.arn.includes(`:${options.account}:`)) {
    // A referenced network's auth policy may be anyone's: only subscriptions tagged ours are claimed.
    // Another account's network (shared through RAM) takes no subscriptions from this one.
    const network = out.serviceNetwork;
    out.serviceNetwork = {
      ...network,
      ...(await readPolicies(client, network.arn, undefined, { owner, ownsResource: network.created })),
    };
  }
  if (options.vpcId && out.serviceNetwork) {
    const network = out.serviceNetwork;
    const associations = await listAll((nextToken) =>
      client
        .send(
          new ListServiceNetworkVpcAssociationsCommand({
            serviceNetworkIdentifier: network.arn,
            vpcIdentifier: options.vpcId,
            nextToken,
          }),
        )
        .then((r) => ({ ...(r.items ? { items: r.items } : {}), ...(r.nextToken ? { nextToken: r.nextToken } : {}) })),
    );
    const found = associations.find((a) => a.arn && a.status !== "DELETE_IN_PROGRESS");
    if (found?.arn && found.id) {
      const detail = await orGone(
        client.send(new GetServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: found.arn })),
      );
      out.vpcAssociation = {
        arn: found.arn,
        id: found.id,
        vpcId: options.vpcId,
        securityGroupIds: detail?.securityGroupIds ?? [],
        ...(found.status ? { status: found.status } : {}),
        owned: ownedRole(await tagsOf(client, found.arn), owner) !== undefined,
      };
    }
  }
  return out;
}
