/**
 * The forwarder's Helm values for one registered cluster (forwarder/deploy/chart): what the
 * registry and the control plane decide — the cluster id, the events queue, the claim-check
 * bucket, the status mode and its queue — as a values file a platform team passes to
 * `helm install -f`. Everything else keeps the chart's defaults. Pure.
 */
import type { RegisteredCluster } from "../../shared/registry/cluster.ts";
import { RegistrationFlagError } from "./registration.ts";

/** Where the control plane receives this cluster's events (from flags or the queue prefix). */
export interface ControlPlaneEndpoints {
  eventsQueueUrl: string;
  claimCheckBucket: string;
  /** The cluster's own status queue: required with via-forwarder status, refused otherwise. */
  statusQueueUrl?: string;
  /** Region of the queue and bucket; @default the queue URL's, else the cluster's. */
  region?: string;
}

/** The values this command sets; the chart's values.yaml names and documents each. */
export interface ForwarderValues {
  clusterId: string;
  eventsQueueUrl: string;
  region: string;
  claimCheckBucket: string;
  statusMode: RegisteredCluster["statusMode"];
  statusQueueUrl?: string;
}

/** `https://sqs.<region>.amazonaws.com/...` → the Region; other endpoints (moto) say none. */
export function queueRegion(queueUrl: string): string | undefined {
  try {
    const host = new URL(queueUrl).hostname;
    return /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
  } catch {
    return undefined;
  }
}

export function forwarderValues(cluster: RegisteredCluster, endpoints: ControlPlaneEndpoints): ForwarderValues {
  let events: URL;
  try {
    events = new URL(endpoints.eventsQueueUrl);
  } catch {
    throw new RegistrationFlagError("--events-queue-url", `not a URL: ${endpoints.eventsQueueUrl}`);
  }
  if (!events.pathname.endsWith(".fifo")) {
    throw new RegistrationFlagError(
      "--events-queue-url",
      "must be the control plane's events FIFO queue (ends in .fifo)",
    );
  }
  if (endpoints.claimCheckBucket === "") throw new RegistrationFlagError("--claim-check-bucket", "required");
  const viaForwarder = cluster.statusMode === "via-forwarder";
  if (viaForwarder && !endpoints.statusQueueUrl) {
    throw new RegistrationFlagError(
      "--status-queue-url",
      "required with --status-mode via-forwarder (the cluster's own status queue, or --queue-prefix to look it up)",
    );
  }
  if (!viaForwarder && endpoints.statusQueueUrl) {
    throw new RegistrationFlagError("--status-queue-url", "only with --status-mode via-forwarder");
  }
  return {
    clusterId: cluster.clusterId,
    eventsQueueUrl: endpoints.eventsQueueUrl,
    region: endpoints.region ?? queueRegion(endpoints.eventsQueueUrl) ?? cluster.region,
    claimCheckBucket: endpoints.claimCheckBucket,
    statusMode: cluster.statusMode,
    ...(viaForwarder && endpoints.statusQueueUrl ? { statusQueueUrl: endpoints.statusQueueUrl } : {}),
  };
}
