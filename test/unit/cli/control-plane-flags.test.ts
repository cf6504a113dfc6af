import { describe, expect, it } from "vitest";
import { chartDefaults, forwarderManifests } from "../../../cli/cluster/forwarder-manifests.ts";
import { forwarderValues, queueRegion } from "../../../cli/cluster/forwarder-values.ts";
import { RegistrationFlagError, registrationFromFlags } from "../../../cli/cluster/registration.ts";
import { controlPlaneSettings, explainFailure, outputFormat, UsageError } from "../../../cli/control-plane.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";
import type { RegisteredCluster } from "../../../shared/registry/cluster.ts";
import { STATUS_RBAC_RULES } from "../../../shared/status/writer/resources.ts";

const HOME = "123456789012";
const CA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64");
const FLAGS = {
  "cluster-id": "prod-eu",
  account: HOME,
  region: "eu-west-1",
  "vpc-id": "vpc-0123456789abcdef0",
  "eks-cluster-name": "prod",
  "sender-principal": `arn:aws:iam::${HOME}:role/forwarder`,
};

function flagError(run: () => unknown): RegistrationFlagError {
  try {
    run();
  } catch (error) {
    if (error instanceof RegistrationFlagError) return error;
    throw error;
  }
  throw new Error("no RegistrationFlagError");
}

describe("cluster register flags", () => {
  it("build the registration the registry validator accepts, status mode direct by default", () => {
    expect(registrationFromFlags(FLAGS, { controlPlaneAccount: HOME })).toEqual({
      clusterId: "prod-eu",
      account: HOME,
      region: "eu-west-1",
      vpcId: "vpc-0123456789abcdef0",
      eks: { clusterName: "prod" },
      senderPrincipal: `arn:aws:iam::${HOME}:role/forwarder`,
      statusMode: "direct",
    });
  });

  for (const flag of ["cluster-id", "account", "vpc-id", "sender-principal"] as const) {
    it(`--${flag} is required`, () => {
      const { [flag]: _dropped, ...rest } = FLAGS;
      expect(flagError(() => registrationFromFlags(rest, { controlPlaneAccount: HOME })).flag).toBe(`--${flag}`);
    });
  }

  it("--region falls back to AWS_REGION, and is required without it", () => {
    const { region: _region, ...rest } = FLAGS;
    expect(registrationFromFlags(rest, { controlPlaneAccount: HOME, defaultRegion: "us-west-2" }).region).toBe(
      "us-west-2",
    );
    expect(flagError(() => registrationFromFlags(rest, { controlPlaneAccount: HOME })).flag).toBe("--region");
  });

  it("takes exactly one of an EKS name and an endpoint with its CA", () => {
    const both = { ...FLAGS, "eks-endpoint": "https://api.example.com" };
    expect(flagError(() => registrationFromFlags(both, { controlPlaneAccount: HOME })).flag).toBe("--eks-cluster-name");
    const { "eks-cluster-name": _name, ...neither } = FLAGS;
    expect(flagError(() => registrationFromFlags(neither, { controlPlaneAccount: HOME })).flag).toBe(
      "--eks-cluster-name",
    );
    const endpoint = { ...neither, "eks-endpoint": "https://api.example.com" };
    expect(flagError(() => registrationFromFlags(endpoint, { controlPlaneAccount: HOME })).flag).toBe("--eks-ca-file");
    expect(registrationFromFlags(endpoint, { controlPlaneAccount: HOME, caData: CA }).eks).toEqual({
      endpoint: "https://api.example.com",
      caData: CA,
    });
    expect(flagError(() => registrationFromFlags(FLAGS, { controlPlaneAccount: HOME, caData: CA })).flag).toBe(
      "--eks-ca-file",
    );
  });

  it("names the flag of the field the registry refuses", () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ "cluster-id": "Prod" }, "--cluster-id", "lower-case"],
      [{ account: "1234" }, "--account", "12-digit"],
      [{ "vpc-id": "vpc-xyz" }, "--vpc-id", "VPC id"],
      [{ "eks-cluster-name": "-bad" }, "--eks-cluster-name", "EKS cluster name"],
      [{ "sender-principal": "forwarder" }, "--sender-principal", "principal ARN"],
      [{ "sender-id": "forwarder" }, "--sender-id", "unique id"],
      [{ "status-mode": "sideways" }, "--status-mode", "direct or via-forwarder"],
      [{ "external-id": "!" }, "--external-id", "ExternalId"],
      [{ "reconcile-role": "arn:aws:iam::210987654321:role/r" }, "--reconcile-role", `account ${HOME}`],
    ];
    for (const [override, flag, words] of cases) {
      const error = flagError(() => registrationFromFlags({ ...FLAGS, ...override }, { controlPlaneAccount: HOME }));
      expect(error.flag).toBe(flag);
      expect(error.message).toContain(words);
    }
  });

  it("a cluster in another account needs --reconcile-role in that account and --external-id", () => {
    const other = { ...FLAGS, account: "210987654321" };
    expect(flagError(() => registrationFromFlags(other, { controlPlaneAccount: HOME })).flag).toBe("--reconcile-role");
    const withRole = { ...other, "reconcile-role": "arn:aws:iam::210987654321:role/switchyard" };
    expect(flagError(() => registrationFromFlags(withRole, { controlPlaneAccount: HOME })).flag).toBe("--external-id");
    const cluster = registrationFromFlags({ ...withRole, "external-id": "sy-prod" }, { controlPlaneAccount: HOME });
    expect(cluster.reconcileRoleArn).toBe("arn:aws:iam::210987654321:role/switchyard");
    expect(cluster.externalId).toBe("sy-prod");
  });
});

describe("forwarder values", () => {
  const cluster = registrationFromFlags(FLAGS, { controlPlaneAccount: HOME });
  const events = "https://sqs.eu-west-1.amazonaws.com/123456789012/switchyard-events.fifo";

  it("take the Region from an AWS queue URL, else the cluster's", () => {
    expect(queueRegion(events)).toBe("eu-west-1");
    expect(queueRegion("http://127.0.0.1:5000/123456789012/q.fifo")).toBeUndefined();
    expect(forwarderValues(cluster, { eventsQueueUrl: events, claimCheckBucket: "b" }).region).toBe("eu-west-1");
    const local = forwarderValues(cluster, { eventsQueueUrl: "http://127.0.0.1:5000/1/q.fifo", claimCheckBucket: "b" });
    expect(local.region).toBe("eu-west-1");
  });

  it("refuse a queue that is not FIFO, and a status queue that does not fit the status mode", () => {
    expect(
      flagError(() => forwarderValues(cluster, { eventsQueueUrl: events.replace(".fifo", ""), claimCheckBucket: "b" }))
        .flag,
    ).toBe("--events-queue-url");
    expect(
      flagError(() =>
        forwarderValues(cluster, { eventsQueueUrl: events, claimCheckBucket: "b", statusQueueUrl: "https://q" }),
      ).flag,
    ).toBe("--status-queue-url");
    const via: RegisteredCluster = { ...cluster, statusMode: "via-forwarder" };
    expect(flagError(() => forwarderValues(via, { eventsQueueUrl: events, claimCheckBucket: "b" })).flag).toBe(
      "--status-queue-url",
    );
    expect(
      forwarderValues(via, { eventsQueueUrl: events, claimCheckBucket: "b", statusQueueUrl: "https://q" }),
    ).toEqual({
      clusterId: "prod-eu",
      eventsQueueUrl: events,
      region: "eu-west-1",
      claimCheckBucket: "b",
      statusMode: "via-forwarder",
      statusQueueUrl: "https://q",
    });
  });

  it("render the status RBAC only with via-forwarder, and refuse image tag latest", () => {
    const values = forwarderValues(cluster, { eventsQueueUrl: events, claimCheckBucket: "b" });
    const release = { release: "sy", namespace: "edge" };
    const direct = forwarderManifests(values, release, chartDefaults());
    expect(direct.map((m) => m.kind)).toEqual([
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "Service",
      "Deployment",
    ]);
    const via = forwarderManifests(
      { ...values, statusMode: "via-forwarder", statusQueueUrl: "https://q" },
      release,
      chartDefaults(),
    );
    expect(via.filter((m) => m.metadata.name === "sy-switchyard-forwarder-status").map((m) => m.kind)).toEqual([
      "ClusterRole",
      "ClusterRoleBinding",
    ]);
    // The same status subresources as the chart and the CDK construct (STATUS_RBAC_RULES), get and patch only.
    const statusRole = via.find(
      (m) => m.kind === "ClusterRole" && m.metadata.name === "sy-switchyard-forwarder-status",
    );
    expect((statusRole as { rules?: unknown } | undefined)?.rules).toEqual(
      STATUS_RBAC_RULES.map((rule) => ({
        apiGroups: [rule.apiGroup],
        resources: [...rule.resources],
        verbs: ["get", "patch"],
      })),
    );
    const defaults = chartDefaults();
    const latest = { ...defaults, values: { ...defaults.values, image: { repository: "r", tag: "latest" } } };
    expect(() => forwarderManifests(values, release, latest)).toThrow("not latest");
  });
});

describe("control-plane flags", () => {
  it("require a table, from --table or SWITCHYARD_TABLE, and say where to get one", () => {
    expect(() => controlPlaneSettings({}, {})).toThrow(/--table is required \(or set SWITCHYARD_TABLE\)/);
    expect(controlPlaneSettings({}, { SWITCHYARD_TABLE: "from-env" }).table).toBe("from-env");
    expect(controlPlaneSettings({ table: "from-flag" }, { SWITCHYARD_TABLE: "from-env" }).table).toBe("from-flag");
    expect(() => controlPlaneSettings({ table: "x" }, {})).toThrow(UsageError);
  });

  it("use --aws-endpoint for DynamoDB unless --dynamodb-endpoint says otherwise, and check both are URLs", () => {
    const env = { SWITCHYARD_TABLE: "table", SWITCHYARD_AWS_ENDPOINT: "http://127.0.0.1:5000" };
    expect(controlPlaneSettings({}, env).dynamoDbEndpoint).toBe("http://127.0.0.1:5000");
    expect(controlPlaneSettings({ "dynamodb-endpoint": "http://127.0.0.1:8000" }, env).dynamoDbEndpoint).toBe(
      "http://127.0.0.1:8000",
    );
    expect(() => controlPlaneSettings({ "aws-endpoint": "not a url" }, env)).toThrow("--aws-endpoint must be a URL");
  });

  it("take the Region from AWS_REGION (us-east-1 by default) and refuse a malformed account", () => {
    expect(controlPlaneSettings({ table: "table" }, {}).region).toBe("us-east-1");
    expect(controlPlaneSettings({ table: "table" }, { AWS_REGION: "eu-west-1" }).region).toBe("eu-west-1");
    expect(() => controlPlaneSettings({ table: "table", "control-plane-account": "12" }, {})).toThrow("12-digit");
  });

  it("-o is text or json", () => {
    expect(outputFormat(undefined)).toBe("text");
    expect(outputFormat("json")).toBe("json");
    expect(() => outputFormat("yaml")).toThrow("-o must be text or json");
  });
});

describe("explainFailure", () => {
  it("says what to do next for a missing table, missing credentials, a refused caller and a refused role", () => {
    const settings = { table: "sy", region: "eu-west-1", dynamoDbEndpoint: "http://127.0.0.1:8000" };
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(
      explainFailure(named("ResourceNotFoundException", "Cannot do operations on a non-existent table"), settings),
    ).toBe(
      "table sy not found at http://127.0.0.1:8000: check --table (SWITCHYARD_TABLE) and AWS_REGION, or create the control plane first (deploy infra/, or run `switchyard dev`)",
    );
    expect(explainFailure(named("CredentialsProviderError", "Could not load credentials"))).toContain(
      "set AWS_PROFILE",
    );
    expect(explainFailure(named("AccessDenied", "not allowed"))).toContain("check the credentials");
    const refused = new ElbOperationError("terminal", "RoleRequired", "discover", "register a role in 210987654321");
    expect(explainFailure(refused)).toBe(
      "discover failed in the cluster's account: RoleRequired: register a role in 210987654321: check the cluster's reconcile role (switchyard cluster list) and its permissions",
    );
    const refusedConnection = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(explainFailure(refusedConnection)).toContain("check --aws-endpoint / --dynamodb-endpoint");
  });
});
