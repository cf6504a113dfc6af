/**
 * Stand-ins until the objects mirror (branch h-ingest: shared/mirror/) is merged: the snapshot
 * source refuses, so every record is retried rather than reconciled against an empty cluster
 * (which would delete every load balancer). Replace with the mirror's adapters when it lands.
 */
import type { DirtyGenerations, SnapshotSource } from "../../shared/pipeline/reconcile-gateway.ts";

export class MirrorNotWired extends Error {
  constructor() {
    super("the objects mirror is not wired into the reconcile λ yet (functions/reconcile/unwired-mirror.ts)");
    this.name = "MirrorNotWired";
  }
}

export const unwiredMirror: { snapshots: SnapshotSource; dirty: DirtyGenerations } = {
  snapshots: {
    load: async () => {
      throw new MirrorNotWired();
    },
  },
  // Generation 0 never moves: no requeue. Ingest sends a request per change meanwhile.
  dirty: { current: async () => 0 },
};
