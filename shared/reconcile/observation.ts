/**
 * What a reconcile outcome means for status: the DataPlaneObservation the status computation
 * reads (Programmed, the address, and the AWS error or replacement a user must see).
 */
import type { DataPlaneObservation } from "../status/compute.ts";
import { type ReconcileOutcome, SERVING } from "./engine.ts";

/** The observation for status, or undefined when the outcome says nothing new (busy, deleted). */
export function observationOf(outcome: ReconcileOutcome): DataPlaneObservation | undefined {
  switch (outcome.kind) {
    case "busy":
    case "deleted":
      return undefined;
    case "failed": {
      const lb = outcome.observed.loadBalancer;
      const retry = outcome.retryable ? "; switchyard retries" : "";
      return {
        programmed: false,
        ...(lb?.dnsName ? { address: lb.dnsName.toLowerCase() } : {}),
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
