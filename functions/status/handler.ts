/** The status λ: status queue → each cluster's /status (direct) or its forwarder's queue. */
import { createStatusHandler } from "./create-handler.ts";
import { statusPortsFromEnvironment } from "./environment.ts";

export const handler = createStatusHandler(statusPortsFromEnvironment(process.env));
