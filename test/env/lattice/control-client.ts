// What tests use to drive the emulator beyond the AWS API (control-api.ts): reset it, map access
// keys to accounts, share resources through "RAM", move the clock, inject faults, read the call log.
import type {
  CallRecord,
  ConfigPatch,
  ConfigView,
  FaultSpec,
  FaultsView,
  Share,
  TargetHealthRequest,
} from "./control-api.ts";
import { CONTROL_PREFIX } from "./control-api.ts";

export class LatticeControl {
  readonly endpoint: string;

  constructor(endpoint: string) {
    this.endpoint = endpoint;
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.endpoint}${CONTROL_PREFIX}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`lattice control ${method} ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Forgets every resource, share, client token, call, fault, account mapping and setting. */
  async reset(): Promise<void> {
    await this.#call("POST", "/reset");
  }

  async configure(patch: ConfigPatch): Promise<ConfigView> {
    return this.#call("PUT", "/config", patch);
  }

  async config(): Promise<ConfigView> {
    return this.#call("GET", "/config");
  }

  /** Requests signed with these access key ids act in these accounts. */
  async mapAccounts(table: Record<string, string>): Promise<void> {
    await this.#call("PUT", "/accounts", table);
  }

  /** Shares a service network or service with other accounts, as a RAM resource share would. */
  async share(resourceArn: string, principals: string[]): Promise<Share[]> {
    return this.#call("POST", "/shares", { resourceArn, principals });
  }

  /** Ends the sharing with `principals` (all of them when omitted). */
  async unshare(resourceArn: string, principals?: string[]): Promise<Share[]> {
    return this.#call("DELETE", "/shares", principals === undefined ? { resourceArn } : { resourceArn, principals });
  }

  /** Moves the clock `ticks` requests' worth forward; returns the clock. */
  async advance(ticks: number): Promise<number> {
    return (await this.#call<{ clock: number }>("POST", "/clock", { advance: ticks })).clock;
  }

  /** Completes every pending transition and target drain. */
  async settle(): Promise<number> {
    return (await this.#call<{ clock: number }>("POST", "/clock", { settle: true })).clock;
  }

  async injectFault(spec: FaultSpec): Promise<FaultsView> {
    return this.#call("POST", "/faults", spec);
  }

  async faults(): Promise<FaultsView> {
    return this.#call("GET", "/faults");
  }

  async clearFaults(): Promise<void> {
    await this.#call("DELETE", "/faults");
  }

  /** The call log, optionally of one account and after a call's seq. */
  async calls(filter: { account?: string; since?: number } = {}): Promise<CallRecord[]> {
    const query = new URLSearchParams();
    if (filter.account !== undefined) query.set("account", filter.account);
    if (filter.since !== undefined) query.set("since", String(filter.since));
    const suffix = query.size > 0 ? `?${query}` : "";
    return this.#call("GET", `/calls${suffix}`);
  }

  async clearCalls(): Promise<void> {
    await this.#call("DELETE", "/calls");
  }

  /** Pins a target's health status (e.g. UNHEALTHY); null goes back to the computed status. */
  async setTargetHealth(request: TargetHealthRequest): Promise<void> {
    await this.#call("POST", "/target-health", request);
  }
}

/** Calls per operation, e.g. `{ CreateRule: 2, ListRules: 1 }`. */
export function countCalls(calls: readonly CallRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  return counts;
}
