// `switchyard cluster register|list|remove` as a user runs them (a child process) against
// DynamoDB Local (the registry) and moto (the queues, STS): what is written, what is printed, the
// exit codes, and the forwarder manifests compared with what `helm template` renders from the
// chart for the same values.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { dynamoDbSettings, MOTO_DEFAULT_ACCOUNT_ID, resetMoto, uniqueName } from "../env/clients.ts";
import { helm } from "../env/helm.ts";
import {
  type CliResult,
  type ControlPlaneFixture,
  cliCredentials,
  controlPlaneFixture,
  runCli,
} from "./cli-support.ts";

const CHART = fileURLToPath(new URL("../../forwarder/deploy/chart", import.meta.url));
const ACCOUNT = MOTO_DEFAULT_ACCOUNT_ID;
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/switchyard-forwarder`;
const credentials = cliCredentials("clicluster");

let fixture: ControlPlaneFixture;
let registry: DynamoDbClusterRegistry;

const cli = (...args: string[]): Promise<CliResult> => runCli(args, fixture.env);

function registration(clusterId: string, ...extra: string[]): string[] {
  return [
    "cluster",
    "register",
    "--cluster-id",
    clusterId,
    "--account",
    ACCOUNT,
    "--vpc-id",
    fixture.vpcId,
    "--eks-cluster-name",
    "prod",
    "--sender-principal",
    PRINCIPAL,
    "--sender-id",
    "AROAEXAMPLEFORWARDER1",
    "--queue-prefix",
    fixture.prefix,
    ...extra,
  ];
}

describe("switchyard cluster", () => {
  beforeAll(async () => {
    await resetMoto();
    fixture = await controlPlaneFixture(uniqueName("cli-cluster"), credentials);
    registry = new DynamoDbClusterRegistry(new DynamoDBClient(dynamoDbSettings()), fixture.table, ACCOUNT);
  }, 120_000);

  it("register writes the registry entry and prints the forwarder's Helm values", async () => {
    const result = await cli(...registration("prod-eu"));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`cluster prod-eu registered in ${fixture.table}`);
    const values = parse(result.stdout) as Record<string, unknown>;
    expect(values).toEqual({
      clusterId: "prod-eu",
      eventsQueueUrl: fixture.queues.events,
      region: "us-east-1",
      claimCheckBucket: `${fixture.prefix}-claim-checks-${ACCOUNT}`,
      statusMode: "direct",
    });
    expect(await registry.get("prod-eu")).toEqual({
      clusterId: "prod-eu",
      account: ACCOUNT,
      region: "us-east-1",
      vpcId: fixture.vpcId,
      eks: { clusterName: "prod" },
      senderPrincipal: PRINCIPAL,
      senderId: "AROAEXAMPLEFORWARDER1",
      statusMode: "direct",
    });
  });

  it("refuses to register an id twice (exit 1, says --update), and --update replaces the entry", async () => {
    const again = await cli(...registration("prod-eu"));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already registered: pass --update");
    const updated = await cli(...registration("prod-eu", "--update", "--region", "eu-west-1", "-o", "json"));
    expect(updated.code, updated.stderr).toBe(0);
    const document = JSON.parse(updated.stdout) as { cluster: { region: string }; values: { region: string } };
    expect(document.cluster.region).toBe("eu-west-1");
    expect((await registry.get("prod-eu"))?.region).toBe("eu-west-1");
    const missing = await cli(...registration("never-registered", "--update"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nothing to --update");
  });

  it("refuses invalid flags with exit 2, naming the flag, before writing anything", async () => {
    const badId = await cli(...registration("Prod_EU"));
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain("--cluster-id");
    const crossAccount = await cli(...registration("other", "--account", "111111111111"));
    expect(crossAccount.code).toBe(2);
    expect(crossAccount.stderr).toContain(
      "--reconcile-role: required: account 111111111111 is not the control plane's",
    );
    const noExternalId = await cli(
      ...registration("other", "--account", "111111111111", "--reconcile-role", "arn:aws:iam::111111111111:role/r"),
    );
    expect(noExternalId.code).toBe(2);
    expect(noExternalId.stderr).toContain("--external-id");
    expect(await registry.get("other")).toBeUndefined();
  });

  it("via-forwarder status finds the cluster's own status queue by the prefix, and refuses a missing one", async () => {
    const missing = await cli(...registration("edge", "--status-mode", "via-forwarder"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${fixture.prefix}-status-edge`);
    expect(await registry.get("edge")).toBeUndefined();
  });

  it("list prints every cluster as a table and as JSON", async () => {
    const text = await cli("cluster", "list");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^CLUSTER\s+ACCOUNT\s+REGION/);
    expect(text.stdout).toMatch(
      new RegExp(`prod-eu\\s+${ACCOUNT}\\s+eu-west-1\\s+${fixture.vpcId}\\s+eks:prod\\s+direct`),
    );
    const listed = JSON.parse((await cli("cluster", "list", "-o", "json")).stdout) as {
      clusters: { clusterId: string }[];
    };
    expect(listed.clusters.map((c) => c.clusterId)).toEqual(["prod-eu"]);
  });

  it("remove is refused while a Gateway of the cluster has a state record, unless --force", async () => {
    await cli(...registration("doomed"));
    const { states } = createDynamoDbStores(new DynamoDBClient(dynamoDbSettings()), fixture.table);
    const claim = await states.claim({
      gatewayKey: clusterGatewayKey("doomed", "apps", "web"),
      owner: "test",
      now: Date.now(),
      ttlMs: 60_000,
      applying: { startedAt: Date.now(), desiredHash: "h", callsLandBy: Date.now() + 80_000 },
      initial: {
        dataPlane: "alb",
        account: ACCOUNT,
        region: "us-east-1",
        applied: { listeners: [], targetGroups: [], strayLoadBalancers: [] },
      },
    });
    expect(claim.kind).toBe("claimed");
    const refused = await cli("cluster", "remove", "doomed");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("doomed/apps/web");
    expect(refused.stderr).toContain("--force");
    expect(await registry.get("doomed")).toBeDefined();
    const forced = await cli("cluster", "remove", "doomed", "--force", "-o", "json");
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ removed: "doomed", gatewaysLeft: ["doomed/apps/web"] });
    expect(await registry.get("doomed")).toBeUndefined();
    const again = await cli("cluster", "remove", "doomed");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("is not registered");
  });

  it("a missing table is exit 1 with what to do next", async () => {
    const result = await runCli(["cluster", "list"], { ...fixture.env, SWITCHYARD_TABLE: "no-such-table" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("table no-such-table not found");
    expect(result.stderr).toContain("create the control plane first");
  });

  it("no table at all is a usage error (exit 2) naming the flag and the variable", async () => {
    const { SWITCHYARD_TABLE: _table, ...env } = fixture.env;
    const result = await runCli(["cluster", "list"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--table is required (or set SWITCHYARD_TABLE)");
  });

  for (const mode of ["direct", "via-forwarder"] as const) {
    it(`--manifests renders what helm template renders from the chart (${mode})`, async () => {
      const extra =
        mode === "via-forwarder"
          ? ["--status-mode", "via-forwarder", "--status-queue-url", `${fixture.queues.status}-via`]
          : [];
      const id = `chart-${mode === "direct" ? "d" : "v"}`;
      const result = await cli(...registration(id, "--manifests", "--release", "sy", "--namespace", "edge", ...extra));
      expect(result.code, result.stderr).toBe(0);
      const ours = parseAllDocuments(result.stdout).map((d) => d.toJS() as Record<string, unknown>);

      const values = join(mkdtempSync(join(tmpdir(), "cli-chart-")), "values.yaml");
      const printed = await cli(...registration(`${id}-values`, ...extra));
      expect(printed.code, printed.stderr).toBe(0);
      writeFileSync(values, printed.stdout.replaceAll(`${id}-values`, id));
      const rendered = helm(["template", "sy", CHART, "--namespace", "edge", "-f", values]);
      expect(rendered.status, rendered.stderr).toBe(0);
      const theirs = parseAllDocuments(rendered.stdout)
        .map((d) => d.toJS() as Record<string, unknown> | null)
        .filter((d): d is Record<string, unknown> => d !== null)
        .map((d) =>
          JSON.parse(
            JSON.stringify(d).replaceAll(
              '"app.kubernetes.io/managed-by":"Helm"',
              '"app.kubernetes.io/managed-by":"switchyard"',
            ),
          ),
        );
      const key = (m: Record<string, unknown>) => `${m.kind}/${(m.metadata as { name: string }).name}`;
      const byKey = (list: Record<string, unknown>[]) => Object.fromEntries(list.map((m) => [key(m), m]));
      expect(byKey(ours)).toEqual(byKey(theirs));
      expect(ours).toHaveLength(mode === "direct" ? 5 : 7);
    });
  }
});
