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
