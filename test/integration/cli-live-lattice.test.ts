// `switchyard plan --diff --live` and `apply` for VPC Lattice, run as a user runs them (a child
// process) against the Lattice emulator, with the control plane on DynamoDB Local and moto: a live
// plan of an empty account finds nothing by tags and plans everything; apply creates a Gateway's
// services and a federated ServiceExport's group, and with --wait runs again until Lattice is done;
// a second apply changes nothing; a live plan from the record, or by tags without one, finds nothing
// to change; a rule edited behind switchyard's back is drift; a refusal fails the Gateway (exit 1)
// and the next apply converges. Every live plan is proved read-only by
// the emulator's own call log (Get*/List* only) and by a proxy that sees every DynamoDB request.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListTargetsCommand, UpdateRuleCommand, VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { exportUnitKey } from "../../shared/lattice/exports.ts";
import { createDynamoDbLatticeStates } from "../../shared/store/dynamodb/stores.ts";
import { gatewayPartition, PARTITION_KEY, SORT_KEY, STATE_SORT_KEY } from "../../shared/store/dynamodb/table-keys.ts";
import { dynamoDbSettings, latticeControl, latticeSettings, requireEnv, uniqueName } from "../env/clients.ts";
import { ENV } from "../env/variables.ts";
import {
  type DynamoDbRecorder,
  dynamoDbRecorder,
  isDynamoDbRead,
  isLatticeRead,
  recordLatticeCalls,
} from "./cli-lattice-support.ts";
import {
  type CliResult,
  type ControlPlaneFixture,
  cliCredentials,
  controlPlaneFixture,
  runCli,
} from "./cli-support.ts";

const CLUSTER = "lattice-cli";
const GATEWAY = `${CLUSTER}/apps/net`;
const credentials = cliCredentials("clilattice");

const backend = (name: string, ip: string) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: apps}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: apps, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [${ip}], conditions: {ready: true}}]
---`;

const route = (name: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps}
spec:
  parentRefs: [{name: net}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /${name}}}]
    backendRefs: [{name: ${name}, port: 8080}]
---`;

const MANIFESTS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: switchyard.dev/lattice}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: net
  namespace: apps
  annotations: {switchyard.dev/service-network: cli-net, switchyard.dev/create-service-network: "true"}
spec:
  gatewayClassName: lattice
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
${route("inventory")}
${backend("inventory", "10.0.3.11")}
${route("orders")}
${backend("orders", "10.0.3.21")}
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: web, namespace: apps, annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}}
spec:
  exportedPorts: [{port: 8080, routeType: HTTP}]
---
${backend("web", "10.0.5.1")}
`;

let fixture: ControlPlaneFixture;
let dynamo: DynamoDBClient;
let lattice: VPCLatticeClient;
let recorder: DynamoDbRecorder;
let manifests: string;

const cli = (...args: string[]): Promise<CliResult> =>
  runCli([...args, "--lattice-endpoint", requireEnv(ENV.latticeEndpoint)], fixture.env);

/** The CLI with DynamoDB behind the recording proxy: what it asked of the table, by operation. */
async function cliRecorded(...args: string[]) {
  recorder.take();
  const { result, calls } = await recordLatticeCalls(credentials.accessKeyId, () =>
    runCli([...args, "--lattice-endpoint", requireEnv(ENV.latticeEndpoint)], {
      ...fixture.env,
      SWITCHYARD_DYNAMODB_ENDPOINT: recorder.endpoint,
    }),
  );
  return { result, lattice: calls, dynamodb: recorder.take() };
}

const planLive = (...extra: string[]) =>
  cliRecorded("plan", "--diff", "--live", "--cluster-id", CLUSTER, "-f", manifests, "--detailed-exitcode", ...extra);

function json<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
}

interface PlanJson {
  changes: {
    dataPlane?: string;
    gateway?: string;
    serviceExport?: string;
    observedFrom: string;
    operations: { op: string }[];
    pending?: string;
  }[];
  awsCalls: Record<string, { calls: number }>;
}

interface ApplyJson {
  gateways: {
    gateway?: string;
    serviceExport?: string;
    dataPlane?: string;
    outcome: string;
    operations: string[];
    pending?: string;
    passes?: number;
    programmed?: boolean;
    address?: string;
    message?: string;
  }[];
}

const writesOf = (calls: Record<string, number>) => Object.keys(calls).filter((op) => !isLatticeRead(op));
const tableWritesOf = (calls: Record<string, number>) => Object.keys(calls).filter((op) => !isDynamoDbRead(op));

describe("switchyard plan --live and apply for VPC Lattice", () => {
  beforeAll(async () => {
    await latticeControl().reset();
    fixture = await controlPlaneFixture(uniqueName("cli-lattice"), credentials);
    dynamo = new DynamoDBClient(dynamoDbSettings());
    lattice = new VPCLatticeClient({ ...latticeSettings(), maxAttempts: 1 });
    recorder = await dynamoDbRecorder();
    const dir = mkdtempSync(join(tmpdir(), "cli-lattice-"));
    manifests = join(dir, "lattice.yaml");
    writeFileSync(manifests, MANIFESTS);
    const registered = await runCli(
      [
        "cluster",
        "register",
        "--cluster-id",
        CLUSTER,
        "--account",
        "123456789012",
        "--vpc-id",
        fixture.vpcId,
        "--eks-cluster-name",
        "lattice",
        "--sender-principal",
        "arn:aws:iam::123456789012:role/forwarder",
        "--sender-id",
        "AROAEXAMPLEFORWARDER2",
        "--queue-prefix",
        fixture.prefix,
      ],
      fixture.env,
    );
    expect(registered.code, registered.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    dynamo?.destroy();
    lattice?.destroy();
    await recorder?.close();
  });

  it("plans an empty account by tag discovery: every resource to create, exit 3, and only reads", async () => {
    const { result, lattice: calls, dynamodb } = await planLive("-o", "json");
    expect(result.code, result.stderr).toBe(3);
    const plan = json<PlanJson>(result);
    const gateway = plan.changes.find((c) => c.gateway === "apps/net");
    expect(gateway).toMatchObject({ dataPlane: "lattice", observedFrom: "tag-discovery" });
    const ops = gateway?.operations.map((o) => o.op) ?? [];
    expect(ops).toContain("FindServiceNetwork");
    // Two route services and the Gateway service merging the hostname-less one.
    expect(ops.filter((op) => op === "CreateService")).toHaveLength(3);
    const exported = plan.changes.find((c) => c.serviceExport === "apps/web");
    expect(exported).toMatchObject({ dataPlane: "lattice", observedFrom: "tag-discovery" });
    expect(exported?.operations.map((o) => o.op)).toEqual(["CreateTargetGroup"]);
    // The export's targets wait until Lattice has created the group.
    expect(exported?.pending).toBeDefined();
    // Discovery lists the account's services and groups: the emulator saw those, and only reads.
    expect(calls.ListServices ?? 0).toBeGreaterThan(0);
    expect(calls.ListTargetGroups ?? 0).toBeGreaterThan(0);
    expect(writesOf(calls)).toEqual([]);
    // The CLI's own count (`awsCalls`) agrees with what the emulator received.
    const listServices = Object.entries(plan.awsCalls).find(([key]) => key.endsWith(":ListServices"))?.[1];
    expect(listServices?.calls).toBe(calls.ListServices);
    expect(dynamodb.GetItem ?? 0).toBeGreaterThan(0);
    expect(tableWritesOf(dynamodb)).toEqual([]);
  });

  it("apply --wait creates the Gateway and the export's group, runs again until Lattice is done, and reports Programmed", async () => {
    const result = await cli("apply", "--cluster-id", CLUSTER, "-f", manifests, "--wait", "60", "-o", "json");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`reconciling VPC Lattice Gateway ${GATEWAY}`);
    expect(result.stderr).toMatch(/\+ service inventory-apps/);
    expect(result.stderr).toContain("waiting for VPC Lattice: being created:");
    const applied = json<ApplyJson>(result);
    const gateway = applied.gateways.find((g) => g.gateway === GATEWAY);
    expect(gateway).toMatchObject({ dataPlane: "lattice", outcome: "applied", programmed: true });
    expect(gateway?.operations.filter((op) => op === "CreateService")).toHaveLength(3);
    expect(gateway?.pending).toBeUndefined();
    expect(gateway?.address).toMatch(/on\.aws$/);
    const exported = applied.gateways.find((g) => g.serviceExport === `${CLUSTER}/apps/web`);
    // The group first, then (a later run, once ACTIVE) its target.
    expect(exported).toMatchObject({ outcome: "applied", operations: ["CreateTargetGroup", "RegisterTargets"] });
    expect(exported?.passes).toBeGreaterThan(1);
    expect(exported?.pending).toBeUndefined();

    const states = createDynamoDbLatticeStates(dynamo, fixture.table);
    const record = await states.get(clusterGatewayKey(CLUSTER, "apps", "net"));
    expect(record?.dataPlane).toBe("lattice");
    expect(record?.applied.services).toHaveLength(3);
    expect(record?.appliedHash).toBeDefined();
    const group = (await states.get(exportUnitKey(CLUSTER, "apps", "web")))?.applied.targetGroups[0];
    const targets = await lattice.send(new ListTargetsCommand({ targetGroupIdentifier: group?.arn }));
    expect(targets.items?.map((t) => t.id)).toEqual(["10.0.5.1"]);
  });

  it("a second apply finds every unit current: unchanged, exit 0, and no Lattice write", async () => {
    const { result, lattice: calls } = await cliRecorded("apply", "--cluster-id", CLUSTER, "-f", manifests);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`VPC Lattice Gateway ${GATEWAY}: unchanged`);
    expect(result.stdout).toContain(`ServiceExport ${CLUSTER}/apps/web (VPC Lattice target groups): unchanged`);
    expect(result.stdout).toMatch(/Programmed=True \S+on\.aws: service network cli-net, 3 service\(s\) active/);
    expect(writesOf(calls)).toEqual([]);
  });

  it("plans from the state record: nothing to change, exit 0, and only reads", async () => {
    const { result, lattice: calls, dynamodb } = await planLive("-o", "json");
    expect(result.code, result.stderr).toBe(0);
    const plan = json<PlanJson>(result);
    expect(plan.changes.filter((c) => c.dataPlane === "lattice")).toEqual([
      expect.objectContaining({ gateway: "apps/net", observedFrom: "state-record", operations: [] }),
      expect.objectContaining({ serviceExport: "apps/web", observedFrom: "state-record", operations: [] }),
    ]);
    // The drift check re-reads the recorded resources, never lists the account.
    expect(calls.GetService ?? 0).toBe(3);
    expect(calls.ListServices ?? 0).toBe(0);
    expect(writesOf(calls)).toEqual([]);
    expect(tableWritesOf(dynamodb)).toEqual([]);
  });

  it("without a state record, finds the Gateway's resources by their ownership tags: nothing to change", async () => {
    const states = createDynamoDbLatticeStates(dynamo, fixture.table);
    const key = clusterGatewayKey(CLUSTER, "apps", "net");
    const saved = await states.get(key);
    expect(saved).toBeDefined();
    // The record's item, as the store keeps it (with the Gateway's lease: none is held now).
    await dynamo.send(
      new DeleteItemCommand({
        TableName: fixture.table,
        Key: { [PARTITION_KEY]: { S: gatewayPartition(key) }, [SORT_KEY]: { S: STATE_SORT_KEY } },
      }),
    );
    expect(await states.get(key)).toBeUndefined();
    const { result, lattice: calls, dynamodb } = await planLive("-o", "json");
    expect(result.code, result.stderr).toBe(0);
    const gateway = json<PlanJson>(result).changes.find((c) => c.gateway === "apps/net");
    expect(gateway).toMatchObject({ observedFrom: "tag-discovery", operations: [] });
    expect(calls.ListTagsForResource ?? 0).toBeGreaterThan(0);
    expect(writesOf(calls)).toEqual([]);
    expect(tableWritesOf(dynamodb)).toEqual([]);
    // The next apply re-discovers and writes the record again, with nothing to change in Lattice.
    const reapplied = await cliRecorded("apply", "--cluster-id", CLUSTER, "-f", manifests, "-o", "json");
    expect(reapplied.result.code, reapplied.result.stderr).toBe(0);
    expect(json<ApplyJson>(reapplied.result).gateways.find((g) => g.gateway === GATEWAY)?.outcome).toBe("unchanged");
    expect(writesOf(reapplied.lattice)).toEqual([]);
    expect(await states.get(key)).toBeDefined();
  });

  it("a rule edited behind switchyard's back is drift: plan --live shows the repair and exits 3", async () => {
    const record = await createDynamoDbLatticeStates(dynamo, fixture.table).get(
      clusterGatewayKey(CLUSTER, "apps", "net"),
    );
    const service = record?.applied.services.find((s) => s.id === "HTTPRoute/apps/inventory");
    const listener = service?.listeners[0];
    const rule = listener?.rules[0];
    expect(rule).toBeDefined();
    await lattice.send(
      new UpdateRuleCommand({
        serviceIdentifier: service?.arn,
        listenerIdentifier: listener?.arn,
        ruleIdentifier: rule?.arn,
        match: { httpMatch: { pathMatch: { match: { exact: "/hijacked" }, caseSensitive: true } } },
      }),
    );
    const { result, lattice: calls, dynamodb } = await planLive();
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toContain(
      "Changes for VPC Lattice Gateway apps/net (live: the state record's resources, re-read from VPC Lattice):",
    );
    expect(result.stdout, result.stdout).toMatch(
      /~ 1 rule on HTTPRoute\/apps\/inventory HTTP:80: r0-m0-\w+ \(.*path \w+ \/inventory/,
    );
    expect(calls.GetRule ?? 0).toBe(1);
    expect(writesOf(calls)).toEqual([]);
    expect(tableWritesOf(dynamodb)).toEqual([]);
  });

  it("apply trusts a current record; --drift-check re-reads it and repairs the rule", async () => {
    // The record is current and its drift check not due: apply trusts it, as the reconciler does…
    const trusted = await cliRecorded("apply", "--cluster-id", CLUSTER, "-f", manifests);
    expect(trusted.result.code, trusted.result.stderr).toBe(0);
    expect(trusted.result.stdout).toMatch(/VPC Lattice Gateway \S+: unchanged/);
    expect(writesOf(trusted.lattice)).toEqual([]);
    // …and --drift-check re-reads it and repairs the rule.
    const repaired = await cliRecorded("apply", "--cluster-id", CLUSTER, "-f", manifests, "--drift-check");
    expect(repaired.result.code, repaired.result.stderr).toBe(0);
    expect(repaired.result.stderr).toContain("re-reading the recorded resources (drift check)");
    expect(repaired.result.stdout).toMatch(/VPC Lattice Gateway \S+: applied \(UpdateRules\)/);
    expect(writesOf(repaired.lattice)).toEqual(["BatchUpdateRule"]);
    const plan = await planLive();
    expect(plan.result.code, plan.result.stdout).toBe(0);
  });

  it("a group Lattice is still creating leaves its export pending: exit 0 without --wait, 1 when --wait runs out", async () => {
    const grown = join(mkdtempSync(join(tmpdir(), "cli-lattice-")), "grown.yaml");
    writeFileSync(
      grown,
      `${MANIFESTS}\n---\napiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: api, namespace: apps, annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}}
spec:
  exportedPorts: [{port: 8080, routeType: HTTP}]
---
${backend("api", "10.0.6.1")}`,
    );
    // Lattice takes its time: the new group stays CREATE_IN_PROGRESS until the clock is settled.
    await latticeControl().configure({ asyncSteps: 100_000 });
    try {
      const pending = await cli("apply", "--cluster-id", CLUSTER, "-f", grown);
      expect(pending.code, pending.stderr).toBe(0);
      expect(pending.stdout).toContain(
        `ServiceExport ${CLUSTER}/apps/api (VPC Lattice target groups): applied (CreateTargetGroup)`,
      );
      expect(pending.stdout).toMatch(
        /pending: VPC Lattice is not done: being created: target group (\S+) \(CREATE_IN_PROGRESS\); \1 \(being created: targets registered once ACTIVE\)/,
      );

      const waited = await cli("apply", "--cluster-id", CLUSTER, "-f", grown, "--wait", "1", "-o", "json");
      expect(waited.code, waited.stderr).toBe(1);
      const exported = json<ApplyJson>(waited).gateways.find((g) => g.serviceExport === `${CLUSTER}/apps/api`);
      expect(exported).toMatchObject({ outcome: "unchanged", operations: [] });
      expect(exported?.pending).toMatch(/CREATE_IN_PROGRESS/);
    } finally {
      await latticeControl().configure({ asyncSteps: 2 });
    }
    await latticeControl().settle();
    const done = await cli("apply", "--cluster-id", CLUSTER, "-f", grown, "--wait", "30", "-o", "json");
    expect(done.code, done.stderr).toBe(0);
    const exported = json<ApplyJson>(done).gateways.find((g) => g.serviceExport === `${CLUSTER}/apps/api`);
    expect(exported).toMatchObject({ outcome: "applied", operations: ["RegisterTargets"] });
    expect(exported?.pending).toBeUndefined();
  });

  it("a Lattice refusal fails the Gateway: exit 1 with the error and Programmed=False; the next apply converges", async () => {
    const grown = join(mkdtempSync(join(tmpdir(), "cli-lattice-")), "payments.yaml");
    writeFileSync(grown, `${MANIFESTS}\n---\n${route("payments")}\n${backend("payments", "10.0.3.31")}`);
    await latticeControl().injectFault({ operation: "CreateService", error: "AccessDeniedException" });
    const refused = await cli("apply", "--cluster-id", CLUSTER, "-f", grown);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stdout).toContain(`VPC Lattice Gateway ${GATEWAY}: failed`);
    expect(refused.stdout).toMatch(/error: CreateService failed: AccessDenied/);
    expect(refused.stdout).toMatch(/Programmed=False .*CreateService failed/);

    const converged = await cli("apply", "--cluster-id", CLUSTER, "-f", grown, "--wait", "30", "-o", "json");
    expect(converged.code, converged.stderr).toBe(0);
    const gateway = json<ApplyJson>(converged).gateways.find((g) => g.gateway === GATEWAY);
    expect(gateway).toMatchObject({ outcome: "applied", programmed: true });
    expect(gateway?.operations.filter((op) => op === "CreateService")).toEqual(["CreateService"]);
  });
});
