/** The reconcile λ: reconcile.fifo → one Gateway reconciled per message → status queue. */
import { createReconcileHandler } from "./create-handler.ts";
import { reconcilePortsFromEnvironment } from "./environment.ts";

export const handler = createReconcileHandler(reconcilePortsFromEnvironment(process.env));
