// Every operation the emulator serves, with its HTTP binding as in the SDK's model
// (@aws-sdk/client-vpc-lattice dist-cjs schemas: method, URI template, success status).
import type { OperationSpec } from "../context.ts";
import { ACCESS_LOG_OPERATIONS } from "./access-logs.ts";
import { ASSOCIATION_OPERATIONS } from "./associations.ts";
import { LISTENER_OPERATIONS } from "./listeners.ts";
import { POLICY_OPERATIONS } from "./policies.ts";
import { RULE_OPERATIONS } from "./rules.ts";
import { SERVICE_NETWORK_OPERATIONS } from "./service-networks.ts";
import { SERVICE_OPERATIONS } from "./services.ts";
import { TAG_OPERATIONS } from "./tags.ts";
import { TARGET_GROUP_OPERATIONS } from "./target-groups.ts";

export const OPERATIONS: readonly OperationSpec[] = [
  ...SERVICE_NETWORK_OPERATIONS,
  ...SERVICE_OPERATIONS,
  ...LISTENER_OPERATIONS,
  ...RULE_OPERATIONS,
  ...TARGET_GROUP_OPERATIONS,
  ...ASSOCIATION_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...ACCESS_LOG_OPERATIONS,
  ...TAG_OPERATIONS,
];
