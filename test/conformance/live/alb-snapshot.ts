/**
 * What the ALB data-plane emulator serves, read from Elastic Load Balancing (moto) through the
 * AWS SDK: every application load balancer with its listeners, their rules in the model's terms
 * (shared/elb/rules.ts, target groups named by ARN) and the registered targets of every target
 * group a rule forwards to.
 *
 * One read costs DescribeLoadBalancers (1 call per 400 load balancers), DescribeListeners and
 * DescribeTags (1 call each per load balancer), DescribeRules (1 per listener),
 * DescribeListenerCertificates (1 per HTTPS listener), DescribeTargetGroups
 * (1 per 400 groups) and DescribeTargetHealth (1 per forwarded-to group). `fingerprint` lets the
 * emulator tell an unchanged read from a changed one without comparing structures.
 */

import {
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  forwardedArns,
  fromSdkActions,
  fromSdkCondition,
  fromSdkTransform,
} from "../../../shared/aws/elbv2/translate.ts";
import type { ListenerRule, RuleAction } from "../../../shared/elb/rules.ts";

export interface ServedListener {
  arn: string;
  port: number;
  /** `HTTP` or `HTTPS` for an application load balancer. */
  protocol: string;
  defaultActions: RuleAction[];
  rules: ListenerRule[];
  /** HTTPS: every certificate on the listener, the default one first. */
  certificateArns: string[];
}

export interface ServedLoadBalancer {
  arn: string;
  name: string;
  /** Lower-cased, as switchyard publishes it in Gateway status. */
  dnsName: string;
  tags: Record<string, string>;
  listeners: ServedListener[];
}

export interface ServedTarget {
  ip: string;
  port: number;
  /** TargetHealth.State as ELB reports it (moto: `healthy` or `unused`, see the README). */
  state: string;
}

export interface ServedTargetGroup {
  arn: string;
  name: string;
  port: number;
  protocol: string;
  targets: ServedTarget[];
}

export interface AlbSnapshot {
  loadBalancers: ServedLoadBalancer[];
  /** By target group ARN: only groups some rule or default action forwards to. */
  targetGroups: Record<string, ServedTargetGroup>;
}

const PAGE = 400;

async function allLoadBalancers(client: ElasticLoadBalancingV2Client): Promise<LoadBalancer[]> {
  const out: LoadBalancer[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(new DescribeLoadBalancersCommand({ PageSize: PAGE, Marker: marker }));
    out.push(...(page.LoadBalancers ?? []));
    marker = page.NextMarker;
  } while (marker);
  return out;
}

async function allListeners(client: ElasticLoadBalancingV2Client, loadBalancerArn: string): Promise<Listener[]> {
  const out: Listener[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(
      new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, PageSize: PAGE, Marker: marker }),
    );
    out.push(...(page.Listeners ?? []));
    marker = page.NextMarker;
  } while (marker);
  return out;
}

async function allRules(client: ElasticLoadBalancingV2Client, listenerArn: string): Promise<Rule[]> {
  const out: Rule[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: PAGE, Marker: marker }),
    );
    out.push(...(page.Rules ?? []));
    marker = page.NextMarker;
  } while (marker);
  return out;
}

const byArn = (arn: string) => arn;

async function certificateArns(client: ElasticLoadBalancingV2Client, listener: Listener): Promise<string[]> {
  if (listener.Protocol !== "HTTPS") return [];
  const listed: { arn: string; isDefault: boolean }[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(
      new DescribeListenerCertificatesCommand({ ListenerArn: listener.ListenerArn, PageSize: PAGE, Marker: marker }),
    );
    for (const c of page.Certificates ?? []) {
      if (c.CertificateArn) listed.push({ arn: c.CertificateArn, isDefault: c.IsDefault === true });
    }
    marker = page.NextMarker;
  } while (marker);
  const defaults = (listener.Certificates ?? []).flatMap((c) => (c.CertificateArn ? [c.CertificateArn] : []));
  const ordered = [...defaults, ...listed.filter((c) => c.isDefault).map((c) => c.arn), ...listed.map((c) => c.arn)];
  return [...new Set(ordered)];
}

function servedListener(listener: Listener, rules: readonly Rule[], certificates: string[]): ServedListener {
  const numbered = rules.filter((r) => !r.IsDefault);
  return {
    arn: listener.ListenerArn ?? "",
    port: listener.Port ?? 0,
    protocol: listener.Protocol ?? "",
    defaultActions: fromSdkActions(listener.DefaultActions, byArn),
    rules: numbered.map((r) => ({
      priority: Number(r.Priority),
      conditions: (r.Conditions ?? []).map(fromSdkCondition),
      actions: fromSdkActions(r.Actions, byArn),
      ...(r.Transforms?.length ? { transforms: r.Transforms.map(fromSdkTransform) } : {}),
    })),
    certificateArns: certificates,
  };
}

/** Everything the emulator needs, read fresh from ELB. Load balancers of other types are left out. */
export async function readAlbSnapshot(client: ElasticLoadBalancingV2Client): Promise<AlbSnapshot> {
  const albs = (await allLoadBalancers(client)).filter((lb) => lb.Type === "application" && lb.LoadBalancerArn);
  const forwarded = new Set<string>();
  const loadBalancers: ServedLoadBalancer[] = [];
  for (const lb of albs) {
    const arn = lb.LoadBalancerArn ?? "";
    const tagged = await client.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    const tags = Object.fromEntries(
      (tagged.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""] as const),
    );
    const listeners: ServedListener[] = [];
    for (const listener of await allListeners(client, arn)) {
      const rules = await allRules(client, listener.ListenerArn ?? "");
      for (const a of forwardedArns(listener.DefaultActions)) forwarded.add(a);
      for (const r of rules) for (const a of forwardedArns(r.Actions)) forwarded.add(a);
      listeners.push(servedListener(listener, rules, await certificateArns(client, listener)));
    }
    listeners.sort((a, b) => a.port - b.port);
    loadBalancers.push({
      arn,
      name: lb.LoadBalancerName ?? "",
      dnsName: (lb.DNSName ?? "").toLowerCase(),
      tags,
      listeners,
    });
  }
  loadBalancers.sort((a, b) => a.arn.localeCompare(b.arn));

  const targetGroups: Record<string, ServedTargetGroup> = {};
  const wanted = [...forwarded].sort();
  for (let i = 0; i < wanted.length; i += PAGE) {
    const page = await client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: wanted.slice(i, i + PAGE) }));
    for (const tg of page.TargetGroups ?? []) {
      const arn = tg.TargetGroupArn ?? "";
      const health = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      const targets = (health.TargetHealthDescriptions ?? [])
        .map((d) => ({
          ip: d.Target?.Id ?? "",
          port: d.Target?.Port ?? tg.Port ?? 0,
          state: d.TargetHealth?.State ?? "unknown",
        }))
        .sort((a, b) => a.ip.localeCompare(b.ip) || a.port - b.port);
      targetGroups[arn] = {
        arn,
        name: tg.TargetGroupName ?? "",
        port: tg.Port ?? 0,
        protocol: tg.Protocol ?? "",
        targets,
      };
    }
  }
  return { loadBalancers, targetGroups };
}

/** A stable string for change detection: equal snapshots give equal fingerprints. */
export function fingerprint(snapshot: AlbSnapshot): string {
  return JSON.stringify(snapshot, (_key, value: unknown) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
}
