/**
 * The pure heart of switchyard: a snapshot of Kubernetes objects in, the resolved graph and every
 * status owed out. No I/O, no clock: data-plane observations are passed in.
 */
import type { ControllerConfig } from "./config.ts";
import type { ResolvedGraph } from "./graph/model.ts";
import { resolveGraph } from "./graph/resolve.ts";
import type { Snapshot } from "./snapshot.ts";
import { computeStatuses, type StatusInputs, type StatusUpdate } from "./status/compute.ts";

export interface Translation {
  graph: ResolvedGraph;
  statuses: StatusUpdate[];
}

export function translate(snapshot: Snapshot, config: ControllerConfig, inputs: StatusInputs = {}): Translation {
  const graph = resolveGraph(snapshot, config);
  const statuses = computeStatuses(graph, snapshot, Object.keys(config.controllers), inputs);
  return { graph, statuses };
}
