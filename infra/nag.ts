/**
 * cdk-nag (v3) findings acknowledged beside the resource they concern, each with its reason. A
 * rule with several findings (IAM5: one per wildcard) is acknowledged finding by finding.
 */
import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

export interface Acknowledgment {
  /** The rule, or one finding of it: `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  readonly reason: string;
}

export function acknowledge(scope: IConstruct, ...acknowledgments: readonly Acknowledgment[]): void {
  Validations.of(scope).acknowledge(...acknowledgments);
}

/** A resolved CloudFormation value as cdk-nag names it in a finding (`<AWS::Partition>`, `<Logical.Arn>`). */
export function nagRendering(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === "string") return `<${record.Ref}>`;
    // A value exported by another stack of the same account: cdk-nag names it by the export.
    if (typeof record["Fn::ImportValue"] === "string") return record["Fn::ImportValue"];
    const getAtt = record["Fn::GetAtt"];
    if (Array.isArray(getAtt)) return `<${getAtt.join(".")}>`;
    const join = record["Fn::Join"];
    if (Array.isArray(join) && typeof join[0] === "string" && Array.isArray(join[1])) {
      return join[1].map(nagRendering).join(join[0]);
    }
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges AwsSolutions-IAM5 for each wildcard resource of `resources` (resolved values of a
 * policy's statements), all with one reason: the caller states why those wildcards are needed.
 */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly unknown[], reason: string): void {
  const ids = new Set(resources.map(nagRendering).filter((r) => r.includes("*")));
  for (const resource of ids) acknowledge(scope, { id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}
