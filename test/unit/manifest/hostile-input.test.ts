/**
 * Manifests written carelessly or with hostile intent: the parser keeps its promise never to throw,
 * limits what one document can cost, drops nothing silently and keeps no Secret key material.
 */
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import type { LatticePolicy } from "../../../shared/extensions/lattice.ts";
import { suggestKind } from "../../../shared/manifest/kinds.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { parseManifests } from "../../../shared/manifest/parse.ts";
import { emptySnapshot, snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";

const NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: { name: apps }\n";

/** Nine levels of nine aliases each: 9^9 strings if expanded. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi".split("").map((name, i) => {
    const prev = "abcdefghi"[i] ?? "a";
    return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`;
  }),
].join("\n");

describe("parsing hostile YAML", () => {
  it("refuses an alias bomb as a problem of its document, and loads the documents around it", () => {
    const parsed = parseManifests(
      `${NAMESPACE}---\n${BILLION_LAUGHS}\n---\n${NAMESPACE.replace("apps", "web")}`,
      "bomb.yaml",
    );
    expect(parsed.objects.map((o) => o.metadata.name)).toEqual(["apps", "web"]);
    expect(parsed.problems).toEqual([
      { source: "bomb.yaml", document: 1, field: "", message: expect.stringContaining("alias") },
    ]);
  });

  it("refuses a document over the size limit without reading it into an object", () => {
    const big = `apiVersion: v1\nkind: Namespace\nmetadata: { name: big, annotations: { a: "${"x".repeat(2000)}" } }\n`;
    const parsed = parseManifests(`${big}---\n${NAMESPACE}`, "big.yaml", { maxDocumentChars: 1000 });
    expect(parsed.objects.map((o) => o.metadata.name)).toEqual(["apps"]);
    expect(parsed.problems).toEqual([
      { source: "big.yaml", document: 0, field: "", message: expect.stringContaining("over the limit of 1000") },
    ]);
  });

  it("has a default document limit, so one huge scalar is refused without a limit being set", () => {
    const huge = `apiVersion: v1\nkind: Namespace\nmetadata: { name: "${"n".repeat(4 * 1024 * 1024)}" }\n`;
    const parsed = parseManifests(huge, "huge.yaml");
    expect(parsed.objects).toEqual([]);
    expect(parsed.problems.map((p) => [p.document, p.message.includes("over the limit")])).toEqual([[0, true]]);
  });

  it("reports a deeply nested document as a problem instead of overflowing the stack", () => {
    const deep = `${NAMESPACE}---\nspec: ${"[".repeat(50_000)}${"]".repeat(50_000)}\n`;
    const parsed = parseManifests(deep, "deep.yaml");
    expect(parsed.objects.map((o) => o.metadata.name)).toEqual(["apps"]);
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(parsed.problems.every((p) => p.source === "deep.yaml" && p.document === 1)).toBe(true);
  });
});

describe("nothing is dropped silently", () => {
  it("ignores a mistyped kind with a did-you-mean for the kind it differs from only by case", () => {
    const parsed = parseManifests(
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HttpRoute\nmetadata: { name: r }\n",
      "r.yaml",
    );
    expect(parsed.objects).toEqual([]);
    expect(parsed.ignored).toEqual([
      {
        source: "r.yaml",
        document: 0,
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HttpRoute",
        name: "r",
        reason: "switchyard does not read HttpRoute objects; did you mean HTTPRoute?",
      },
    ]);
  });

  it("suggests a known kind one or two edits away, and nothing for unrelated kinds", () => {
    expect(suggestKind("HTTPRoutes")).toBe("HTTPRoute");
    expect(suggestKind("Gatway")).toBe("Gateway");
    expect(suggestKind("ReferenceGrnat")).toBe("ReferenceGrant");
    expect(suggestKind("Deployment")).toBeUndefined();
    expect(suggestKind("ConfigMap")).toBeUndefined();
  });

  it("ignores a known kind in the wrong API group and says which group it is read from", () => {
    const parsed = parseManifests("apiVersion: networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: g }\n", "g.yaml");
    expect(parsed.objects).toEqual([]);
    expect(parsed.ignored.map((i) => i.reason)).toEqual([
      "Gateway is read from API group gateway.networking.k8s.io, not networking.k8s.io",
    ]);
  });
});

describe("Secrets", () => {
  const KEY = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tc2VjcmV0LWtleS1ieXRlcw==";
  const PLAIN = "plain-private-key-material";
  const SECRET = `apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: cert
  namespace: apps
  annotations:
    team: web
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"tls.key":"${KEY}"}}'
data:
  tls.crt: ${KEY}
  tls.key: ${KEY}
stringData:
  extra: ${PLAIN}
acmCertificateArn: arn:aws:acm:eu-west-1:111122223333:certificate/abc
`;

  it("keeps only metadata, type and the ACM import outcome", () => {
    const [secret] = loadManifests(SECRET, "s.yaml").objects;
    expect(secret).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name: "cert", namespace: "apps", annotations: { team: "web" } },
      acmCertificateArn: "arn:aws:acm:eu-west-1:111122223333:certificate/abc",
    });
  });

  it("leaves no key material anywhere in the snapshot or the translation", () => {
    const snapshot = snapshotOf(loadManifests(SECRET, "s.yaml").objects);
    expect(snapshot.secrets).toHaveLength(1);
    const serialized = JSON.stringify([snapshot, translate(snapshot, controllerConfig())]);
    expect(serialized).not.toContain(KEY);
    expect(serialized).not.toContain(PLAIN);
  });
});

describe("very many objects", () => {
  it("translates 130,000 policies without overflowing the stack", () => {
    const snapshot = emptySnapshot();
    for (let i = 0; i < 130_000; i++)
      snapshot.latticePolicies.push({
        apiVersion: "application-networking.k8s.aws/v1alpha1",
        kind: "TargetGroupPolicy",
        metadata: { name: `p${i}`, namespace: "apps" },
        spec: { targetRef: { group: "", kind: "Service", name: `s${i}` } },
      } as unknown as LatticePolicy);
    const translation = translate(snapshot, controllerConfig());
    expect(translation.statuses.length).toBeGreaterThanOrEqual(130_000);
  });
});
