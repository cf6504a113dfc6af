/** The bundled app with test context: two accounts, one cluster, the real esbuild bundles. */
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { type SwitchyardApp, switchyardApp } from "../../../infra/app.ts";

export const CONTROL_PLANE_ACCOUNT = "111111111111";
export const TARGET_ACCOUNT = "222222222222";
export const REGION = "eu-west-1";
export const EXTERNAL_ID = "test-external-id";

export function testContext(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    "switchyard:region": REGION,
    "switchyard:controlPlaneAccount": CONTROL_PLANE_ACCOUNT,
    "switchyard:targetAccount": TARGET_ACCOUNT,
    "switchyard:externalId": EXTERNAL_ID,
    "switchyard:clusterId": "prod-a",
    "switchyard:eksClusterName": "prod-a-eks",
    "switchyard:vpcId": "vpc-0123456789abcdef0",
    ...overrides,
  };
}

export interface BuiltApp extends SwitchyardApp {
  app: App;
  controlPlaneTemplate: Template;
  targetTemplate: Template;
}

export function buildTestApp(overrides: Record<string, string> = {}): BuiltApp {
  const app = new App({ context: testContext(overrides) });
  const built = switchyardApp(app);
  return {
    ...built,
    app,
    controlPlaneTemplate: Template.fromStack(built.controlPlaneStack),
    targetTemplate: Template.fromStack(built.targetStack),
  };
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
  Sid?: string;
};

/** Every statement of every identity policy (inline, managed, role inline) in a template. */
export function identityStatements(template: Template): Statement[] {
  const statements: Statement[] = [];
  for (const type of ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]) {
    for (const resource of Object.values(template.findResources(type))) {
      const document = (resource.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument;
      statements.push(...document.Statement);
    }
  }
  return statements;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  if (statement.Resource === undefined) return [];
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

export type { Statement };
