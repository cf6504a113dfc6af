/**
 * What a reconcile outcome means for status: the DataPlaneObservation the status computation
 * reads (Programmed, the address, and the AWS error or replacement a user must see).
 */
import type { LoadBalancerModel } from "../elb/model.ts";
import { securityGroupNotes } from "../elb/security-group-plan.ts";
import type { DataPlaneObservation } from "../status/compute.ts";
import { Reason } from "../status/conditions.ts";
import { type ReconcileOutcome, SERVING } from "./engine.ts";

/** AWS failures that mean the account lacks something the load balancer needs (Gateway API `NoResources`). */
const NO_RESOURCES = new Set(["NoQualifyingSubnets", "VpcNotFound"]);

/**
 * The observation for status, or undefined when the outcome says nothing new (busy, deleted).
 * With the desired model, what it asks of security groups and AWS cannot give is said too.
 */
export function observationOf(
  outcome: ReconcileOutcome,
  desired?: LoadBalancerModel,
): DataPlaneObservation | undefined {
  const observation = baseObservation(outcome);
  if (
    !observation ||
    outcome.kind === "busy" ||
    outcome.kind === "deleted" ||
    outcome.kind === "held" ||
    outcome.kind === "elsewhere"
  )
    return observation;
  const note = securityGroupNotes(desired, outcome.observed);
  return note ? { ...observation, message: `${observation.message ?? ""}; ${note}` } : observation;
}

function baseObservation(outcome: ReconcileOutcome): DataPlaneObservation | undefined {
  switch (outcome.kind) {
    case "busy":
    case "deleted":
    case "elsewhere":
      return undefined;
    case "held": {
      const lb = outcome.observed.loadBalancer;
      // Nothing was ever created: the status of any Gateway that is not accepted.
      if (!lb) return undefined;
      // A hold reads nothing: a load balancer the record saw provisioning is not said to serve.
      const kept = SERVING.has(lb.state ?? "active")
        ? "keeps serving the last accepted configuration"
        : `(last seen ${lb.state}) is kept as the last accepted configuration left it`;
      return {
        programmed: false,
        ...(lb.dnsName ? { address: lb.dnsName.toLowerCase() } : {}),
        held: `load balancer ${lb.name} ${kept}, unchanged until the configuration is fixed or the Gateway is deleted`,
      };
    }
    case "failed": {
      const lb = outcome.observed.loadBalancer;
      const retry = outcome.retryable ? "; switchyard retries" : "";
      return {
        programmed: false,
        ...(lb?.dnsName ? { address: lb.dnsName.toLowerCase() } : {}),
        ...(NO_RESOURCES.has(outcome.error.code) ? { reason: Reason.NoResources } : {}),
        message: `${outcome.error.operation} failed: ${outcome.error.code}: ${outcome.error.message}${retry}`,
      };
    }
    case "unchanged":
    case "applied": {
      const lb = outcome.observed.loadBalancer;
      if (!lb) return { programmed: false, message: "no load balancer exists yet" };
      const serving = SERVING.has(lb.state ?? "active");
      const replaced =
        outcome.kind === "applied" && outcome.replacement ? `replaced load balancer (${outcome.replacement}); ` : "";
      // A refused rule is named with its route so a user finds which route AWS would not take.
      const refused =
        outcome.kind === "applied" && outcome.failedRules
          ? `; AWS refused ${outcome.failedRules
              .map((r) => `${r.operation} for ${r.route ?? r.listenerId} (${r.code}: ${r.message})`)
              .join(", ")}`
          : "";
      return {
        programmed: serving,
        ...(lb.dnsName ? { address: lb.dnsName.toLowerCase() } : {}),
        message: `${replaced}load balancer ${lb.name} is ${lb.state ?? "active"}${serving ? "" : "; waiting until it is active"}${refused}`,
      };
    }
  }
}
