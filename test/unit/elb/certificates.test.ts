/**
 * Certificate ARNs named explicitly must be in the Gateway's target account and Region: ELBv2
 * refuses others, and one refused certificate would fail the Gateway's whole apply.
 */
import { describe, expect, test } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { certificateArnProblem } from "../../../shared/elb/certificates.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { type TranslateOptions, translate } from "../../../shared/translate.ts";

const HOME = "arn:aws:acm:us-east-1:111122223333:certificate/abc";
const OTHER_REGION = "arn:aws:acm:eu-west-1:111122223333:certificate/abc";
const OTHER_ACCOUNT = "arn:aws:acm:us-east-1:444455556666:certificate/abc";
const TARGET = { accountId: "111122223333", region: "us-east-1" };

describe("certificateArnProblem", () => {
  test("a certificate of the target account and Region is accepted", () => {
    expect(certificateArnProblem(HOME, TARGET)).toBeUndefined();
  });

  test("a certificate of another Region is refused, naming the ARN and the expected Region", () => {
    expect(certificateArnProblem(OTHER_REGION, TARGET)).toBe(
      `certificate ${OTHER_REGION} is in Region eu-west-1; this Gateway's load balancer is in Region us-east-1, account 111122223333`,
    );
  });

  test("a certificate of another account is refused, naming the ARN and the expected account", () => {
    expect(certificateArnProblem(OTHER_ACCOUNT, TARGET)).toContain(
      `certificate ${OTHER_ACCOUNT} belongs to account 444455556666; this Gateway's load balancer is in account 111122223333`,
    );
  });

  test("with the account unknown, only the Region is checked", () => {
    expect(certificateArnProblem(OTHER_ACCOUNT, { region: "us-east-1" })).toBeUndefined();
    expect(certificateArnProblem(OTHER_REGION, { region: "us-east-1" })).toContain("Region eu-west-1");
  });

  test("with account and Region unknown, only the format is checked", () => {
    expect(certificateArnProblem(OTHER_REGION, {})).toBeUndefined();
    expect(certificateArnProblem("my-cert", {})).toContain("is not an ACM certificate ARN");
  });

  test("an IAM server certificate has no Region and is checked by account only", () => {
    const iam = "arn:aws:iam::111122223333:server-certificate/legacy";
    expect(certificateArnProblem(iam, TARGET)).toBeUndefined();
    expect(certificateArnProblem(iam.replace("111122223333", "444455556666"), TARGET)).toContain(
      "account 444455556666",
    );
  });
});

function listenerConditions(arn: string, options: TranslateOptions) {
  const loaded = loadManifests(
    `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: switchyard.dev/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec:
  gatewayClassName: alb
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {options: {switchyard.dev/certificate-arn: "${arn}"}}
`,
    "certs.yaml",
  );
  const { statuses, loadBalancers } = translate(snapshotOf(loaded.objects), controllerConfig(), options);
  const gateway = statuses.find((s) => s.kind === "Gateway");
  const listener = gateway && "listeners" in gateway ? gateway.listeners[0] : undefined;
  return { conditions: listener?.conditions ?? [], built: loadBalancers[0]?.model.listeners.map((l) => l.id) ?? [] };
}

describe("a certificate-arn option outside the target account or Region", () => {
  test("is an invalid certificate reference: ResolvedRefs=False InvalidCertificateRef, listener not built", () => {
    const { conditions, built } = listenerConditions(OTHER_REGION, TARGET);
    expect(conditions.find((c) => c.type === "ResolvedRefs")).toMatchObject({
      status: "False",
      reason: "InvalidCertificateRef",
      message: expect.stringContaining(`${OTHER_REGION} is in Region eu-west-1`),
    });
    expect(built).toEqual([]);
  });

  test("is used when the target is unknown (offline plan): only its format can be checked", () => {
    const { conditions, built } = listenerConditions(OTHER_REGION, {});
    expect(conditions.find((c) => c.type === "ResolvedRefs")).toMatchObject({ status: "True" });
    expect(built).toEqual(["HTTPS:443"]);
  });
});
