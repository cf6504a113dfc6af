/**
 * The stored form of a GatewayState: one DynamoDB item under `GATEWAY#<gatewayKey>` / `STATE`,
 * which also carries the Gateway's lease (lease-item.ts names those attributes). An item with only
 * lease attributes is a Gateway without a record.
 *
 * `applied` is the bulk of the record (hundreds of rules, thousands of targets) and highly
 * repetitive JSON, so it is kept as gzip-compressed JSON in a binary attribute; the small fields
 * stay plain attributes a human can read in the console.
 *
 * An item read back is a trust boundary (anyone with table access, or another switchyard version,
 * may have written it), so `decodeState` checks every attribute and throws StateDecodeError naming
 * the field, rather than casting and letting a damaged record surface later as an `undefined`.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { DataPlane } from "../../config.ts";
import { emptyObserved, type ObservedElb } from "../../elb/observed.ts";
import { DecodeError, decodeObservedElb } from "../../elb/observed-codec.ts";
import { type ClusterGatewayKey, InvalidGatewayKey, parseClusterGatewayKey } from "../../keys.ts";
import {
  decodeObservedLattice,
  emptyObservedLattice,
  type ObservedLattice,
  ObservedLatticeDecodeError,
} from "../../lattice/observed.ts";
import {
  boundedError,
  type GatewayState,
  MAX_LAST_ERROR_CHARS,
  RECONCILE_RESULTS,
  type ReconcileResult,
  StateDecodeError,
  StateTooLarge,
  type StoredGatewayState,
} from "../state.ts";
import { itemSize, MAX_ITEM_BYTES } from "./item-size.ts";
import { LEASE_ATTRIBUTES } from "./lease-item.ts";
import { gatewayOfPartition, gatewayPartition, PARTITION_KEY, SORT_KEY, STATE_SORT_KEY } from "./table-keys.ts";

export type StateItem = Record<string, AttributeValue>;

/**
 * How `applied` is encoded; a reader refuses any other value rather than misread it.
 * @default "json+gzip" — the only encoding; a new one gets a new value so old readers refuse it.
 */
export const APPLIED_ENCODING = "json+gzip";

/** Every DataPlane, checked against the type so a new data plane cannot be forgotten here. */
const DATA_PLANES = { alb: true, nlb: true, lattice: true } satisfies Record<DataPlane, true>;

function isDataPlane(value: string): value is DataPlane {
  return Object.hasOwn(DATA_PLANES, value);
}

function isReconcileResult(value: string): value is ReconcileResult {
  return (RECONCILE_RESULTS as readonly string[]).includes(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An AWS account id: twelve digits. */
const ACCOUNT_ID = /^\d{12}$/;
/** An AWS region name (`eu-west-1`, `us-gov-west-1`, `cn-north-1`…). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The record's attributes (besides the key and `gatewayKey`, which the lease shares). */
export const RECORD_ATTRIBUTES = {
  dataPlane: "dataPlane",
  account: "account",
  region: "region",
  applied: "applied",
  appliedEncoding: "appliedEncoding",
  fencingToken: "fencingToken",
  appliedHash: "appliedHash",
  lastDriftCheck: "lastDriftCheck",
  applyingStartedAt: "applyingStartedAt",
  applyingDesiredHash: "applyingDesiredHash",
  applyingCallsLandBy: "applyingCallsLandBy",
  lastReconcileAt: "lastReconcileAt",
  lastOutcome: "lastOutcome",
  lastError: "lastError",
} as const;

/** The record attributes a record may lack: a write without them removes them from the item. */
export const OPTIONAL_RECORD_ATTRIBUTES = [
  RECORD_ATTRIBUTES.appliedHash,
  RECORD_ATTRIBUTES.lastDriftCheck,
  RECORD_ATTRIBUTES.applyingStartedAt,
  RECORD_ATTRIBUTES.applyingDesiredHash,
  RECORD_ATTRIBUTES.applyingCallsLandBy,
  RECORD_ATTRIBUTES.lastReconcileAt,
  RECORD_ATTRIBUTES.lastOutcome,
  RECORD_ATTRIBUTES.lastError,
] as const;

/**
 * The attributes counted at their largest in CLAIM_HEADROOM_BYTES rather than as they are: the
 * `applying` marker a claim writes (GatewayState.applying), and the last reconcile's outcome, which
 * any later write may set with an error of up to MAX_LAST_ERROR_CHARS.
 */
const HEADROOM_ATTRIBUTES = [
  RECORD_ATTRIBUTES.applyingStartedAt,
  RECORD_ATTRIBUTES.applyingDesiredHash,
  RECORD_ATTRIBUTES.applyingCallsLandBy,
  RECORD_ATTRIBUTES.lastReconcileAt,
  RECORD_ATTRIBUTES.lastOutcome,
  RECORD_ATTRIBUTES.lastError,
] as const;

/**
 * Whether an item holds a record: any record attribute makes it one (and a damaged one is then
 * refused by decodeState); an item with only the key and lease attributes is a Gateway without one.
 */
export function hasRecord(item: StateItem | undefined): item is StateItem {
  return item !== undefined && Object.values(RECORD_ATTRIBUTES).some((name) => item[name] !== undefined);
}

export function stateKey(gatewayKey: ClusterGatewayKey): StateItem {
  return { [PARTITION_KEY]: { S: gatewayPartition(gatewayKey) }, [SORT_KEY]: { S: STATE_SORT_KEY } };
}

/** `applied` as stored: gzip-compressed JSON, and the JSON's length (for StateTooLarge). */
export function encodeApplied(applied: unknown): { json: number; gzip: Uint8Array } {
  const json = Buffer.from(JSON.stringify(applied), "utf8");
  return { json: json.length, gzip: gzipSync(json) };
}

/**
 * The most a claim adds to a record's item: the lease (`token`, an `owner` of up to 128 bytes,
 * `leaseExpiresAt`) and the `applying` marker (two epoch-ms numbers and a desired hash of up to 128
 * bytes), every number at its largest. A record is refused unless it fits with all of them, so no
 * later claim or renewal can push its item over DynamoDB's limit. Lambda request ids (the
 * reconcilers' owners) are 36 bytes and model hashes (sha256, hex) 64. The last reconcile's outcome
 * is counted too, its error at MAX_LAST_ERROR_CHARS characters of 4 UTF-8 bytes each, so recording
 * a failure can never be what makes a record too large to write.
 */
export const CLAIM_HEADROOM_BYTES = itemSize({
  [LEASE_ATTRIBUTES.token]: { N: String(Number.MAX_SAFE_INTEGER) },
  [LEASE_ATTRIBUTES.owner]: { S: "o".repeat(128) },
  [LEASE_ATTRIBUTES.expiresAt]: { N: String(Number.MAX_SAFE_INTEGER) },
  [RECORD_ATTRIBUTES.applyingStartedAt]: { N: String(Number.MAX_SAFE_INTEGER) },
  [RECORD_ATTRIBUTES.applyingDesiredHash]: { S: "h".repeat(128) },
  [RECORD_ATTRIBUTES.applyingCallsLandBy]: { N: String(Number.MAX_SAFE_INTEGER) },
  [RECORD_ATTRIBUTES.lastReconcileAt]: { N: String(Number.MAX_SAFE_INTEGER) },
  [RECORD_ATTRIBUTES.lastOutcome]: { S: "o".repeat(Math.max(...RECONCILE_RESULTS.map((r) => r.length))) },
  [RECORD_ATTRIBUTES.lastError]: { S: "e".repeat(4 * MAX_LAST_ERROR_CHARS) },
});

/**
 * The record attributes of `state` written under the lease with `fencingToken` (the token is the
 * lease's, not whatever the caller left in `state.fencingToken`), with the item's key and
 * `gatewayKey`. Throws StateTooLarge if the item would not fit with CLAIM_HEADROOM_BYTES to spare.
 */
export function encodeState(
  state: GatewayState<unknown>,
  gatewayKey: ClusterGatewayKey,
  fencingToken: number,
): StateItem {
  const { json, gzip: applied } = encodeApplied(state.applied);
  const item: StateItem = {
    ...stateKey(gatewayKey),
    gatewayKey: { S: gatewayKey },
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
  if (state.lastReconcile !== undefined) {
    item.lastReconcileAt = { N: String(state.lastReconcile.at) };
    item.lastOutcome = { S: state.lastReconcile.outcome };
    // Cut as the headroom assumes, whoever wrote it; the engine already cuts its own.
    if (state.lastReconcile.error) item.lastError = { S: boundedError(state.lastReconcile.error) };
  }
  // The marker and the outcome are counted at their largest in the headroom, whether or not this record has them.
  const headroom: readonly string[] = HEADROOM_ATTRIBUTES;
  const withoutMarker = Object.fromEntries(Object.entries(item).filter(([name]) => !headroom.includes(name)));
  const bytes = itemSize(withoutMarker) + CLAIM_HEADROOM_BYTES;
  if (bytes > MAX_ITEM_BYTES) {
    throw new StateTooLarge(gatewayKey, bytes, MAX_ITEM_BYTES, json, applied.length);
  }
  return item;
}

/** Reads the attributes of one state item, each failure a StateDecodeError naming the attribute. */
class StateItemReader {
  readonly #item: StateItem;
  /**
   * Who the record belongs to, for errors: the Gateway its partition key names, since that is how
   * the item is found (its own gatewayKey attribute may be the damage); the attribute only if the
   * partition is not a Gateway's.
   */
  readonly gatewayKey: string;

  constructor(item: StateItem) {
    this.#item = item;
    const partition = item[PARTITION_KEY]?.S;
    this.gatewayKey =
      (partition === undefined ? undefined : gatewayOfPartition(partition)) ??
      item.gatewayKey?.S ??
      partition ??
      "<no key>";
  }

  fail(field: string, problem: string): never {
    throw new StateDecodeError(this.gatewayKey, field, problem);
  }

  #present(name: string): AttributeValue | undefined {
    return this.#item[name];
  }

  #typeOf(value: AttributeValue): string {
    return Object.keys(value).filter((type) => type !== "$unknown")[0] ?? "nothing";
  }

  optionalString(name: string): string | undefined {
    const value = this.#present(name);
    if (value === undefined) return undefined;
    if (value.S === undefined) this.fail(name, `is ${this.#typeOf(value)}, expected a string (S)`);
    if (value.S.length === 0) this.fail(name, "is an empty string");
    return value.S;
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) this.fail(name, "is missing");
    return value;
  }

  /** A non-negative integer that a JavaScript number holds exactly (epoch ms, tokens). */
  optionalInteger(name: string): number | undefined {
    const value = this.#present(name);
    if (value === undefined) return undefined;
    if (value.N === undefined) this.fail(name, `is ${this.#typeOf(value)}, expected a number (N)`);
    const number = Number(value.N);
    if (!Number.isSafeInteger(number) || number < 0) {
      this.fail(name, `is ${value.N}, expected a non-negative integer of at most ${Number.MAX_SAFE_INTEGER}`);
    }
    return number;
  }

  integer(name: string): number {
    const value = this.optionalInteger(name);
    if (value === undefined) this.fail(name, "is missing");
    return value;
  }

  binary(name: string): Uint8Array {
    const value = this.#present(name);
    if (value === undefined) this.fail(name, "is missing");
    if (value.B === undefined) this.fail(name, `is ${this.#typeOf(value)}, expected a binary (B)`);
    return value.B;
  }
}

/**
 * PLUG-IN POINT for the full ObservedElb decoder. `decodeObservedElb(value: unknown, source: string)`
 * in shared/elb/observed.ts (being written on another branch) validates every nested field; once it
 * lands, this body becomes that call, with its error rethrown as StateDecodeError on `applied`:
 *
 *     try { return decodeObservedElb(value, `state record of gateway ${gatewayKey}`); }
 *     catch (error) { throw new StateDecodeError(gatewayKey, "applied", String(error)); }
 *
 * Until then it checks the top level only: an object with `listeners` and `targetGroups` arrays of
 * objects, `strayLoadBalancers` an array of strings and `loadBalancer` absent or an object. What is
 * inside those objects is not checked yet, hence the one cast below.
 */
export function decodeApplied(value: unknown, gatewayKey: string): ObservedElb {
  try {
    return decodeObservedElb(value, `state item ${gatewayKey}`);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    throw new StateDecodeError(
      gatewayKey,
      err.path ? `applied.${err.path}` : "applied",
      `is ${err.found}, expected ${err.expected}`,
    );
  }
}

function gunzipJson(reader: StateItemReader, compressed: Uint8Array): unknown {
  let json: string;
  try {
    json = gunzipSync(compressed).toString("utf8");
  } catch (error) {
    return reader.fail("applied", `is not gzip-compressed data (${messageOf(error)})`);
  }
  try {
    return JSON.parse(json);
  } catch (error) {
    return reader.fail("applied", `is not JSON once decompressed (${messageOf(error)})`);
  }
}

/**
 * How a store reads `applied` for the data plane a record names. One table holds the records of
 * every data plane; a store of one plane sees another plane's record as claiming nothing of its own
 * (a claim limited to its planes, `ClaimRequest.planes`, never takes such a record).
 */
export type AppliedDecoder<Applied> = (value: unknown, gatewayKey: string, dataPlane: DataPlane) => Applied;

/** The ELB stores' decoder: ALB and NLB records decoded in full, a Lattice record as holding no ELB resource. */
export const decodeElbApplied: AppliedDecoder<ObservedElb> = (value, gatewayKey, dataPlane) =>
  dataPlane === "lattice" ? emptyObserved() : decodeApplied(value, gatewayKey);

/** The Lattice store's decoder: a Lattice record checked, any other as holding no Lattice resource. */
export const decodeLatticeApplied: AppliedDecoder<ObservedLattice> = (value, gatewayKey, dataPlane) => {
  if (dataPlane !== "lattice") return emptyObservedLattice();
  try {
    return decodeObservedLattice(value);
  } catch (err) {
    if (!(err instanceof ObservedLatticeDecodeError)) throw err;
    throw new StateDecodeError(gatewayKey, err.path ? `applied.${err.path}` : "applied", err.message);
  }
};

/** The GatewayState an item holds; throws StateDecodeError naming the first field that is wrong. */
export function decodeState(item: StateItem): StoredGatewayState;
export function decodeState<Applied>(item: StateItem, decode: AppliedDecoder<Applied>): StoredGatewayState<Applied>;
export function decodeState<Applied>(
  item: StateItem,
  decode?: AppliedDecoder<Applied>,
): StoredGatewayState<Applied | ObservedElb> {
  const reader = new StateItemReader(item);

  const keyText = reader.string("gatewayKey");
  let gatewayKey: ClusterGatewayKey;
  try {
    gatewayKey = parseClusterGatewayKey(keyText);
  } catch (error) {
    if (!(error instanceof InvalidGatewayKey)) throw error;
    return reader.fail("gatewayKey", `is not a cluster/namespace/name key: ${error.message}`);
  }
  // The partition is what get() looked up; a record naming another Gateway was copied or forged.
  const partition = reader.string(PARTITION_KEY);
  if (partition !== gatewayPartition(gatewayKey)) {
    reader.fail("gatewayKey", `does not match the item's partition key ${partition}`);
  }

  const dataPlane = reader.string("dataPlane");
  if (!isDataPlane(dataPlane)) {
    return reader.fail(
      "dataPlane",
      `is ${JSON.stringify(dataPlane)}, expected one of ${Object.keys(DATA_PLANES).join(", ")}`,
    );
  }
  const account = reader.string("account");
  if (!ACCOUNT_ID.test(account))
    reader.fail("account", `is ${JSON.stringify(account)}, expected a 12-digit account id`);
  const region = reader.string("region");
  if (!REGION.test(region)) reader.fail("region", `is ${JSON.stringify(region)}, expected an AWS region name`);

  const fencingToken = reader.integer("fencingToken");
  if (fencingToken < 1) reader.fail("fencingToken", `is ${fencingToken}, expected a lease token (1 or more)`);

  const encoding = reader.string("appliedEncoding");
  if (encoding !== APPLIED_ENCODING) {
    reader.fail("appliedEncoding", `is ${JSON.stringify(encoding)}, the only known encoding is ${APPLIED_ENCODING}`);
  }
  const raw = gunzipJson(reader, reader.binary("applied"));
  const applied = (decode ?? decodeElbApplied)(raw, reader.gatewayKey, dataPlane);

  const state: StoredGatewayState<Applied | ObservedElb> = {
    gatewayKey,
    dataPlane,
    account,
    region,
    applied,
    fencingToken,
  };
  const appliedHash = reader.optionalString("appliedHash");
  if (appliedHash !== undefined) state.appliedHash = appliedHash;
  const lastDriftCheck = reader.optionalInteger("lastDriftCheck");
  if (lastDriftCheck !== undefined) state.lastDriftCheck = lastDriftCheck;
  // `applying` is two attributes written together; one without the other is damage, not "not applying".
  const startedAt = reader.optionalInteger("applyingStartedAt");
  const desiredHash = reader.optionalString("applyingDesiredHash");
  const callsLandBy = reader.optionalInteger("applyingCallsLandBy");
  if (startedAt !== undefined && desiredHash !== undefined) {
    state.applying = { startedAt, desiredHash, ...(callsLandBy !== undefined ? { callsLandBy } : {}) };
  } else if (callsLandBy !== undefined) reader.fail("applyingCallsLandBy", "is set while no apply is recorded");
  else if (startedAt !== undefined) reader.fail("applyingDesiredHash", "is missing while applyingStartedAt is set");
  else if (desiredHash !== undefined) reader.fail("applyingStartedAt", "is missing while applyingDesiredHash is set");
  // The last reconcile's outcome: its time and result written together, an error only beside them.
  const lastAt = reader.optionalInteger("lastReconcileAt");
  const outcomeText = reader.optionalString("lastOutcome");
  const lastError = reader.optionalString("lastError");
  let lastOutcome: ReconcileResult | undefined;
  if (outcomeText !== undefined) {
    if (!isReconcileResult(outcomeText)) {
      return reader.fail(
        "lastOutcome",
        `is ${JSON.stringify(outcomeText)}, expected one of ${RECONCILE_RESULTS.join(", ")}`,
      );
    }
    lastOutcome = outcomeText;
  }
  if (lastError !== undefined && Array.from(lastError).length > MAX_LAST_ERROR_CHARS) {
    reader.fail("lastError", `is longer than ${MAX_LAST_ERROR_CHARS} characters`);
  }
  if (lastAt !== undefined && lastOutcome !== undefined) {
    state.lastReconcile = {
      at: lastAt,
      outcome: lastOutcome,
      ...(lastError !== undefined ? { error: lastError } : {}),
    };
  } else if (lastAt !== undefined) reader.fail("lastOutcome", "is missing while lastReconcileAt is set");
  else if (lastOutcome !== undefined) reader.fail("lastReconcileAt", "is missing while lastOutcome is set");
  else if (lastError !== undefined) reader.fail("lastError", "is set while no reconcile outcome is recorded");
  return state;
}
