/** The reconcile λ: reconcile.fifo → one Gateway reconciled per message → status queue. */

import { createReconcileHandler } from "./create-handler.ts";
import { reconcilePortsFromEnvironment } from "./environment.ts";
import { unwiredMirror } from "./unwired-mirror.ts";

export const handler = createReconcileHandler(reconcilePortsFromEnvironment(process.env, unwiredMirror));
