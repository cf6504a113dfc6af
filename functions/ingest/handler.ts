/** The ingest λ: events.fifo → objects mirror → reconcile.fifo. */
import { createIngestHandler } from "./create-handler.ts";
import { ingestOptionsFromEnvironment } from "./environment.ts";

export const handler = createIngestHandler(ingestOptionsFromEnvironment(process.env));
