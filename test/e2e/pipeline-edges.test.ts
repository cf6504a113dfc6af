// The pipeline's edges, end to end through `startPipeline` (forwarder → events.fifo → ingest →
// mirror → reconcile.fifo → reconcile → moto → status queue → status writer → kube-apiserver with
// an EKS IAM token): a revoked ReferenceGrant, a reconcile that dies after AWS accepted a write,
// a listener certificate imported into ACM and rotated, and a status writer denied for a while.
// The resync tick is off (one hour), so every convergence here is driven by events and SQS
// redelivery alone. Every check polls a condition with a deadline; nothing waits on a sleep.
// SWITCHYARD_COMPONENTS=moto,dynamodb,kube
import { ACMClient, DescribeCertificateCommand, GetCertificateCommand } from "@aws-sdk/client-acm";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CoreV1Api, type KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressEvent, RunningPipeline } from "../../cli/dev/pipeline.ts";
import type { ElbOperation } from "../../shared/elb/operations.ts";
import { decodeEventJson } from "../../shared/events/codec.ts";
import type { KubeObjectJson } from "../../shared/events/event.ts";
import type { Condition } from "../../shared/k8s/meta.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import type { ElbPort } from "../../shared/reconcile/ports.ts";
import {
  dynamoDbSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  STATUS_WRITERS_GROUP,
  uniqueName,
  waitFor,
} from "../env/clients.ts";
import { type KeyPair, selfSigned } from "../unit/forwarder/tls-fixtures.ts";
import {
  bindStatusWriters,
  type ClusterFixture,
  CONVERGE,
  GROUP,
  isTrue,
  mergePatch,
  pathsOf,
  prefixRule,
  RecordingHandler,
  setUpE2eCluster,
  startE2ePipeline,
} from "./support.ts";

// Local runs have no CloudWatch to read EMF from.
process.env.POWERTOOLS_METRICS_DISABLED = "true";

const CLUSTER_ID = uniqueName("edges");
const EKS_NAME = uniqueName("edges-eks");
const RECONCILE_ROLE = `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/${uniqueName("switchyard-reconcile")}`;
/**
 * A short lease and call deadline: a reconcile that dies on an exception mid-call records that its
 * call may land for one call deadline (5 s) and releases its lease; the message is deferred to that
 * moment. One that vanished would block its Gateway until its lease expires (10 s).
 */
const ENGINE = { leaseTtlMs: 10_000, callDeadlineMs: 5_000, leaseSafetyMarginMs: 1_000 };

/** Thrown by the reconcile handler's ELB port in place of a Lambda dying mid-apply. */
class InjectedCrash extends Error {
  override name = "InjectedCrash";
}

/** A crash armed for one Gateway's next CreateRule, and what the rule looked like in moto when it fired. */
interface CrashPlan {
  gatewayKey: string;
  fired?: { ruleArn: string; inMoto: Rule[] };
}

const ruleTargets = (rule: Rule) =>
  (rule.Actions ?? []).flatMap(
    (a) =>
      a.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn ?? "") ?? (a.TargetGroupArn ? [a.TargetGroupArn] : []),
  );

/** Status message id → how many deliveries of it failed, from the queue runner's "batch failed" lines. */
function failedStatusMessages(events: ProgressEvent[]): Map<string, number> {
  const failed = new Map<string, number>();
  for (const e of events) {
    if (e.stage !== "log" || !e.message.startsWith("runner: batch failed ")) continue;
    const [batch] = JSON.parse(e.message.slice("runner: batch failed ".length)) as {
      queueUrl: string;
      failed: string[];
    }[];
    if (!batch?.queueUrl.endsWith("-status")) continue;
    for (const id of batch.failed) failed.set(id, (failed.get(id) ?? 0) + 1);
  }
  return failed;
}

/** Text that appears wherever a key travels: a line of its PEM body, or its PEM base64-encoded (Secret data, ACM blobs). */
function keyMarkers(pair: KeyPair): string[] {
  const pemLine = pair.privateKey.split("\n").find((line) => line.length === 64);
  if (pemLine === undefined) throw new Error("the key has no full PEM line");
  return [pemLine, Buffer.from(pair.privateKey).toString("base64").slice(40, 100)];
}

describe("switchyard dev pipeline at its edges", () => {
  const namespace = uniqueName("edges");
  const granting = uniqueName("edges-b");
  const className = uniqueName("alb");
  const rbacName = uniqueName("switchyard-status-writer");
  const progress: ProgressEvent[] = [];
  const wire = new RecordingHandler();
  let crash: CrashPlan | undefined;
  let kc: KubeConfig;
  let elbv2: ElasticLoadBalancingV2Client;
  let tagging: ResourceGroupsTaggingAPIClient;
  let acm: ACMClient;
  let sqs: SQSClient;
  let dynamo: DynamoDBClient;
  let pipeline: RunningPipeline;
  let cluster: ClusterFixture;

  /**
   * The reconcile handler's ELB port, dying right after AWS accepted the armed CreateRule: the
   * operation returned from moto and nothing of the reconcile after it runs — no state record, no
   * statuses. (Only the engine's `finally` still releases the lease, which a dead Lambda would
   * not; the next holder waits for the record's `callsLandBy` either way.)
   */
  function crashing(port: ElbPort, gatewayKey: string): ElbPort {
    return {
      observe: (applied) => port.observe(applied),
      refresh: (applied) => port.refresh(applied),
      discover: (key) => port.discover(key),
      async execute(op: ElbOperation, current, created) {
        const after = await port.execute(op, current, created);
        const plan = crash;
        if (plan?.gatewayKey === gatewayKey && plan.fired === undefined && op.op === "CreateRule") {
          const ruleArn = created.get(op.key) ?? "";
          const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
          plan.fired = { ruleArn, inMoto: Rules };
          throw new InjectedCrash(`the reconcile died after AWS accepted CreateRule ${ruleArn}`);
        }
        return after;
      },
    };
  }

  beforeAll(async () => {
    ({ kc, elbv2, tagging, cluster } = await setUpE2eCluster({
      clusterId: CLUSTER_ID,
      namespaces: [namespace, granting],
      className,
      controllerName: "switchyard.dev/alb",
      statusWriter: { eksName: EKS_NAME, roleArn: RECONCILE_ROLE, rbacName },
    }));
    acm = new ACMClient(motoSettings());
    sqs = new SQSClient(motoSettings());
    dynamo = new DynamoDBClient(dynamoDbSettings());

    pipeline = await startE2ePipeline({
      kubeConfig: kc,
      clusterId: CLUSTER_ID,
      eksClusterName: EKS_NAME,
      reconcileRoleArn: RECONCILE_ROLE,
      queuePrefix: uniqueName("edges"),
      namespaces: [namespace, granting],
      maxReceiveCount: 12,
      retryAfterSeconds: 2,
      resyncIntervalMs: 3_600_000,
      engine: ENGINE,
      requestHandler: wire,
      reconcilePorts: (ports) => ({
        ...ports,
        elbFor: (registered, gateway) => crashing(ports.elbFor(registered, gateway), gateway.gatewayKey),
      }),
      progress: (event) => progress.push(event),
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    for (const client of [elbv2, tagging, acm, sqs, dynamo]) client?.destroy();
  });

  /** Messages waiting on a queue (a dead-letter queue should have none). */
  async function waiting(queueUrl: string): Promise<number> {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  }

  it("a deleted ReferenceGrant revokes the cross-namespace backend: RefNotPermitted, no forward, its target group gone", async () => {
    await cluster.createBackend("db", granting);
    await cluster.objects.createNamespacedCustomObject({
      ...cluster.resource("referencegrants", granting),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "ReferenceGrant",
        metadata: { name: "routes-to-db" },
        spec: {
          from: [{ group: GROUP, kind: "HTTPRoute", namespace }],
          to: [{ group: "", kind: "Service", name: "db" }],
        },
      },
    });
    await cluster.createGateway("grant");
    await cluster.objects.createNamespacedCustomObject({
      ...cluster.resource("httproutes"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "HTTPRoute",
        metadata: { name: "cross" },
        spec: { parentRefs: [{ name: "grant" }], rules: [prefixRule("/db", "db", granting)] },
      },
    });

    const granted = await cluster.routeParent("cross", "grant", (c) => isTrue(c, "ResolvedRefs"));
    expect(isTrue(granted.parent.conditions, "Accepted")).toBe(true);
    const dbGroup = await waitFor(
      "the /db rule forwarding to the granted Service's target group",
      async () => {
        const roles = await cluster.ownedResources("grant");
        const arn = roles.find((r) => r.role.startsWith(`target-group:${granting}/db:`))?.arn;
        const rules = (await cluster.rulesOf("grant")) ?? [];
        return arn && rules.some((r) => ruleTargets(r).includes(arn)) ? arn : undefined;
      },
      CONVERGE,
    );
    await cluster.programmed("grant");

    const beforeDeletion = progress.length;
    await cluster.objects.deleteNamespacedCustomObject({
      ...cluster.resource("referencegrants", granting),
      name: "routes-to-db",
    });

    // Revoked by the ReferenceGrant's own delete event, not by some later change of the route: the
    // resync tick is off and nothing else changes. Ingest coalesces, so the reconcile that takes the
    // deletion is either one it requested (its cause names the delete) or the requeue of one already
    // pending when the deletion arrived (which bumped its generation); either starts after it.
    await waitFor(
      "a reconcile after the ReferenceGrant's deletion",
      async () =>
        progress
          .slice(beforeDeletion)
          .find(
            (e) =>
              e.stage === "reconcile" &&
              e.gatewayKey === `${CLUSTER_ID}/${namespace}/grant` &&
              (e.cause?.startsWith(`delete ReferenceGrant ${granting}/routes-to-db `) || e.reason === "requeue"),
          ),
      CONVERGE,
    );
    const { parent } = await cluster.routeParent("cross", "grant", (c) =>
      c.some((x) => x.type === "ResolvedRefs" && x.status === "False"),
    );
    expect(parent.conditions.find((c) => c.type === "ResolvedRefs")).toMatchObject({
      status: "False",
      reason: "RefNotPermitted",
    });
    const rules = await waitFor(
      "no rule forwarding to the revoked Service's target group",
      async () => {
        const found = (await cluster.rulesOf("grant")) ?? [];
        return found.length > 0 && found.every((r) => !ruleTargets(r).includes(dbGroup)) ? found : undefined;
      },
      CONVERGE,
    );
    // The backend that may not be referenced answers 500, as the spec requires.
    expect(rules).toHaveLength(1);
    expect(pathsOf(rules).sort()).toEqual(["/db", "/db/*"]);
    expect(rules[0]?.Actions?.map((a) => [a.Type, a.FixedResponseConfig?.StatusCode])).toEqual([
      ["fixed-response", "500"],
    ]);
    await waitFor(
      "the revoked Service's target group deleted",
      async () => {
        const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
        return TargetGroups.some((tg) => tg.TargetGroupArn === dbGroup) ? undefined : true;
      },
      CONVERGE,
    );
    expect(await cluster.ownedArns("grant")).not.toContain(dbGroup);
  });

  it("a reconcile that dies after AWS accepted CreateRule is redelivered and converges: no duplicate rule, no orphan target group", async () => {
    await cluster.createBackend("one");
    await cluster.createBackend("two");
    await cluster.createGateway("crash");
    await cluster.createRoute("crash", "crash", "/one", "one");
    await cluster.programmed("crash");
    await cluster.routeParent("crash", "crash");
    const before = await cluster.ownedResources("crash");
    const groupOne = before.find((r) => r.role.startsWith(`target-group:${namespace}/one:`))?.arn;
    expect(groupOne).toBeDefined();

    const gatewayKey = `${namespace}/crash`;
    crash = { gatewayKey };
    const reconcilesBefore = progress.length;
    // /one moves to Service two and /two is new: a target group to create, a rule to create, a
    // rule to change and a target group to delete; the handler dies right after the CreateRule.
    await cluster.objects.patchNamespacedCustomObject(
      {
        ...cluster.resource("httproutes"),
        name: "crash",
        body: { spec: { rules: [prefixRule("/one", "two"), prefixRule("/two", "two")] } },
      },
      mergePatch,
    );
    const fired = await waitFor("the injected crash", async () => crash?.fired, CONVERGE);
    // The crash came after AWS accepted the call: moto already held the rule.
    expect(fired.inMoto.map((r) => r.RuleArn)).toEqual([fired.ruleArn]);
    expect(pathsOf(fired.inMoto).some((p) => p.startsWith("/two"))).toBe(true);

    const converged = await waitFor(
      "the /one and /two rules on Service two, once each",
      async () => {
        const rules = (await cluster.rulesOf("crash")) ?? [];
        const paths = pathsOf(rules).sort();
        const targets = new Set(rules.flatMap(ruleTargets));
        return paths.join(" ") === "/one /one/* /two /two/*" && targets.size === 1 && !targets.has(groupOne ?? "")
          ? rules
          : undefined;
      },
      CONVERGE,
    );
    expect(converged).toHaveLength(2);
    expect(converged.map((r) => r.RuleArn)).toContain(fired.ruleArn);
    // No orphan: Service one's target group is deleted, and Service two's is the only one left.
    const owned = await cluster.ownedResources("crash");
    const groups = owned.filter((r) => r.role.startsWith("target-group:"));
    expect(groups.map((g) => g.role.split("/")[1]?.split(":")[0])).toEqual(["two"]);
    expect(new Set(converged.flatMap(ruleTargets))).toEqual(new Set([groups[0]?.arn]));
    const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
    expect(TargetGroups.map((tg) => tg.TargetGroupArn)).not.toContain(groupOne);

    const gateway = await cluster.programmed("crash");
    expect(gateway.status?.conditions?.find((c) => c.type === "Programmed")?.status).toBe("True");
    const { route, parent } = await cluster.routeParent("crash", "crash");
    expect(route.metadata.generation).toBe(2);
    expect(isTrue(parent.conditions, "ResolvedRefs")).toBe(true);

    // The same message came back: it died, waited out the dead reconciler's calls, then applied.
    const key = `${CLUSTER_ID}/${gatewayKey}`;
    const reconciles = progress
      .slice(reconcilesBefore)
      .filter(
        (e): e is Extract<ProgressEvent, { stage: "reconcile" }> => e.stage === "reconcile" && e.gatewayKey === key,
      );
    const died = reconciles.findIndex((e) => e.outcome === "error, will retry");
    expect(died).toBeGreaterThanOrEqual(0);
    const since = reconciles.slice(died);
    const applied = since.findIndex((e) => !e.outcome.endsWith("will retry"));
    expect(applied).toBeGreaterThan(0);
    expect(since[applied]).toMatchObject({ outcome: "applied", reason: since[0]?.reason });
    expect(since[applied]?.receiveCount).toBe((since[0]?.receiveCount ?? 0) + applied);
    expect(await waiting(pipeline.queues.reconcileDeadLetter)).toBe(0);
  });

  /** The Secret objects the forwarder sent to events.fifo, as decoded from the wire. */
  const forwardedSecrets = (name: string): KubeObjectJson[] =>
    wire.sent
      .filter((r) => r.service === "AmazonSQS" && r.operation === "SendMessageBatch")
      .flatMap((r) => (JSON.parse(r.body) as { Entries?: { MessageBody?: string }[] }).Entries ?? [])
      .map((entry) => decodeEventJson(entry.MessageBody ?? ""))
      .flatMap((decoded) =>
        decoded.ok &&
        decoded.event.op !== "snapshot" &&
        decoded.event.kind.kind === "Secret" &&
        decoded.event.name === name &&
        "object" in decoded.event
          ? [decoded.event.object]
          : [],
      );

  /**
   * What went on the wire: the key went to ACM's ImportCertificate and nowhere else — not to SQS
   * (events, reconcile, status), not to DynamoDB (the mirror).
   */
  function onlyAcmCarried(pair: KeyPair): void {
    const markers = keyMarkers(pair);
    const carriers = wire.sent.filter((r) => markers.some((m) => r.body.includes(m)));
    expect(carriers.map((r) => `${r.service}.${r.operation}`)).toContain("CertificateManager.ImportCertificate");
    expect(
      carriers.filter((r) => r.operation !== "ImportCertificate").map((r) => `${r.service}.${r.operation}`),
    ).toEqual([]);
  }

  it("an HTTPS listener gets the TLS Secret's ACM certificate, no key reaches a queue or the mirror, and a rotation is re-imported into the same ARN", async () => {
    const first = selfSigned("shop.example.com");
    const core = kc.makeApiClient(CoreV1Api);
    const tlsData = (pair: KeyPair) => ({
      "tls.crt": Buffer.from(pair.certificate).toString("base64"),
      "tls.key": Buffer.from(pair.privateKey).toString("base64"),
    });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: "shop-tls" }, type: "kubernetes.io/tls", data: tlsData(first) },
    });
    await cluster.createGateway("tls", [
      {
        name: "https",
        port: 443,
        protocol: "HTTPS",
        tls: { mode: "Terminate", certificateRefs: [{ name: "shop-tls" }] },
      },
    ]);

    const sent = await waitFor(
      "the forwarder to send the imported Secret",
      async () => forwardedSecrets("shop-tls").find((secret) => secret.acmCertificateArn !== undefined),
      CONVERGE,
    );
    onlyAcmCarried(first);
    expect(Object.keys(sent).sort()).toEqual(["acmCertificateArn", "apiVersion", "kind", "metadata", "type"]);
    const listeners = await waitFor(
      "the HTTPS listener with a certificate",
      async () => {
        const found = await cluster.listenersOf("tls");
        return found.some((l) => (l.Certificates?.length ?? 0) > 0) ? found : undefined;
      },
      CONVERGE,
    );
    expect(listeners.map((l) => [l.Port, l.Protocol])).toEqual([[443, "HTTPS"]]);
    const arn = listeners[0]?.Certificates?.[0]?.CertificateArn ?? "";
    expect(arn).toMatch(/^arn:aws:acm:/);
    expect(sent.acmCertificateArn).toBe(arn);
    const gateway = await cluster.programmed("tls");
    const listenerStatus = (gateway.status as { listeners?: { name: string; conditions: Condition[] }[] }).listeners;
    expect(
      listenerStatus?.map((l) => [l.name, isTrue(l.conditions, "ResolvedRefs"), isTrue(l.conditions, "Programmed")]),
    ).toEqual([["https", true, true]]);
    const imported = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(imported.Certificate?.Type).toBe("IMPORTED");
    const body = async () => (await acm.send(new GetCertificateCommand({ CertificateArn: arn }))).Certificate?.trim();
    expect(await body()).toBe(first.certificate.trim());

    // The mirror holds the Secret as forwarded: the ARN, never the data.
    const mirror = new DynamoDbObjectMirror(dynamo, pipeline.tableName);
    const secretRef = { cluster: CLUSTER_ID, kind: "Secret" as const, namespace, name: "shop-tls" };
    const mirrored = await mirror.get(secretRef);
    expect(mirrored?.object).toMatchObject({ type: "kubernetes.io/tls", acmCertificateArn: arn });
    expect(mirrored?.object).not.toHaveProperty("data");
    expect(mirrored?.object).not.toHaveProperty("stringData");

    const second = selfSigned("shop.example.com");
    await core.replaceNamespacedSecret({
      namespace,
      name: "shop-tls",
      body: { metadata: { name: "shop-tls" }, type: "kubernetes.io/tls", data: tlsData(second) },
    });
    await waitFor(
      "the rotated certificate in ACM",
      async () => ((await body()) === second.certificate.trim() ? true : undefined),
      CONVERGE,
    );
    const live = await core.readNamespacedSecret({ namespace, name: "shop-tls" });
    const rotated = await waitFor(
      "the rotated Secret in the mirror",
      async () => {
        const m = await mirror.get(secretRef);
        return String(m?.resourceVersion) === live.metadata?.resourceVersion ? m : undefined;
      },
      CONVERGE,
    );
    // Re-imported into the same ARN, which the listener still names.
    expect(rotated.object).toMatchObject({ acmCertificateArn: arn });
    expect(rotated.object).not.toHaveProperty("data");
    const after = await cluster.listenersOf("tls");
    expect(after.map((l) => l.Certificates?.map((c) => c.CertificateArn))).toEqual([[arn]]);
    await cluster.programmed("tls");
    onlyAcmCarried(second);
  });

  it("a TLS Secret retracted when its only Gateway goes is back in the mirror, unchanged, when another Gateway names it", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const pair = selfSigned("again.example.com");
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: "again-tls" },
        type: "kubernetes.io/tls",
        data: {
          "tls.crt": Buffer.from(pair.certificate).toString("base64"),
          "tls.key": Buffer.from(pair.privateKey).toString("base64"),
        },
      },
    });
    const https = [
      {
        name: "https",
        port: 443,
        protocol: "HTTPS",
        tls: { mode: "Terminate", certificateRefs: [{ name: "again-tls" }] },
      },
    ];
    const mirror = new DynamoDbObjectMirror(dynamo, pipeline.tableName);
    const secretRef = { cluster: CLUSTER_ID, kind: "Secret" as const, namespace, name: "again-tls" };

    await cluster.createGateway("first", https);
    const forwarded = await waitFor("the referenced Secret in the mirror", () => mirror.get(secretRef), CONVERGE);
    await cluster.objects.deleteNamespacedCustomObject({ ...cluster.resource("gateways"), name: "first" });
    await waitFor(
      "the Secret retracted from the mirror",
      async () => ((await mirror.get(secretRef)) === undefined ? true : undefined),
      CONVERGE,
    );

    // Referenced again, unchanged: the forwarder re-sends it at the version it retracted it at.
    await cluster.createGateway("second", https);
    const back = await waitFor("the Secret back in the mirror", () => mirror.get(secretRef), CONVERGE);
    expect(back.resourceVersion).toBe(forwarded.resourceVersion);
    expect(back.object).toMatchObject({ type: "kubernetes.io/tls" });
    expect(back.object).toHaveProperty("acmCertificateArn");
    const gateway = await cluster.programmed("second");
    const listenerStatus = (gateway.status as { listeners?: { name: string; conditions: Condition[] }[] }).listeners;
    expect(listenerStatus?.map((l) => [l.name, isTrue(l.conditions, "ResolvedRefs")])).toEqual([["https", true]]);
    const listeners = await cluster.listenersOf("second");
    expect(listeners.map((l) => l.Certificates?.map((c) => c.CertificateArn))).toEqual([
      [back.object.acmCertificateArn],
    ]);
  });

  it("statuses denied while the writer's RBAC binding is missing are redelivered and written once it is restored", async () => {
    // What an operator's RBAC mistake looks like to the status writer: its token still
    // authenticates, and every status read and patch is answered 403 until the binding is back.
    // (An authenticator outage would not bite at once: the API server caches successful token
    // reviews for 10 s, test/env/QUIRKS.md K4.)
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    // Every binding of the status writers' group, not only this file's: the e2e files share one
    // API server, and an earlier file's binding would otherwise keep granting the writes.
    const { items } = await rbac.listClusterRoleBinding();
    const granting = items.filter((b) =>
      (b.subjects ?? []).some((subject) => subject.kind === "Group" && subject.name === STATUS_WRITERS_GROUP),
    );
    expect(granting.map((b) => b.metadata?.name)).toContain(rbacName);
    for (const binding of granting) await rbac.deleteClusterRoleBinding({ name: binding.metadata?.name ?? "" });
    const from = progress.length;
    let redelivered: string;
    try {
      await cluster.createGateway("late");
      await cluster.createRoute("late", "late", "/late", "one");
      // The runner names the messages of each failed batch: one of them failed twice.
      redelivered = await waitFor(
        "a status message denied on two deliveries",
        async () => {
          const failed = failedStatusMessages(progress.slice(from));
          return [...failed].find(([, times]) => times >= 2)?.[0];
        },
        CONVERGE,
      );
      const denied = progress
        .slice(from)
        .filter((e): e is Extract<ProgressEvent, { stage: "status" }> => e.stage === "status");
      expect(denied.length).toBeGreaterThanOrEqual(2);
      expect(denied.every((e) => e.outcome === "failed" && e.detail?.includes("HTTP 403"))).toBe(true);
      expect((await cluster.get("gateways", "late")).status?.addresses ?? []).toEqual([]);
    } finally {
      for (const binding of granting) {
        if (binding.metadata?.name === rbacName) await bindStatusWriters(kc, rbacName);
        else
          await rbac.createClusterRoleBinding({
            body: { metadata: { name: binding.metadata?.name }, roleRef: binding.roleRef, subjects: binding.subjects },
          });
      }
    }
    const restoredAt = progress.length;
    const gateway = await cluster.programmed("late");
    const lb = await cluster.loadBalancerOf("late");
    expect(gateway.status?.addresses).toEqual([{ type: "Hostname", value: lb?.DNSName?.toLowerCase() }]);
    const { parent } = await cluster.routeParent("late", "late");
    expect(isTrue(parent.conditions, "Accepted")).toBe(true);
    // Retried until it went through: not dead-lettered, and not denied again once restored.
    expect(await waiting(pipeline.queues.statusDeadLetter)).toBe(0);
    expect(failedStatusMessages(progress.slice(restoredAt)).has(redelivered)).toBe(false);
  });
});
