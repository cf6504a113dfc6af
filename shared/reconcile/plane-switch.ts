/**
 * A Gateway whose class moved it between data planes (ALB or NLB ↔ VPC Lattice): what its status
 * says while the old plane's resources are deleted, before the new plane builds (README.md › "a
 * Gateway changing data plane"). The pipeline runs both steps through the one engine.
 */
import type { DataPlane as DataPlaneName } from "../config.ts";
import type { DataPlaneObservation } from "../status/compute.ts";
import type { DataPlaneOutcome } from "./engine.ts";

/**
 * Programmed=False (Pending, or NoResources when the deletion found none to act on) while the
 * `from` plane's resources are deleted: no address, since the old one is going away and the new one
 * does not exist yet. `retiring` is how the deletion ended; it did not finish, or the new plane
 * would be building.
 */
export function planeSwitchObservation(
  from: DataPlaneName,
  to: DataPlaneName,
  retiring: DataPlaneOutcome<unknown, { op: string }>,
): DataPlaneObservation {
  const moving = `moving from ${from} to ${to}: the ${from} resources are deleted first`;
  return { programmed: false, message: `${moving}; ${progress(retiring)}` };
}

function progress(retiring: DataPlaneOutcome<unknown, { op: string }>): string {
  switch (retiring.kind) {
    case "failed":
      return `${retiring.error.operation} failed: ${retiring.error.code}: ${retiring.error.message}${
        retiring.retryable ? "; switchyard retries" : ""
      }`;
    case "applied":
      return retiring.pending ? `waiting: ${retiring.pending}` : `${retiring.operations.length} deletion(s) done`;
    case "busy":
      return "another reconcile holds the Gateway";
    default:
      return "in progress";
  }
}
