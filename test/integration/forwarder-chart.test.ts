// The forwarder's Helm chart: `helm template` (helm built from the Go module proxy, test/env/helm.sh)
// with a few values sets, the rendered RBAC, security context and probes; then the rendered objects
// created in the real kube-apiserver, and SubjectAccessReviews of what the ServiceAccount may do.
import { fileURLToPath } from "node:url";
import {
  AuthorizationV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  RbacAuthorizationV1Api,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { WATCHED_KINDS } from "../../forwarder/kinds.ts";
import { isRecord } from "../../shared/events/strip.ts";
import { STATUS_RBAC_RULES } from "../../shared/status/writer/resources.ts";
import { kubeConfig, uniqueName } from "../env/clients.ts";
import { helm, helmBinary } from "../env/helm.ts";

const CHART = fileURLToPath(new URL("../../forwarder/deploy/chart", import.meta.url));
const STATUS_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111122223333/switchyard-status-prod-eu";
const VIA_FORWARDER = ["statusMode=via-forwarder", `statusQueueUrl=${STATUS_QUEUE}`];
const REQUIRED = [
  "clusterId=prod-eu",
  "eventsQueueUrl=https://sqs.eu-west-1.amazonaws.com/111122223333/switchyard-events.fifo",
  "region=eu-west-1",
  "claimCheckBucket=switchyard-claims",
];

type Manifest = KubernetesObject & Record<string, unknown>;

function render(release: string, namespace: string, sets: string[] = []): Manifest[] {
  const result = helm([
    "template",
    release,
    CHART,
    "--namespace",
    namespace,
    ...[...REQUIRED, ...sets].flatMap((s) => ["--set", s]),
  ]);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as unknown)
    .filter((doc): doc is Manifest => isRecord(doc) && typeof doc.kind === "string");
}

function only(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  const [manifest] = found;
  if (manifest === undefined) throw new Error(`no ${kind}`);
  return manifest;
}

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function rulesOf(role: Manifest): PolicyRule[] {
  return (role.rules as PolicyRule[] | undefined) ?? [];
}

interface Container {
  env: { name: string; value: string }[];
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  ports: { name: string; containerPort: number }[];
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  image: string;
}

function podSpecOf(deployment: Manifest): { securityContext: Record<string, unknown>; containers: Container[] } {
  const spec = deployment.spec as {
    template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } };
  };
  return spec.template.spec;
}

describe("forwarder Helm chart", () => {
  beforeAll(() => {
    // Built (cold) or found (warm) once, before any test measures anything.
    helmBinary();
  });

  it("grants get, list and watch only, on exactly the kinds the forwarder watches", () => {
    const rules = rulesOf(only(render("rbac", "switchyard"), "ClusterRole"));
    const verbs = new Set(rules.flatMap((r) => r.verbs));
    expect([...verbs].sort()).toEqual(["get", "list", "watch"]);
    for (const rule of rules) expect(rule.verbs.sort()).toEqual(["get", "list", "watch"]);
    const granted = rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`))).sort();
    const watched = [...new Set(WATCHED_KINDS.map((k) => `${k.group}/${k.plural}`))].sort();
    expect(granted).toEqual(watched);
    expect(granted).not.toContain("/configmaps");
    expect(rules.flatMap((r) => r.resources)).not.toContain("*");
  });

  it("runs one non-root replica with a read-only root, no capabilities, RuntimeDefault seccomp and resources", () => {
    const deployment = only(render("sec", "switchyard"), "Deployment");
    expect((deployment.spec as { replicas: number }).replicas).toBe(1);
    const pod = podSpecOf(deployment);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.securityContext.runAsUser).not.toBe(0);
    const [container] = pod.containers;
    if (container === undefined) throw new Error("no container");
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits).toMatchObject({ memory: expect.any(String) });
  });

  it("probes /healthz for liveness and /readyz for readiness on the metrics port", () => {
    const [container] = podSpecOf(only(render("probes", "switchyard", ["metrics.port=9100"]), "Deployment")).containers;
    if (container === undefined) throw new Error("no container");
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http-metrics" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http-metrics" });
    expect(container.ports).toEqual([{ name: "http-metrics", containerPort: 9100, protocol: "TCP" }]);
    expect(container.env).toContainEqual({ name: "SWITCHYARD_LISTEN", value: "0.0.0.0:9100" });
  });

  it("passes cluster id, queue, region, bucket, namespaces and the ACM switch to the forwarder's environment", () => {
    const manifests = render("env", "switchyard", ["namespaces={team-a,team-b}", "acmImport=false", "image.tag=1.2.3"]);
    const [container] = podSpecOf(only(manifests, "Deployment")).containers;
    if (container === undefined) throw new Error("no container");
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      SWITCHYARD_CLUSTER_ID: "prod-eu",
      SWITCHYARD_EVENTS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/111122223333/switchyard-events.fifo",
      AWS_REGION: "eu-west-1",
      SWITCHYARD_CLAIM_CHECK_BUCKET: "switchyard-claims",
      SWITCHYARD_NAMESPACES: "team-a,team-b",
      SWITCHYARD_ACM_IMPORT: "false",
    });
    expect(container.image).toBe("switchyard-forwarder:1.2.3");
    // Without namespaces: every namespace (the variable is absent, not empty).
    const [allNamespaces] = podSpecOf(only(render("env2", "switchyard"), "Deployment")).containers;
    expect(allNamespaces?.env.map((e) => e.name)).not.toContain("SWITCHYARD_NAMESPACES");
  });

  it("carries the IAM role annotation on the ServiceAccount, and renders a NetworkPolicy only on request", () => {
    const role = "arn:aws:iam::111122223333:role/switchyard-forwarder";
    const manifests = render("sa", "switchyard", [`serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=${role}`]);
    const account = only(manifests, "ServiceAccount");
    expect(account.metadata?.annotations).toEqual({ "eks.amazonaws.com/role-arn": role });
    expect(manifests.filter((m) => m.kind === "NetworkPolicy")).toEqual([]);
    expect(
      render("np", "switchyard", ["networkPolicy.enabled=true"]).filter((m) => m.kind === "NetworkPolicy"),
    ).toHaveLength(1);
  });

  it("in the default direct status mode grants no status write and passes no status queue", () => {
    const manifests = render("direct", "switchyard");
    expect(manifests.filter((m) => m.kind === "ClusterRole")).toHaveLength(1);
    expect(manifests.filter((m) => m.kind === "ClusterRoleBinding")).toHaveLength(1);
    const [container] = podSpecOf(only(manifests, "Deployment")).containers;
    expect(container?.env.map((e) => e.name)).not.toContain("SWITCHYARD_STATUS_QUEUE_URL");
  });

  it("in via-forwarder status mode grants get and patch on exactly the status subresources switchyard writes", () => {
    const manifests = render("via", "switchyard", VIA_FORWARDER);
    const roles = manifests.filter((m) => m.kind === "ClusterRole");
    expect(roles).toHaveLength(2);
    const statusRole = roles.find((r) => r.metadata?.name === "via-switchyard-forwarder-status");
    if (statusRole === undefined) throw new Error("no status ClusterRole");
    const rules = rulesOf(statusRole);
    for (const rule of rules) expect(rule.verbs.sort()).toEqual(["get", "patch"]);
    const granted = rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`))).sort();
    expect(granted).toEqual(
      STATUS_RBAC_RULES.flatMap((rule) => rule.resources.map((s) => `${rule.apiGroup}/${s}`)).sort(),
    );
    expect(granted).toContain("application-networking.k8s.aws/serviceexports/status");
    expect(granted.every((resource) => resource.endsWith("/status"))).toBe(true);
    // The watch role is the same as in direct mode: read-only.
    const watchRole = roles.find((r) => r.metadata?.name === "via-switchyard-forwarder");
    expect(new Set(rulesOf(watchRole ?? statusRole).flatMap((r) => r.verbs))).toEqual(
      new Set(["get", "list", "watch"]),
    );
    const binding = manifests.find(
      (m) => m.kind === "ClusterRoleBinding" && m.metadata?.name === "via-switchyard-forwarder-status",
    );
    expect(binding).toMatchObject({
      roleRef: { kind: "ClusterRole", name: "via-switchyard-forwarder-status" },
      subjects: [{ kind: "ServiceAccount", name: "switchyard-forwarder", namespace: "switchyard" }],
    });
    const [container] = podSpecOf(only(manifests, "Deployment")).containers;
    expect(container?.env).toContainEqual({ name: "SWITCHYARD_STATUS_QUEUE_URL", value: STATUS_QUEUE });
  });

  it.each([
    [["statusMode=via-forwarder"], "statusQueueUrl is required with statusMode via-forwarder"],
    [["statusMode=sideways"], 'statusMode must be direct or via-forwarder, not "sideways"'],
    [[`statusQueueUrl=${STATUS_QUEUE}`], "statusQueueUrl is set but statusMode is direct"],
  ])("refuses an inconsistent status mode (%s)", (sets, message) => {
    const result = helm(["template", "bad", CHART, ...[...REQUIRED, ...sets].flatMap((s) => ["--set", s])]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it("refuses to render without the required values or with an image tagged latest", () => {
    const missing = helm(["template", "bad", CHART]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("is required");
    const latest = helm([
      "template",
      "bad",
      CHART,
      ...REQUIRED.flatMap((s) => ["--set", s]),
      "--set",
      "image.tag=latest",
    ]);
    expect(latest.status).not.toBe(0);
    expect(latest.stderr).toContain("image.tag must be a fixed version, not latest");
  });

  describe("in the kube-apiserver", () => {
    const namespace = uniqueName("fwd-chart");
    const release = uniqueName("r");
    let kc: KubeConfig;
    let created: Manifest[] = [];

    beforeAll(async () => {
      kc = kubeConfig();
      await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
      const client = KubernetesObjectApi.makeApiClient(kc);
      const manifests = render(release, namespace, ["networkPolicy.enabled=true", "namespaces={team-a}"]);
      for (const manifest of manifests) {
        await client.create(manifest);
        created.push(manifest);
      }
    });

    afterAll(async () => {
      const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
      for (const manifest of created) {
        const name = manifest.metadata?.name ?? "";
        if (manifest.kind === "ClusterRole") await rbac.deleteClusterRole({ name });
        if (manifest.kind === "ClusterRoleBinding") await rbac.deleteClusterRoleBinding({ name });
      }
      created = [];
    });

    it("accepts every rendered object as a valid API object", async () => {
      const client = KubernetesObjectApi.makeApiClient(kc);
      expect(created.map((m) => m.kind).sort()).toEqual(
        ["ClusterRole", "ClusterRoleBinding", "Deployment", "NetworkPolicy", "Service", "ServiceAccount"].sort(),
      );
      for (const manifest of created) {
        const read = await client.read({
          apiVersion: manifest.apiVersion,
          kind: manifest.kind,
          metadata: { name: manifest.metadata?.name ?? "", namespace: manifest.metadata?.namespace ?? "" },
        });
        expect(read.metadata?.uid).toEqual(expect.any(String));
      }
    });

    async function allowed(
      verb: string,
      group: string,
      resource: string,
      subresource?: string,
      inNamespace = "team-a",
    ): Promise<boolean> {
      const review = await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: `system:serviceaccount:${namespace}:switchyard-forwarder`,
            groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
            resourceAttributes: {
              verb,
              group,
              resource,
              namespace: inNamespace,
              ...(subresource === undefined ? {} : { subresource }),
            },
          },
        },
      });
      return review.status?.allowed === true;
    }

    it("lets the ServiceAccount watch Gateways and Secrets but not update Gateways or their status", async () => {
      expect(await allowed("watch", "gateway.networking.k8s.io", "gateways")).toBe(true);
      expect(await allowed("list", "", "secrets")).toBe(true);
      expect(await allowed("watch", "discovery.k8s.io", "endpointslices")).toBe(true);
      expect(await allowed("update", "gateway.networking.k8s.io", "gateways")).toBe(false);
      expect(await allowed("patch", "gateway.networking.k8s.io", "gateways", "status")).toBe(false);
      expect(await allowed("create", "", "secrets")).toBe(false);
      expect(await allowed("delete", "", "secrets")).toBe(false);
    });

    it("in direct mode denies the ServiceAccount every status subresource", async () => {
      expect(await allowed("patch", "gateway.networking.k8s.io", "httproutes", "status")).toBe(false);
      expect(await allowed("get", "gateway.networking.k8s.io", "gatewayclasses", "status", "")).toBe(false);
    });

    it("denies the ServiceAccount ConfigMaps and Pods", async () => {
      expect(await allowed("get", "", "configmaps")).toBe(false);
      expect(await allowed("list", "", "configmaps")).toBe(false);
      expect(await allowed("list", "", "pods")).toBe(false);
    });
  });
  describe("in the kube-apiserver, via-forwarder status mode", () => {
    const namespace = uniqueName("fwd-chart-via");
    const release = uniqueName("v");
    let kc: KubeConfig;
    const created: Manifest[] = [];

    beforeAll(async () => {
      kc = kubeConfig();
      await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
      const client = KubernetesObjectApi.makeApiClient(kc);
      for (const manifest of render(release, namespace, VIA_FORWARDER)) {
        await client.create(manifest);
        created.push(manifest);
      }
    });

    afterAll(async () => {
      const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
      for (const manifest of created) {
        const name = manifest.metadata?.name ?? "";
        if (manifest.kind === "ClusterRole") await rbac.deleteClusterRole({ name });
        if (manifest.kind === "ClusterRoleBinding") await rbac.deleteClusterRoleBinding({ name });
      }
    });

    async function allowed(
      verb: string,
      resource: string,
      subresource?: string,
      inNamespace = "team-a",
      group = resource === "services" ? "" : "gateway.networking.k8s.io",
    ) {
      const review = await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: `system:serviceaccount:${namespace}:switchyard-forwarder`,
            groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
            resourceAttributes: {
              verb,
              group,
              resource,
              namespace: inNamespace,
              ...(subresource === undefined ? {} : { subresource }),
            },
          },
        },
      });
      return review.status?.allowed === true;
    }

    it("lets the ServiceAccount get and patch Gateway API status, GatewayClasses' included", async () => {
      for (const resource of ["gateways", "httproutes", "tcproutes", "listenersets", "backendtlspolicies"]) {
        expect(await allowed("patch", resource, "status"), resource).toBe(true);
        expect(await allowed("get", resource, "status"), resource).toBe(true);
      }
      expect(await allowed("patch", "gatewayclasses", "status", "")).toBe(true);
    });

    it("lets the ServiceAccount get and patch a ServiceExport's status, and not the ServiceExport itself", async () => {
      const lattice = "application-networking.k8s.aws";
      expect(await allowed("patch", "serviceexports", "status", "team-a", lattice)).toBe(true);
      expect(await allowed("get", "serviceexports", "status", "team-a", lattice)).toBe(true);
      expect(await allowed("patch", "serviceexports", undefined, "team-a", lattice)).toBe(false);
      expect(await allowed("patch", "serviceimports", "status", "team-a", lattice)).toBe(false);
      expect(await allowed("patch", "serviceexports", "status", "team-a", "multicluster.x-k8s.io")).toBe(false);
    });

    it("lets the ServiceAccount get and patch each VPC Lattice policy's status, and not the policy itself", async () => {
      const lattice = "application-networking.k8s.aws";
      for (const plural of ["targetgrouppolicies", "vpcassociationpolicies", "accesslogpolicies", "iamauthpolicies"]) {
        expect(await allowed("patch", plural, "status", "team-a", lattice)).toBe(true);
        expect(await allowed("get", plural, "status", "team-a", lattice)).toBe(true);
        expect(await allowed("patch", plural, undefined, "team-a", lattice)).toBe(false);
        expect(await allowed("delete", plural, undefined, "team-a", lattice)).toBe(false);
      }
    });

    it("still denies writing the objects themselves, their deletion, and other kinds' status", async () => {
      expect(await allowed("patch", "gateways")).toBe(false);
      expect(await allowed("update", "httproutes")).toBe(false);
      expect(await allowed("update", "gateways", "status")).toBe(false);
      expect(await allowed("delete", "gateways")).toBe(false);
      expect(await allowed("create", "httproutes")).toBe(false);
      expect(await allowed("patch", "referencegrants", "status")).toBe(false);
      expect(await allowed("patch", "services", "status")).toBe(false);
    });
  });
});
