/**
 * Writes one computed status to one object's /status: read it, decide (decision.ts), and write a
 * JSON merge patch carrying the resourceVersion that was read, so a write based on a stale read
 * fails with 409 Conflict instead of dropping a concurrent writer's change; a conflict is retried
 * from a fresh read a bounded number of times.
 */
import { type CurrentObject, decideStatusWrite, type StatusIntent } from "./decision.ts";
import type { KubeApi, KubeResponse } from "./kube-api.ts";
import { statusPath } from "./resources.ts";

export type WriteOutcome =
  | { outcome: "written"; attempts: number; resourceVersion: string }
  | { outcome: "unchanged" | "stale"; attempts: number }
  /** The object is gone: nothing to write, and nothing to retry. */
  | { outcome: "not-found"; attempts: number };

/** The API server refused the request (401, 403, 422, ...): retrying as is cannot help. */
export class StatusWriteRefused extends Error {
  readonly status: number;
  readonly path: string;
  constructor(method: string, path: string, response: KubeResponse) {
    super(`${method} ${path}: HTTP ${response.status} ${response.body.slice(0, 500)}`);
    this.name = "StatusWriteRefused";
    this.status = response.status;
    this.path = path;
  }
}

/** Every attempt met a conflict: another writer keeps changing the object. */
export class StatusConflict extends Error {
  readonly attempts: number;
  constructor(path: string, attempts: number) {
    super(`${path}: still conflicting after ${attempts} attempts`);
    this.name = "StatusConflict";
    this.attempts = attempts;
  }
}

export interface StatusWriterOptions {
  /** RFC 3339 time for lastTransitionTime of conditions that flip. */
  now?: () => string;
  /** Reads-and-writes before giving up on conflicts. Default 5. */
  maxAttempts?: number;
}

export const MERGE_PATCH = "application/merge-patch+json";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseCurrent(path: string, body: string): CurrentObject {
  const object: unknown = JSON.parse(body);
  const metadata = isRecord(object) ? object.metadata : undefined;
  const resourceVersion = isRecord(metadata) ? metadata.resourceVersion : undefined;
  if (!isRecord(object) || typeof resourceVersion !== "string") {
    throw new Error(`GET ${path}: the answer is not an object with metadata.resourceVersion`);
  }
  const uid = isRecord(metadata) && typeof metadata.uid === "string" ? metadata.uid : undefined;
  return {
    resourceVersion,
    ...(uid === undefined ? {} : { uid }),
    status: isRecord(object.status) ? object.status : {},
  };
}

export class StatusWriter {
  readonly #api: KubeApi;
  readonly #now: () => string;
  readonly #maxAttempts: number;

  constructor(api: KubeApi, options: StatusWriterOptions = {}) {
    this.#api = api;
    this.#now = options.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, "Z"));
    this.#maxAttempts = options.maxAttempts ?? 5;
  }

  async write(intent: StatusIntent): Promise<WriteOutcome> {
    // Reading through /status returns the whole object too, and needs only the status RBAC grant.
    const path = statusPath(intent);
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const read = await this.#api.request("GET", path);
      if (read.status === 404) return { outcome: "not-found", attempts: attempt };
      if (read.status !== 200) throw new StatusWriteRefused("GET", path, read);
      const current = parseCurrent(path, read.body);
      const decision = decideStatusWrite(intent, current, this.#now());
      if (!decision.write) return { outcome: decision.reason, attempts: attempt };

      const written = await this.#api.request("PATCH", path, {
        contentType: MERGE_PATCH,
        json: { metadata: { resourceVersion: current.resourceVersion }, status: decision.status },
      });
      if (written.status === 200) {
        return {
          outcome: "written",
          attempts: attempt,
          resourceVersion: parseCurrent(path, written.body).resourceVersion,
        };
      }
      if (written.status === 404) return { outcome: "not-found", attempts: attempt };
      if (written.status !== 409) throw new StatusWriteRefused("PATCH", path, written);
    }
    throw new StatusConflict(path, this.#maxAttempts);
  }
}
