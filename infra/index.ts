/** The constructs a user's own CDK app imports. */
export {
  ControlPlane,
  type ControlPlaneProps,
  type PipelineQueue,
  POWERTOOLS_SETTINGS,
  type Stage,
} from "./control-plane.ts";
export { esbuildHandlerCode, type HandlerCode } from "./handler-code.ts";
export { type ObservabilityProps, RUNBOOK_ANCHORS } from "./observability.ts";
export { RegisteredCluster, type RegisteredClusterProps, statusWriterRbac } from "./registered-cluster.ts";
export { type ControlPlaneIdentity, TargetAccount, type TargetAccountProps } from "./target-account.ts";
