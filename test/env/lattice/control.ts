// The server side of the control API (control-api.ts lists the endpoints): resets, settings,
// access key -> account table, RAM shares, the clock, faults, the call log and target health.
import { parseArn } from "./arns.ts";
import type { ConfigPatch, FaultSpec, Share, TargetHealthRequest } from "./control-api.ts";
import type { CallLog, Faults } from "./faults.ts";
import type { Identities } from "./identity.ts";
import { TARGET_STATUSES, type TargetStatus } from "./model.ts";
import { type LatticeState, QUOTAS, type QuotaName } from "./state.ts";

export interface ControlTarget {
  state: LatticeState;
  faults: Faults;
  calls: CallLog;
  identities: Identities;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new ControlError(400, "expected a JSON object");
  return body;
}

function nonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new ControlError(400, `${name} must be a non-negative integer`);
  }
  return value;
}

function configure(state: LatticeState, patch: ConfigPatch): void {
  if (patch.asyncSteps !== undefined) state.config.asyncSteps = nonNegativeInteger(patch.asyncSteps, "asyncSteps");
  if (patch.defaultPageSize !== undefined) {
    const size = nonNegativeInteger(patch.defaultPageSize, "defaultPageSize");
    if (size < 1 || size > 100) throw new ControlError(400, "defaultPageSize must be 1-100");
    state.config.defaultPageSize = size;
  }
  if (patch.quotas !== undefined) {
    if (!isRecord(patch.quotas)) throw new ControlError(400, "quotas must be an object");
    for (const [name, value] of Object.entries(patch.quotas)) {
      if (!Object.hasOwn(QUOTAS, name)) throw new ControlError(400, `unknown quota ${name}`);
      state.config.quotas[name as QuotaName] = nonNegativeInteger(value, `quotas.${name}`);
    }
  }
}

function share(state: LatticeState, body: Record<string, unknown>, add: boolean): void {
  const { resourceArn, principals } = body;
  if (typeof resourceArn !== "string") throw new ControlError(400, "resourceArn is required");
  const accounts = principals ?? [];
  if (!Array.isArray(accounts) || !accounts.every((p) => typeof p === "string" && /^\d{12}$/.test(p))) {
    throw new ControlError(400, "principals must be a list of 12-digit account ids");
  }
  const resource = state.byArn(resourceArn);
  const kind = parseArn(resourceArn)?.kind;
  if (resource === undefined || (kind !== "serviceNetwork" && kind !== "service")) {
    throw new ControlError(404, `no service network or service ${resourceArn}`);
  }
  if (resource.kind === "serviceNetwork" && !resource.sharingEnabled && add) {
    throw new ControlError(409, `service network ${resource.id} was created with sharing disabled`);
  }
  const current = state.shares.get(resourceArn) ?? new Set<string>();
  if (add) for (const account of accounts as string[]) current.add(account);
  else if (principals === undefined) current.clear();
  else for (const account of accounts as string[]) current.delete(account);
  if (current.size > 0) state.shares.set(resourceArn, current);
  else state.shares.delete(resourceArn);
}

function shares(state: LatticeState): Share[] {
  return [...state.shares].map(([resourceArn, accounts]) => ({ resourceArn, principals: [...accounts] }));
}

function targetHealth(state: LatticeState, body: TargetHealthRequest): void {
  const group = state.byArn(body.targetGroupArn);
  if (group?.kind !== "targetGroup") throw new ControlError(404, `no target group ${String(body.targetGroupArn)}`);
  if (body.status !== null && !TARGET_STATUSES.includes(body.status as TargetStatus)) {
    throw new ControlError(400, `status must be one of ${TARGET_STATUSES.join(", ")} or null`);
  }
  const found = [...group.targets.values()].filter(
    (target) => target.id === body.id && (body.port === undefined || target.port === body.port),
  );
  if (found.length === 0) throw new ControlError(404, `target ${String(body.id)} is not registered`);
  for (const target of found) {
    if (body.status === null) delete target.health;
    else target.health = body.status;
  }
}

/** Handles one control request; `path` is the part after /_lattice. */
export function handleControl(
  target: ControlTarget,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): ControlResponse {
  const { state, faults, calls, identities } = target;
  try {
    switch (`${method} ${path}`) {
      case "POST /reset":
        state.reset();
        faults.clear();
        calls.clear();
        identities.clear();
        return { status: 200, body: {} };
      case "GET /config":
        return { status: 200, body: state.config };
      case "PUT /config":
        configure(state, record(body) as ConfigPatch);
        return { status: 200, body: state.config };
      case "GET /accounts":
        return { status: 200, body: identities.table() };
      case "PUT /accounts": {
        const table = record(body);
        for (const [key, account] of Object.entries(table)) {
          if (typeof account !== "string" || !/^\d{12}$/.test(account)) {
            throw new ControlError(400, `account of ${key} must be a 12-digit id`);
          }
        }
        identities.map(table as Record<string, string>);
        return { status: 200, body: identities.table() };
      }
      case "GET /shares":
        return { status: 200, body: shares(state) };
      case "POST /shares":
        share(state, record(body), true);
        return { status: 200, body: shares(state) };
      case "DELETE /shares":
        share(state, record(body), false);
        return { status: 200, body: shares(state) };
      case "POST /clock": {
        const request = record(body);
        if (request.settle === true) state.settleAll();
        else state.advance(nonNegativeInteger(request.advance, "advance"));
        return { status: 200, body: { clock: state.clock } };
      }
      case "GET /faults":
        return { status: 200, body: faults.view() };
      case "POST /faults":
        try {
          faults.add(record(body) as unknown as FaultSpec);
        } catch (error) {
          throw new ControlError(400, error instanceof Error ? error.message : String(error));
        }
        return { status: 200, body: faults.view() };
      case "DELETE /faults":
        faults.clear();
        return { status: 200, body: faults.view() };
      case "GET /calls": {
        const since = query.get("since");
        return {
          status: 200,
          body: calls.list({
            ...(query.has("account") ? { account: query.get("account") ?? "" } : {}),
            ...(since === null ? {} : { since: Number(since) }),
          }),
        };
      }
      case "DELETE /calls":
        calls.clear();
        return { status: 200, body: [] };
      case "POST /target-health":
        targetHealth(state, record(body) as unknown as TargetHealthRequest);
        return { status: 200, body: {} };
      default:
        return { status: 404, body: { error: `no control endpoint ${method} /_lattice${path}` } };
    }
  } catch (error) {
    if (error instanceof ControlError) return { status: error.status, body: { error: error.message } };
    throw error;
  }
}
