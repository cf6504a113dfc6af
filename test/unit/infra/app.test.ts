/**
 * The bundled app: cdk-nag's AwsSolutions pack with no unacknowledged finding, and a snapshot of
 * both templates (asset hashes masked: they change with any source change). The synth as `cdk synth`
 * runs it, and the deployment of its templates, are test/integration/infra-moto-deploy.test.ts.
 */
import { App, Stack } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { ControlPlane } from "../../../infra/control-plane.ts";
import { esbuildHandlerCode } from "../../../infra/handler-code.ts";
import { type BuiltApp, buildTestApp, CONTROL_PLANE_ACCOUNT, REGION } from "./fixture.ts";

function masked(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip)?/g, "<asset-hash>$1"));
}

describe("cdk-nag", () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildTestApp();
  }, 120_000);

  it("AwsSolutions finds nothing unacknowledged in either stack", () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it("a wildcard nobody justified is still reported (the pack is live)", () => {
    const app = new App();
    const stack = new Stack(app, "Unjustified", { env: { account: CONTROL_PLANE_ACCOUNT, region: REGION } });
    new ControlPlane(stack, "ControlPlane", { code: esbuildHandlerCode() });
    const role = new Role(stack, "Extra", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ["sqs:SendMessage"], resources: ["*"] }));
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual(["AwsSolutions-IAM5[Resource::*]"]);
    expect(report.violations[0]?.violatingResources.map((r) => r.constructPath)).toEqual([
      "Unjustified/Extra/DefaultPolicy/Resource",
    ]);
  }, 120_000);

  it("matches the snapshot of both templates", () => {
    expect(masked(built.controlPlaneTemplate.toJSON())).toMatchSnapshot("control-plane");
    expect(masked(built.targetTemplate.toJSON())).toMatchSnapshot("target-account");
  });
});
