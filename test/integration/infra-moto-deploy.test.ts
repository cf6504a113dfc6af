/**
 * The bundled CDK app synthesized offline exactly as `cdk synth` runs it (node infra/app.ts with
 * CDK_CONTEXT_JSON), then its two templates deployed into moto's CloudFormation — the control plane
 * in moto's default account, the target account's stack in a second account — and the queues,
 * table, functions, roles and rules read back through their own APIs. Resource types moto's
 * CloudFormation cannot create are listed (test/env/QUIRKS.md, "moto CloudFormation", CF1).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AwsClientSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
} from "../env/clients.ts";
import {
  bootstrapAndPublish,
  type DeployedStack,
  deployStack,
  jsonApi,
  queryApi,
  signedRequest,
  xmlValues,
} from "./infra-cloudformation.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const TARGET_ACCOUNT = "222222222222";
const CONTROL_PLANE_STACK = "switchyard-control-plane";
const TARGET_STACK = `switchyard-target-${TARGET_ACCOUNT}`;

let assembly: string;
let controlPlaneSettings: AwsClientSettings;
let targetSettings: AwsClientSettings;
let controlPlane: DeployedStack;
let target: DeployedStack;

function templateTypes(stackName: string): Map<string, string> {
  const template = JSON.parse(readFileSync(join(assembly, `${stackName}.template.json`), "utf8")) as {
    Resources: Record<string, { Type: string }>;
  };
  return new Map(Object.entries(template.Resources).map(([id, r]) => [id, r.Type]));
}

function missingTypes(stackName: string, deployed: DeployedStack): string[] {
  return [
    ...new Set([...templateTypes(stackName)].filter(([id]) => !deployed.resources.has(id)).map(([, type]) => type)),
  ].sort();
}

beforeAll(async () => {
  await resetMoto();
  assembly = mkdtempSync(join(tmpdir(), "switchyard-cdk-"));
  const context = JSON.parse(readFileSync(join(ROOT, "infra/cdk.json"), "utf8")).context as Record<string, string>;
  await promisify(execFile)(join(ROOT, "node_modules/.bin/node"), ["app.ts"], {
    cwd: join(ROOT, "infra"),
    env: {
      ...process.env,
      CDK_OUTDIR: assembly,
      CDK_CONTEXT_JSON: JSON.stringify({
        ...context,
        "switchyard:region": TEST_REGION,
        "switchyard:controlPlaneAccount": MOTO_DEFAULT_ACCOUNT_ID,
        "switchyard:targetAccount": TARGET_ACCOUNT,
      }),
    },
    timeout: 300_000,
  });

  controlPlaneSettings = motoSettings();
  const assumed = await new STSClient(motoSettings()).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TARGET_ACCOUNT}:role/deployer`, RoleSessionName: "cdk-deploy" }),
  );
  const c = assumed.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error("moto AssumeRole returned no credentials");
  targetSettings = motoSettings({
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  });

  await bootstrapAndPublish(controlPlaneSettings, assembly, CONTROL_PLANE_STACK, MOTO_DEFAULT_ACCOUNT_ID);
  controlPlane = await deployStack(controlPlaneSettings, assembly, CONTROL_PLANE_STACK);
  await bootstrapAndPublish(targetSettings, assembly, TARGET_STACK, TARGET_ACCOUNT);
  // Bounded wait: the custom resource keeps this stack in progress in moto (CF2).
  target = await deployStack(targetSettings, assembly, TARGET_STACK, 30_000);
}, 600_000);

afterAll(() => {
  if (assembly) rmSync(assembly, { recursive: true, force: true });
});

describe("synth", () => {
  it("wrote both templates, the four handler bundles and a passing cdk-nag report", () => {
    const files = readdirSync(assembly);
    expect(files).toEqual(
      expect.arrayContaining([`${CONTROL_PLANE_STACK}.template.json`, `${TARGET_STACK}.template.json`]),
    );
    const bundles = files.filter(
      (f) => f.startsWith("asset.") && !f.endsWith(".zip") && readdirSync(join(assembly, f)).includes("index.mjs"),
    );
    expect(bundles.length).toBeGreaterThanOrEqual(4);
    const report = JSON.parse(readFileSync(join(assembly, "validation-report.json"), "utf8")) as {
      pluginReports: { conclusion: string }[];
    };
    expect(report.pluginReports.filter((r) => r.conclusion !== "success")).toEqual([]);
  });
});

describe("control-plane stack in moto", () => {
  it("completes, creating every resource type moto supports", () => {
    expect({ status: controlPlane.status, notDeployed: missingTypes(CONTROL_PLANE_STACK, controlPlane) }).toEqual({
      status: "CREATE_COMPLETE",
      notDeployed: [
        "AWS::CloudWatch::Alarm",
        "AWS::Events::EventBusPolicy",
        "AWS::S3::BucketPolicy",
        "AWS::SQS::QueuePolicy",
      ],
    });
  });

  it("created the pipeline's queues, FIFO where ordered, each redriving to its dead-letter queue", async () => {
    const sqs = new SQSClient(controlPlaneSettings);
    for (const [name, fifo] of [
      ["switchyard-events.fifo", true],
      ["switchyard-reconcile.fifo", true],
      ["switchyard-status", false],
      ["switchyard-resync-continuation", false],
    ] as const) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
      expect(Attributes?.FifoQueue === "true", name).toBe(fifo);
      const redrive = JSON.parse(Attributes?.RedrivePolicy ?? "{}") as {
        deadLetterTargetArn?: string;
        maxReceiveCount?: number;
      };
      expect(redrive.deadLetterTargetArn).toBe(
        `arn:aws:sqs:${TEST_REGION}:${MOTO_DEFAULT_ACCOUNT_ID}:${name.replace(/(\.fifo)?$/, (f) => `-dlq${f}`)}`,
      );
      expect(Number(redrive.maxReceiveCount)).toBe(5);
    }
  });

  it("created the table with the store's keys", async () => {
    const dynamodb = new DynamoDBClient(controlPlaneSettings);
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: "switchyard" }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
  });

  it("created the four functions on Node.js 24 with their environment, from the published bundles", async () => {
    for (const name of ["ingest", "reconcile", "status", "resync"]) {
      const response = await signedRequest(controlPlaneSettings, "lambda", {
        method: "GET",
        path: `/2015-03-31/functions/switchyard-${name}`,
      });
      expect(response.status, response.body).toBe(200);
      const fn = JSON.parse(response.body) as {
        Configuration: {
          Runtime: string;
          Architectures?: string[];
          Environment?: { Variables: Record<string, string> };
        };
      };
      expect(fn.Configuration.Runtime).toBe("nodejs24.x");
      expect(fn.Configuration.Environment?.Variables.AWS_DEFAULTS_MODE).toBe("legacy");
      expect(fn.Configuration.Environment?.Variables.SWITCHYARD_TABLE).toBe("switchyard");
    }
  });

  it("created the resync schedule and the ACM and ELB event rules", async () => {
    const { Rules } = (await jsonApi(controlPlaneSettings, "events", "AWSEvents.ListRules", {
      NamePrefix: "switchyard-",
    })) as {
      Rules: { Name: string; ScheduleExpression?: string; EventPattern?: string }[];
    };
    const byName = new Map(Rules.map((r) => [r.Name, r]));
    expect(byName.get("switchyard-resync-schedule")?.ScheduleExpression).toBe("rate(1 minute)");
    expect(JSON.parse(byName.get("switchyard-acm-certificates")?.EventPattern ?? "{}").source).toEqual(["aws.acm"]);
    expect(JSON.parse(byName.get("switchyard-elb-changes")?.EventPattern ?? "{}").detail).toEqual({
      eventSource: ["elasticloadbalancing.amazonaws.com"],
    });
  });

  it("created the functions' roles, trusted by Lambda", async () => {
    const types = templateTypes(CONTROL_PLANE_STACK);
    const roleIds = [...types].filter(([, t]) => t === "AWS::IAM::Role").map(([id]) => id);
    expect(roleIds.length).toBeGreaterThanOrEqual(5);
    const listed = await queryApi(controlPlaneSettings, "iam", "2010-05-08", "ListRoles");
    const names = xmlValues(listed, "RoleName");
    expect(names.some((n) => n.includes("reconcilerole"))).toBe(true);
    expect(names).toContain("switchyard-registrar");
  });
});

describe("where moto's CloudFormation differs from AWS (QUIRKS.md CF3 to CF5)", () => {
  it("CF3: a table's TimeToLiveSpecification is not applied", async () => {
    const template = JSON.parse(readFileSync(join(assembly, `${CONTROL_PLANE_STACK}.template.json`), "utf8"));
    expect(JSON.stringify(template)).toContain(
      '"TimeToLiveSpecification":{"AttributeName":"expiresAt","Enabled":true}',
    );
    const ttl = await new DynamoDBClient(controlPlaneSettings).send(
      new DescribeTimeToLiveCommand({ TableName: "switchyard" }),
    );
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).not.toBe("ENABLED");
  });

  it("CF4: a function's Architectures is not applied (x86_64 instead of arm64)", async () => {
    const response = await signedRequest(controlPlaneSettings, "lambda", {
      method: "GET",
      path: "/2015-03-31/functions/switchyard-reconcile",
    });
    const fn = JSON.parse(response.body) as { Configuration: { Architectures?: string[] } };
    expect(fn.Configuration.Architectures).toEqual(["x86_64"]);
  });

  it("CF5: a table's PointInTimeRecoverySpecification is not applied", async () => {
    const template = readFileSync(join(assembly, `${CONTROL_PLANE_STACK}.template.json`), "utf8");
    expect(template.replace(/\s/g, "")).toContain(
      '"PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}',
    );
    const backups = await new DynamoDBClient(controlPlaneSettings).send(
      new DescribeContinuousBackupsCommand({ TableName: "switchyard" }),
    );
    expect(backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe(
      "DISABLED",
    );
  });
});

describe("target-account stack in moto (a second account)", () => {
  it("creates everything moto supports; the registry entry's custom resource never completes (CF2)", () => {
    // Custom::AWS (the registry entry) needs moto to run the provider Lambda in Docker: QUIRKS.md CF2.
    expect({ status: target.status, notDeployed: missingTypes(TARGET_STACK, target) }).toEqual({
      status: "CREATE_IN_PROGRESS",
      notDeployed: ["AWS::EKS::AccessEntry", "AWS::EKS::PodIdentityAssociation"],
    });
  });

  it("created the registry entry's custom resource and its provider function (which moto cannot run)", () => {
    const deployed = [...target.resources.values()];
    expect(deployed).toContain("Custom::AWS");
    expect(deployed).toContain("AWS::Lambda::Function");
  });

  it("created the reconcile role trusted by the control plane's three function roles with the ExternalId, and the forwarder role", async () => {
    const xml = await queryApi(targetSettings, "iam", "2010-05-08", "GetRole", { RoleName: "switchyard-reconcile" });
    const trust = JSON.parse(decodeURIComponent(xmlValues(xml, "AssumeRolePolicyDocument")[0] ?? "{}")) as {
      Statement: { Principal: { AWS: string }; Condition: unknown }[];
    };
    // The reconcile, status and resync functions' roles (resync reads tags there for its owner lookup).
    expect(trust.Statement).toHaveLength(3);
    for (const statement of trust.Statement) {
      expect(statement.Principal.AWS).toMatch(
        new RegExp(`^arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/switchyard-control-plane`),
      );
      expect(statement.Condition).toEqual({ StringEquals: { "sts:ExternalId": "switchyard-example-external-id" } });
    }
    const forwarder = await queryApi(targetSettings, "iam", "2010-05-08", "GetRole", {
      RoleName: "switchyard-forwarder-example",
    });
    expect(decodeURIComponent(xmlValues(forwarder, "AssumeRolePolicyDocument")[0] ?? "")).toContain(
      "pods.eks.amazonaws.com",
    );
    const attached = await queryApi(targetSettings, "iam", "2010-05-08", "ListAttachedRolePolicies", {
      RoleName: "switchyard-reconcile",
    });
    expect(xmlValues(attached, "PolicyArn")).toHaveLength(4);
  });

  it("created the rules forwarding ACM and ELB events to the control plane's bus", async () => {
    const { Rules } = (await jsonApi(targetSettings, "events", "AWSEvents.ListRules", {})) as {
      Rules: { Name: string }[];
    };
    expect(Rules.length).toBeGreaterThanOrEqual(2);
  });
});
