/**
 * The stored form of a GatewayState: one DynamoDB item under `GATEWAY#<gatewayKey>` / `STATE`.
 * Both stores keep exactly this item (the in-memory one too), so size limits, copying and
 * fencing-token rules cannot drift apart between them.
 *
 * `applied` is the bulk of the record (hundreds of rules, thousands of targets) and highly
 * repetitive JSON, so it is kept as gzip-compressed JSON in a binary attribute; the small fields
 * stay plain attributes a human can read in the console.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { DataPlane } from "../config.ts";
import type { ObservedElb } from "../elb/observed.ts";
import { itemSize, MAX_ITEM_BYTES } from "./item-size.ts";
import { gatewayPartition, PARTITION_KEY, SORT_KEY, STATE_SORT_KEY } from "./keys.ts";
import type { GatewayState } from "./state.ts";

export type StateItem = Record<string, AttributeValue>;

/** How `applied` is encoded; a reader refuses any other value rather than misread it. */
const APPLIED_ENCODING = "json+gzip";

/** A record that would not fit in one DynamoDB item. */
export class StateTooLarge extends Error {
  readonly gatewayKey: string;
  /** The item's size in bytes, as DynamoDB counts it. */
  readonly bytes: number;
  readonly limit: number;

  constructor(gatewayKey: string, bytes: number, appliedJsonBytes: number, appliedGzipBytes: number) {
    super(
      `state of gateway ${gatewayKey} is ${bytes} bytes as a DynamoDB item, over the ${MAX_ITEM_BYTES}-byte ` +
        `(400 KB) item limit: its applied resources are ${appliedJsonBytes} bytes of JSON, ` +
        `${appliedGzipBytes} bytes gzip-compressed`,
    );
    this.name = "StateTooLarge";
    this.gatewayKey = gatewayKey;
    this.bytes = bytes;
    this.limit = MAX_ITEM_BYTES;
  }
}

export function stateKey(gatewayKey: string): StateItem {
  return { [PARTITION_KEY]: { S: gatewayPartition(gatewayKey) }, [SORT_KEY]: { S: STATE_SORT_KEY } };
}

/**
 * The item for `state` written under the lease with `fencingToken` (the token is the lease's, not
 * whatever the caller left in `state.fencingToken`). Throws StateTooLarge if it would not fit.
 */
export function encodeState(state: GatewayState, fencingToken: number): StateItem {
  const json = Buffer.from(JSON.stringify(state.applied), "utf8");
  const applied = gzipSync(json);
  const item: StateItem = {
    ...stateKey(state.gatewayKey),
    gatewayKey: { S: state.gatewayKey },
    dataPlane: { S: state.dataPlane },
    account: { S: state.account },
    region: { S: state.region },
    applied: { B: applied },
    appliedEncoding: { S: APPLIED_ENCODING },
    fencingToken: { N: String(fencingToken) },
  };
  if (state.appliedHash !== undefined) item.appliedHash = { S: state.appliedHash };
  if (state.lastDriftCheck !== undefined) item.lastDriftCheck = { N: String(state.lastDriftCheck) };
  if (state.applying !== undefined) {
    item.applyingStartedAt = { N: String(state.applying.startedAt) };
    item.applyingDesiredHash = { S: state.applying.desiredHash };
    if (state.applying.callsLandBy !== undefined) item.applyingCallsLandBy = { N: String(state.applying.callsLandBy) };
  }
  const bytes = itemSize(item);
  if (bytes > MAX_ITEM_BYTES) throw new StateTooLarge(state.gatewayKey, bytes, json.length, applied.length);
  return item;
}

function text(item: StateItem, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new Error(`state item ${item.pk?.S}: missing string attribute ${name}`);
  return value;
}

function optionalNumber(item: StateItem, name: string): number | undefined {
  const value = item[name]?.N;
  return value === undefined ? undefined : Number(value);
}

export function decodeState(item: StateItem): GatewayState {
  const encoding = text(item, "appliedEncoding");
  if (encoding !== APPLIED_ENCODING) throw new Error(`state item ${item.pk?.S}: unknown applied encoding ${encoding}`);
  const applied = item.applied?.B;
  if (applied === undefined) throw new Error(`state item ${item.pk?.S}: missing binary attribute applied`);
  const fencingToken = optionalNumber(item, "fencingToken");
  if (fencingToken === undefined) throw new Error(`state item ${item.pk?.S}: missing fencingToken`);

  const state: GatewayState = {
    gatewayKey: text(item, "gatewayKey"),
    dataPlane: text(item, "dataPlane") as DataPlane,
    account: text(item, "account"),
    region: text(item, "region"),
    applied: JSON.parse(gunzipSync(applied).toString("utf8")) as ObservedElb,
    fencingToken,
  };
  const appliedHash = item.appliedHash?.S;
  if (appliedHash !== undefined) state.appliedHash = appliedHash;
  const lastDriftCheck = optionalNumber(item, "lastDriftCheck");
  if (lastDriftCheck !== undefined) state.lastDriftCheck = lastDriftCheck;
  const startedAt = optionalNumber(item, "applyingStartedAt");
  const desiredHash = item.applyingDesiredHash?.S;
  const callsLandBy = optionalNumber(item, "applyingCallsLandBy");
  if (startedAt !== undefined && desiredHash !== undefined)
    state.applying = { startedAt, desiredHash, ...(callsLandBy !== undefined ? { callsLandBy } : {}) };
  return state;
}
