// `switchyard plan --diff --live`, `apply` and `status` run as a user runs them (a child process)
// against moto and DynamoDB Local: the engine applies the quick start's Gateway, a live plan then
// finds nothing to do, a listener deleted behind switchyard's back shows up as drift in both the
// plan and the status, and every live read is proved read-only by moto's own request log.
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteListenerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { KubeObjectJson } from "../../shared/events/event.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import type { KnownKind } from "../../shared/manifest/kinds.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { dynamoDbSettings, motoSettings, resetMoto, uniqueName } from "../env/clients.ts";
import {
  type CliResult,
  type ControlPlaneFixture,
  cliCredentials,
  controlPlaneFixture,
  isReadOnly,
  recordMotoCalls,
  runCli,
} from "./cli-support.ts";

const QUICKSTART = fileURLToPath(new URL("../../cli/dev/quickstart.yaml", import.meta.url));
const CLUSTER = "live-eu";
const GATEWAY = `${CLUSTER}/default/web`;
const credentials = cliCredentials("clilive");

let fixture: ControlPlaneFixture;

const cli = (...args: string[]): Promise<CliResult> => runCli(args, fixture.env);

function json<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
}

interface PlanJson {
  changes: { gateway: string; observedFrom: string; operations: { op: string }[] }[];
}

async function listenerArns(): Promise<string[]> {
  const elb = new ElasticLoadBalancingV2Client(motoSettings());
  try {
    const { LoadBalancers = [] } = await elb.send(new DescribeLoadBalancersCommand({}));
    const arns: string[] = [];
    for (const lb of LoadBalancers) {
      const { Listeners = [] } = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
      for (const l of Listeners) if (l.ListenerArn) arns.push(l.ListenerArn);
    }
    return arns;
  } finally {
    elb.destroy();
  }
}

describe("switchyard plan --live, apply and status against moto", () => {
  beforeAll(async () => {
    await resetMoto();
    fixture = await controlPlaneFixture(uniqueName("cli-live"), credentials);
    const registered = await cli(
      "cluster",
      "register",
      "--cluster-id",
      CLUSTER,
      "--account",
      "123456789012",
      "--vpc-id",
      fixture.vpcId,
      "--eks-cluster-name",
      "live",
      "--sender-principal",
      "arn:aws:iam::123456789012:role/forwarder",
      "--sender-id",
      "AROAEXAMPLEFORWARDER1",
      "--queue-prefix",
      fixture.prefix,
    );
    expect(registered.code, registered.stderr).toBe(0);
  }, 120_000);

  it("plans against an empty account by tag discovery, exits 3 with --detailed-exitcode, and only reads", async () => {
    const { result, calls } = await recordMotoCalls(credentials.accessKeyId, () =>
      cli("plan", "--diff", "--live", "--cluster-id", CLUSTER, "-f", QUICKSTART, "-o", "json", "--detailed-exitcode"),
    );
    expect(result.code, result.stderr).toBe(3);
    const plan = json<PlanJson>(result);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]?.observedFrom).toBe("tag-discovery");
    expect(plan.changes[0]?.operations.map((o) => o.op)).toContain("CreateLoadBalancer");
    expect(Object.keys(calls).length).toBeGreaterThan(0);
    expect(Object.keys(calls).filter((op) => !isReadOnly(op))).toEqual([]);
    expect(calls.GetResources ?? 0).toBeGreaterThan(0);
  });

  it("apply runs the engine once per Gateway, prints each operation as progress and the Programmed status", async () => {
    const result = await cli("apply", "--cluster-id", CLUSTER, "-f", QUICKSTART);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`reconciling Gateway ${GATEWAY}`);
    expect(result.stderr).toContain("+ application load balancer");
    expect(result.stdout).toMatch(/Gateway live-eu\/default\/web: applied \(.*CreateLoadBalancer/);
    // moto's load balancer stays provisioning: Programmed waits for it, with the address already known.
    expect(result.stdout).toMatch(/Programmed=False \S+\.elb\.amazonaws\.com: load balancer \S+ is provisioning/);
    const stores = createDynamoDbStores(new DynamoDBClient(dynamoDbSettings()), fixture.table);
    const state = await stores.states.get(clusterGatewayKey(CLUSTER, "default", "web"));
    expect(state?.applied.loadBalancer?.arn).toMatch(/^arn:aws:elasticloadbalancing:/);
    expect(state?.appliedHash).toBeDefined();
    expect(state?.lastReconcile).toEqual({ at: expect.any(Number), outcome: "applied" });
  });

  it("a second apply finds the record current and changes nothing", async () => {
    const result = await cli("apply", "--cluster-id", CLUSTER, "-f", QUICKSTART, "-o", "json");
    expect(result.code, result.stderr).toBe(0);
    const applied = json<{ gateways: { outcome: string; operations: string[] }[] }>(result);
    expect(applied.gateways).toEqual([expect.objectContaining({ outcome: "unchanged", operations: [] })]);
  });

  it("plans from the state record once one exists: nothing to change, exit 0, and only reads", async () => {
    const { result, calls } = await recordMotoCalls(credentials.accessKeyId, () =>
      cli("plan", "--diff", "--live", "--cluster-id", CLUSTER, "-f", QUICKSTART, "-o", "json", "--detailed-exitcode"),
    );
    expect(result.code, result.stderr).toBe(0);
    const plan = json<PlanJson>(result);
    expect(plan.changes[0]?.observedFrom).toBe("state-record");
    expect(plan.changes[0]?.operations).toEqual([]);
    expect(calls.DescribeLoadBalancers ?? 0).toBeGreaterThan(0);
    expect(Object.keys(calls).filter((op) => !isReadOnly(op))).toEqual([]);
  });

  it("a listener deleted behind switchyard's back is drift: plan --live exits 3, status --live lists the repair", async () => {
    const [listener] = await listenerArns();
    expect(listener).toBeDefined();
    const elb = new ElasticLoadBalancingV2Client(motoSettings());
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener }));
    elb.destroy();

    const plan = await cli(
      "plan",
      "--diff",
      "--live",
      "--cluster-id",
      CLUSTER,
      "-f",
      QUICKSTART,
      "--detailed-exitcode",
    );
    expect(plan.code, plan.stderr).toBe(3);
    expect(plan.stdout).toContain("live: the state record's resources, re-read from AWS");
    expect(plan.stdout).toContain("+ listener HTTP:80");

    // status --live plans against the mirrored manifests: put the quick start in the mirror as the
    // forwarder would, with the Programmed condition the status λ last wrote.
    const mirror = new DynamoDbObjectMirror(new DynamoDBClient(dynamoDbSettings()), fixture.table);
    const objects = parseAllDocuments(await import("node:fs").then((fs) => fs.readFileSync(QUICKSTART, "utf8")))
      .map((d) => d.toJS() as KubeObjectJson)
      .filter((o) => o !== null);
    for (const [i, object] of objects.entries()) {
      const metadata = object.metadata as { name: string; namespace?: string };
      const withStatus =
        object.kind === "Gateway"
          ? {
              ...object,
              metadata: { ...metadata, generation: 1, uid: `u${i}`, resourceVersion: "10" },
              status: {
                conditions: [
                  { type: "Accepted", status: "True", reason: "Accepted", lastTransitionTime: "2026-12-01T10:00:00Z" },
                  {
                    type: "Programmed",
                    status: "False",
                    reason: "Invalid",
                    message: "CreateListener failed: TooManyListeners: quota",
                    lastTransitionTime: "2026-12-01T10:05:00Z",
                    observedGeneration: 1,
                  },
                ],
              },
            }
          : { ...object, metadata: { ...metadata, uid: `u${i}`, resourceVersion: "10" } };
      await mirror.upsert(
        {
          cluster: CLUSTER,
          kind: object.kind as KnownKind,
          ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
          name: metadata.name,
        },
        `u${i}`,
        10n,
        withStatus,
      );
    }
    for (const kind of ["GatewayClass", "Gateway"] as const) {
      const items = objects
        .map((o, i) => ({ o, i }))
        .filter(({ o }) => o.kind === kind)
        .map(({ o, i }) => {
          const m = o.metadata as { name: string; namespace?: string };
          return {
            ...(m.namespace ? { namespace: m.namespace } : {}),
            name: m.name,
            uid: `u${i}`,
            resourceVersion: "10",
          };
        });
      await mirror.applySnapshot({ cluster: CLUSTER, kind, items, resourceVersion: 10n }, Date.now());
    }

    const { result: status, calls } = await recordMotoCalls(credentials.accessKeyId, () =>
      cli("status", GATEWAY, "--live", "--queue-prefix", fixture.prefix, "-o", "json"),
    );
    expect(status.code, status.stderr).toBe(0);
    const report = json<{
      gateways: {
        gateway: string;
        lastReconcile: {
          outcome: string;
          reconciles: number;
          programmedSince?: string;
          finishedAt?: string;
          result?: string;
        };
        resources: { loadBalancer?: { arn: string }; listeners: unknown[] };
        lastError?: string;
        drift: { lastCheck?: string; now?: { operations: string[]; from: string } };
      }[];
      queues: { queue: string; visible?: number }[];
    }>(status);
    const [gateway] = report.gateways;
    expect(gateway?.gateway).toBe(GATEWAY);
    expect(gateway?.lastReconcile.outcome).toBe("applied");
    expect(gateway?.lastReconcile.reconciles).toBeGreaterThanOrEqual(1);
    expect(gateway?.lastReconcile.programmedSince).toBe("2026-12-01T10:05:00Z");
    // The record's own account of the last reconcile that wrote it (the second apply re-read the
    // provisioning load balancer and found nothing to change).
    const stored = await createDynamoDbStores(new DynamoDBClient(dynamoDbSettings()), fixture.table).states.get(
      clusterGatewayKey(CLUSTER, "default", "web"),
    );
    expect(stored?.lastReconcile).toBeDefined();
    expect(gateway?.lastReconcile.result).toBe(stored?.lastReconcile?.outcome);
    expect(gateway?.lastReconcile.finishedAt).toBe(new Date(stored?.lastReconcile?.at ?? 0).toISOString());
    expect(gateway?.resources.loadBalancer?.arn).toMatch(/^arn:aws:elasticloadbalancing:/);
    expect(gateway?.resources.listeners).toHaveLength(1);
    expect(gateway?.lastError).toBe("Invalid: CreateListener failed: TooManyListeners: quota");
    expect(gateway?.drift.lastCheck).toMatch(/^\d{4}-/);
    expect(gateway?.drift.now?.from).toBe("state-record");
    expect(gateway?.drift.now?.operations.some((op) => op.startsWith("+ listener HTTP:80"))).toBe(true);
    expect(Object.keys(calls).filter((op) => !isReadOnly(op))).toEqual([]);
  });

  it("status reports queue depth from GetQueueAttributes, dead-letter queues included", async () => {
    const sqs = new SQSClient(motoSettings());
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: fixture.queues.reconcileDeadLetter,
        MessageBody: "{}",
        MessageGroupId: "g",
        MessageDeduplicationId: uniqueName("d"),
      }),
    );
    sqs.destroy();
    const result = await cli("status", "--cluster-id", CLUSTER, "--queue-prefix", fixture.prefix);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/reconcile-dlq\s+1 waiting, 0 in flight, 0 delayed {2}! dead letters/);
    expect(result.stdout).toMatch(/events\s+0 waiting/);
    expect(result.stdout).toContain(`Gateway ${GATEWAY} (alb, account 123456789012, us-east-1)`);
  });

  it("status of a Gateway without a record exits 1 and says how to find the right name", async () => {
    const result = await cli("status", "default/nothing", "--cluster-id", CLUSTER);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no state record for Gateway ${CLUSTER}/default/nothing`);
    expect(result.stderr).toContain("`switchyard status` lists every Gateway");
  });

  it("apply refuses manifests with a rejected object and touches nothing", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "cli-apply-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: default}\nspec:\n  rules:\n  - matches:\n    - path: {type: PathPrefix, value: no-slash}\n",
    );
    const { result, calls } = await recordMotoCalls(credentials.accessKeyId, () =>
      cli("apply", "--cluster-id", CLUSTER, "-f", QUICKSTART, "-f", bad),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nothing applied");
    expect(result.stderr).toContain("spec.rules[0].matches[0].path");
    expect(calls).toEqual({});
  });

  it("plan --live for a cluster that is not registered exits 1 and says to register it", async () => {
    const result = await cli("plan", "--diff", "--live", "--cluster-id", "nowhere", "-f", QUICKSTART);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cluster nowhere is not registered");
    expect(result.stderr).toContain("switchyard cluster register --help");
  });
});
