// `switchyard cluster register --apply`: the forwarder's manifests applied to a real kube-apiserver
// with server-side apply by the CLI itself (a child process with the run's kubeconfig), owned by
// the field manager `switchyard`; a second run with --update is a no-op apply.
import { AppsV1Api, CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { kubeConfig, MOTO_DEFAULT_ACCOUNT_ID, requireEnv, resetMoto, uniqueName } from "../env/clients.ts";
import { ENV } from "../env/variables.ts";
import { type ControlPlaneFixture, cliCredentials, controlPlaneFixture, runCli } from "./cli-support.ts";

let fixture: ControlPlaneFixture;

describe("switchyard cluster register --apply", () => {
  beforeAll(async () => {
    await resetMoto();
    fixture = await controlPlaneFixture(uniqueName("cli-apply"), cliCredentials("cliapply"));
  }, 120_000);

  it("applies the forwarder's objects with server-side apply as field manager switchyard, and again idempotently", async () => {
    const namespace = uniqueName("sy");
    const args = [
      "cluster",
      "register",
      "--cluster-id",
      "applied",
      "--account",
      MOTO_DEFAULT_ACCOUNT_ID,
      "--vpc-id",
      fixture.vpcId,
      "--eks-cluster-name",
      "applied",
      "--sender-principal",
      `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/forwarder`,
      "--sender-id",
      "AROAEXAMPLEFORWARDER1",
      "--queue-prefix",
      fixture.prefix,
      "--apply",
      "--kubeconfig",
      requireEnv(ENV.kubeconfig),
      "--namespace",
      namespace,
      "--release",
      "edge",
    ];
    const first = await runCli(args, fixture.env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("applying 6 object(s)");
    expect(first.stdout).toContain(`Deployment ${namespace}/edge-switchyard-forwarder applied`);

    const kc = kubeConfig();
    const deployment = await kc
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: "edge-switchyard-forwarder", namespace });
    const env = deployment.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env).toContainEqual({ name: "SWITCHYARD_CLUSTER_ID", value: "applied" });
    expect(env).toContainEqual({ name: "SWITCHYARD_EVENTS_QUEUE_URL", value: fixture.queues.events });
    const managers = (deployment.metadata?.managedFields ?? []).map((f) => `${f.manager}:${f.operation}`);
    expect(managers).toEqual(["switchyard:Apply"]);
    const account = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedServiceAccount({ name: "switchyard-forwarder", namespace });
    expect(account.metadata?.labels?.["app.kubernetes.io/managed-by"]).toBe("switchyard");
    const role = await kc.makeApiClient(RbacAuthorizationV1Api).readClusterRole({ name: "edge-switchyard-forwarder" });
    expect(role.rules?.every((r) => r.verbs.every((v) => ["get", "list", "watch"].includes(v)))).toBe(true);

    const again = await runCli([...args, "--update"], fixture.env);
    expect(again.code, again.stderr).toBe(0);
    const after = await kc
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: "edge-switchyard-forwarder", namespace });
    expect(after.metadata?.generation).toBe(deployment.metadata?.generation);
  });

  it("a kubeconfig that names no cluster is a usage error before anything is registered", async () => {
    const result = await runCli(
      [
        "cluster",
        "register",
        "--cluster-id",
        "nokube",
        "--account",
        MOTO_DEFAULT_ACCOUNT_ID,
        "--vpc-id",
        fixture.vpcId,
        "--eks-cluster-name",
        "x",
        "--sender-principal",
        `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/f`,
        "--queue-prefix",
        fixture.prefix,
        "--apply",
        "--kubeconfig",
        "/nonexistent/kubeconfig",
      ],
      fixture.env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--kubeconfig /nonexistent/kubeconfig");
    const list = await runCli(["cluster", "list", "-o", "json"], fixture.env);
    expect(list.stdout).not.toContain("nokube");
  });
});
