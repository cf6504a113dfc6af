/**
 * TargetAccount: trusted only by the control plane's three function roles with the ExternalId, and
 * every write limited to switchyard-tagged resources wherever IAM supports a condition.
 */
import { App, Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ELB_CREATE_ACTIONS,
  ELB_OWNED_WRITE_ACTIONS,
  LATTICE_CREATE_ACTIONS,
  LATTICE_OWNED_WRITE_ACTIONS,
  READ_ACTIONS,
} from "../../../infra/reconcile-permissions.ts";
import { TargetAccount } from "../../../infra/target-account.ts";
import {
  actionsOf,
  type BuiltApp,
  buildTestApp,
  CONTROL_PLANE_ACCOUNT,
  EXTERNAL_ID,
  identityStatements,
  resourcesOf,
  type Statement,
} from "./fixture.ts";

let built: BuiltApp;
let template: Template;
let statements: Statement[];

beforeAll(() => {
  built = buildTestApp();
  template = built.targetTemplate;
  // Only the reconcile role's policies: the managed policies of the TargetAccount.
  statements = Object.values(template.findResources("AWS::IAM::ManagedPolicy")).flatMap(
    (r) => (r.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
  );
}, 120_000);

const TAG = "switchyard.dev/managed-by";
const isRead = (action: string) => /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]*$/.test(action);

describe("trust", () => {
  it("the role is trusted by exactly the control plane's reconcile, status and resync roles, each with the ExternalId", () => {
    const role = Object.values(template.findResources("AWS::IAM::Role")).find(
      (r) => (r.Properties as { RoleName?: string }).RoleName === "switchyard-reconcile",
    );
    if (!role) throw new Error("no reconcile role");
    const trust = (role.Properties as { AssumeRolePolicyDocument: { Statement: Statement[] } }).AssumeRolePolicyDocument
      .Statement;
    expect(trust).toHaveLength(3);
    const principals = trust.map((s) => JSON.stringify(s.Principal));
    expect(
      principals.some((p) => p.includes(`:iam::${CONTROL_PLANE_ACCOUNT}:role/`) && p.includes("reconcilerole")),
    ).toBe(true);
    expect(principals.some((p) => p.includes(`:iam::${CONTROL_PLANE_ACCOUNT}:role/`) && p.includes("statusrole"))).toBe(
      true,
    );
    // The resync function's owner lookup reads tags here (its sessions' policy allows nothing else).
    expect(principals.some((p) => p.includes(`:iam::${CONTROL_PLANE_ACCOUNT}:role/`) && p.includes("resyncrole"))).toBe(
      true,
    );
    for (const statement of trust) {
      expect(statement).toMatchObject({
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } },
      });
    }
  });

  it("the trusted ARNs are the control plane's function roles as synthesized there", () => {
    const controlPlaneRoles = built.controlPlaneTemplate.findResources("AWS::IAM::Role");
    const names = Object.values(controlPlaneRoles)
      .map((r) => (r.Properties as { RoleName?: string }).RoleName)
      .filter((n): n is string => n !== undefined);
    const trust = JSON.stringify(template.toJSON());
    for (const fragment of ["reconcilerole", "statusrole", "resyncrole"]) {
      const name = names.find((n) => n.includes(fragment));
      expect(name).toBeDefined();
      expect(trust).toContain(`role/${name}`);
    }
  });

  it("refuses an ExternalId STS would refuse", () => {
    const app = new App();
    const stack = new Stack(app, "T", { env: { account: "222222222222", region: "eu-west-1" } });
    const identity = {
      name: "switchyard",
      account: CONTROL_PLANE_ACCOUNT,
      region: "eu-west-1",
      reconcileRole: { roleArn: "arn:aws:iam::111111111111:role/r" },
      statusRole: { roleArn: "arn:aws:iam::111111111111:role/s" },
    };
    expect(() => new TargetAccount(stack, "A", { controlPlane: identity, externalId: "x" })).toThrow(/externalId/);
    expect(() => new TargetAccount(stack, "B", { controlPlane: identity, externalId: "has space" })).toThrow(
      /externalId/,
    );
  });
});

describe("least privilege", () => {
  it("the action lists name only reads as reads", () => {
    for (const action of READ_ACTIONS) expect(isRead(action)).toBe(true);
  });

  it("no action wildcard anywhere", () => {
    for (const statement of statements) for (const action of actionsOf(statement)) expect(action).not.toContain("*");
  });

  it("only reads act on every resource without a condition", () => {
    for (const statement of statements) {
      if (!resourcesOf(statement).includes("*") || statement.Condition) continue;
      for (const action of actionsOf(statement)) expect(isRead(action), action).toBe(true);
    }
  });

  it("every ELBv2 and Lattice write needs the switchyard tag on the resource", () => {
    for (const action of [...ELB_OWNED_WRITE_ACTIONS, ...LATTICE_OWNED_WRITE_ACTIONS]) {
      const granting = statements.filter((s) => actionsOf(s).includes(action));
      expect(granting.length, action).toBeGreaterThan(0);
      for (const statement of granting) {
        expect(statement.Condition, action).toEqual({ StringEquals: { [`aws:ResourceTag/${TAG}`]: "switchyard" } });
      }
    }
  });

  it("every create needs the switchyard tag in the request", () => {
    for (const action of [...ELB_CREATE_ACTIONS, ...LATTICE_CREATE_ACTIONS, "ec2:CreateSecurityGroup"]) {
      const granting = statements.filter((s) => actionsOf(s).includes(action));
      expect(granting.length, action).toBeGreaterThan(0);
      const onSwitchyardResources = granting.filter((s) => !JSON.stringify(resourcesOf(s)).includes(":vpc/"));
      for (const statement of onSwitchyardResources) {
        expect(JSON.stringify(statement.Condition), action).toContain(`"aws:RequestTag/${TAG}":"switchyard"`);
      }
    }
  });

  it("ELBv2 tags only inside a create call, and EC2 tags only inside a create or as a claim", () => {
    const addTags = statements.filter((s) => actionsOf(s).includes("elasticloadbalancing:AddTags"));
    expect(addTags).toHaveLength(1);
    expect(addTags[0]?.Condition).toEqual({
      StringEquals: {
        [`aws:RequestTag/${TAG}`]: "switchyard",
        "elasticloadbalancing:CreateAction": [
          "CreateLoadBalancer",
          "CreateTargetGroup",
          "CreateListener",
          "CreateRule",
        ],
      },
    });
    for (const statement of statements.filter((s) => actionsOf(s).includes("ec2:CreateTags"))) {
      const condition = JSON.stringify(statement.Condition);
      expect(condition.includes('"ec2:CreateAction"') || condition.includes('"switchyard.dev/claim/*"')).toBe(true);
    }
    expect(statements.some((s) => actionsOf(s).includes("elasticloadbalancing:RemoveTags"))).toBe(false);
  });

  it("rules on the targets' own security groups are limited to the cluster VPCs", () => {
    const backend = statements.find((s) => s.Sid === "BackendRulesOnTargetGroups");
    expect(JSON.stringify(backend?.Condition)).toContain(":vpc/vpc-0123456789abcdef0");
    expect(JSON.stringify(backend?.Condition)).toContain('"ec2:Vpc"');
  });

  it("EKS DescribeCluster is limited to the registered cluster", () => {
    const describe = statements.find((s) => actionsOf(s).includes("eks:DescribeCluster"));
    expect(JSON.stringify(resourcesOf(describe as Statement))).toContain(":cluster/prod-a-eks");
  });

  it("the role's managed policies fit IAM's 6,144-character limit", () => {
    for (const policy of Object.values(template.findResources("AWS::IAM::ManagedPolicy"))) {
      const document = Stack.of(built.targetStack).resolve(
        (policy.Properties as { PolicyDocument: unknown }).PolicyDocument,
      );
      expect(JSON.stringify(document).replace(/\s/g, "").length).toBeLessThan(6144);
    }
  });

  it("forwards this account's ACM and ELB events to the control plane's default bus", () => {
    const rules = Object.values(template.findResources("AWS::Events::Rule"));
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(JSON.stringify(rule.Properties)).toContain(`:events:eu-west-1:${CONTROL_PLANE_ACCOUNT}:event-bus/default`);
    }
  });

  it("identity policies of the whole target stack never allow a write on every resource unconditionally", () => {
    for (const statement of identityStatements(template)) {
      if (!resourcesOf(statement).includes("*") || statement.Condition) continue;
      for (const action of actionsOf(statement)) expect(isRead(action), action).toBe(true);
    }
  });
});
