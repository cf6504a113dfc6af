// Damaged state items, each with the field a reader must name: shared by the codec's unit tests
// and the DynamoDB Local tests that write them straight into a table.
import { gzipSync } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

type Item = Record<string, AttributeValue>;

export interface CorruptStateItem {
  /** What is wrong, as a test name. */
  damage: string;
  /** Changes a valid item of gateway `key` into the damaged one. */
  corrupt: (item: Item, key: string) => Item;
  /** The field StateDecodeError must name. */
  field: string;
  /** A part of its problem text. */
  problem: string;
}

function without(item: Item, ...names: string[]): Item {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !names.includes(name)));
}

function gzipJson(value: unknown): AttributeValue {
  return { B: gzipSync(Buffer.from(typeof value === "string" ? value : JSON.stringify(value))) };
}

const EMPTY_APPLIED = { listeners: [], targetGroups: [], strayLoadBalancers: [] };

export const CORRUPT_STATE_ITEMS: CorruptStateItem[] = [
  {
    damage: "gatewayKey missing",
    corrupt: (i) => without(i, "gatewayKey"),
    field: "gatewayKey",
    problem: "is missing",
  },
  {
    damage: "gatewayKey a number",
    corrupt: (i) => ({ ...i, gatewayKey: { N: "7" } }),
    field: "gatewayKey",
    problem: "is N, expected a string (S)",
  },
  {
    damage: "gatewayKey not cluster/namespace/name",
    corrupt: (i) => ({ ...i, gatewayKey: { S: "default/web" } }),
    field: "gatewayKey",
    problem: "is not a cluster/namespace/name key",
  },
  {
    damage: "gatewayKey of another Gateway than its partition",
    corrupt: (i) => ({ ...i, gatewayKey: { S: "cluster-b/default/web" } }),
    field: "gatewayKey",
    problem: "does not match the item's partition key",
  },
  {
    damage: "dataPlane unknown",
    corrupt: (i) => ({ ...i, dataPlane: { S: "elb" } }),
    field: "dataPlane",
    problem: 'is "elb", expected one of alb, nlb, lattice',
  },
  { damage: "dataPlane missing", corrupt: (i) => without(i, "dataPlane"), field: "dataPlane", problem: "is missing" },
  {
    damage: "account a number",
    corrupt: (i) => ({ ...i, account: { N: "111122223333" } }),
    field: "account",
    problem: "expected a string (S)",
  },
  {
    damage: "account not 12 digits",
    corrupt: (i) => ({ ...i, account: { S: "prod" } }),
    field: "account",
    problem: "expected a 12-digit account id",
  },
  {
    damage: "region not a region name",
    corrupt: (i) => ({ ...i, region: { S: "Ireland" } }),
    field: "region",
    problem: "expected an AWS region name",
  },
  { damage: "region missing", corrupt: (i) => without(i, "region"), field: "region", problem: "is missing" },
  {
    damage: "fencingToken missing",
    corrupt: (i) => without(i, "fencingToken"),
    field: "fencingToken",
    problem: "is missing",
  },
  {
    damage: "fencingToken a string",
    corrupt: (i) => ({ ...i, fencingToken: { S: "3" } }),
    field: "fencingToken",
    problem: "is S, expected a number (N)",
  },
  {
    damage: "fencingToken a fraction",
    corrupt: (i) => ({ ...i, fencingToken: { N: "1.5" } }),
    field: "fencingToken",
    problem: "expected a non-negative integer",
  },
  {
    damage: "fencingToken zero, which no lease has",
    corrupt: (i) => ({ ...i, fencingToken: { N: "0" } }),
    field: "fencingToken",
    problem: "expected a lease token (1 or more)",
  },
  {
    damage: "appliedHash a number",
    corrupt: (i) => ({ ...i, appliedHash: { N: "1" } }),
    field: "appliedHash",
    problem: "expected a string (S)",
  },
  {
    damage: "lastDriftCheck a string",
    corrupt: (i) => ({ ...i, lastDriftCheck: { S: "yesterday" } }),
    field: "lastDriftCheck",
    problem: "expected a number (N)",
  },
  {
    damage: "lastDriftCheck negative",
    corrupt: (i) => ({ ...i, lastDriftCheck: { N: "-5" } }),
    field: "lastDriftCheck",
    problem: "expected a non-negative integer",
  },
  {
    damage: "applyingStartedAt without applyingDesiredHash",
    corrupt: (i) => ({ ...without(i, "applyingDesiredHash"), applyingStartedAt: { N: "1750000000000" } }),
    field: "applyingDesiredHash",
    problem: "is missing while applyingStartedAt is set",
  },
  {
    damage: "applyingDesiredHash without applyingStartedAt",
    corrupt: (i) => ({ ...without(i, "applyingStartedAt"), applyingDesiredHash: { S: "sha256:x" } }),
    field: "applyingStartedAt",
    problem: "is missing while applyingDesiredHash is set",
  },
  {
    damage: "lastOutcome unknown",
    corrupt: (i) => ({ ...i, lastReconcileAt: { N: "1750000000000" }, lastOutcome: { S: "exploded" } }),
    field: "lastOutcome",
    problem: 'is "exploded", expected one of applied, partial, unchanged, failed, held',
  },
  {
    damage: "lastReconcileAt without lastOutcome",
    corrupt: (i) => ({ ...without(i, "lastOutcome"), lastReconcileAt: { N: "1750000000000" } }),
    field: "lastOutcome",
    problem: "is missing while lastReconcileAt is set",
  },
  {
    damage: "lastOutcome without lastReconcileAt",
    corrupt: (i) => ({ ...without(i, "lastReconcileAt"), lastOutcome: { S: "failed" } }),
    field: "lastReconcileAt",
    problem: "is missing while lastOutcome is set",
  },
  {
    damage: "lastError without an outcome",
    corrupt: (i) => ({ ...without(i, "lastReconcileAt", "lastOutcome"), lastError: { S: "boom" } }),
    field: "lastError",
    problem: "is set while no reconcile outcome is recorded",
  },
  {
    damage: "lastError longer than a record keeps",
    corrupt: (i) => ({
      ...i,
      lastReconcileAt: { N: "1750000000000" },
      lastOutcome: { S: "failed" },
      lastError: { S: "e".repeat(1025) },
    }),
    field: "lastError",
    problem: "is longer than 1024 characters",
  },
  {
    damage: "appliedEncoding unknown",
    corrupt: (i) => ({ ...i, appliedEncoding: { S: "json+zstd" } }),
    field: "appliedEncoding",
    problem: 'is "json+zstd", the only known encoding is json+gzip',
  },
  { damage: "applied missing", corrupt: (i) => without(i, "applied"), field: "applied", problem: "is missing" },
  {
    damage: "applied a string instead of a binary",
    corrupt: (i) => ({ ...i, applied: { S: JSON.stringify(EMPTY_APPLIED) } }),
    field: "applied",
    problem: "is S, expected a binary (B)",
  },
  {
    damage: "applied truncated gzip",
    corrupt: (i) => {
      const whole = gzipJson(EMPTY_APPLIED).B ?? new Uint8Array();
      return { ...i, applied: { B: whole.subarray(0, whole.length - 6) } };
    },
    field: "applied",
    problem: "is not gzip-compressed data",
  },
  {
    damage: "applied not gzip at all",
    corrupt: (i) => ({ ...i, applied: { B: Buffer.from(JSON.stringify(EMPTY_APPLIED)) } }),
    field: "applied",
    problem: "is not gzip-compressed data",
  },
  {
    damage: "applied gzip of something other than JSON",
    corrupt: (i) => ({ ...i, applied: gzipJson("{listeners: [") }),
    field: "applied",
    problem: "is not JSON once decompressed",
  },
  {
    damage: "applied a JSON array",
    corrupt: (i) => ({ ...i, applied: gzipJson([]) }),
    field: "applied",
    problem: "is an array, expected an object",
  },
  {
    damage: "applied without listeners",
    corrupt: (i) => ({ ...i, applied: gzipJson({ targetGroups: [], strayLoadBalancers: [] }) }),
    field: "applied.listeners",
    problem: "is nothing, expected an array",
  },
  {
    damage: "applied.targetGroups an object",
    corrupt: (i) => ({ ...i, applied: gzipJson({ ...EMPTY_APPLIED, targetGroups: {} }) }),
    field: "applied.targetGroups",
    problem: "is an object, expected an array",
  },
  {
    damage: "applied.listeners holding a string",
    corrupt: (i) => ({ ...i, applied: gzipJson({ ...EMPTY_APPLIED, listeners: ["HTTP:80"] }) }),
    field: "applied.listeners[0]",
    problem: 'is "HTTP:80", expected an object',
  },
  {
    damage: "applied.strayLoadBalancers holding a number",
    corrupt: (i) => ({ ...i, applied: gzipJson({ ...EMPTY_APPLIED, strayLoadBalancers: ["arn:x", 1] }) }),
    field: "applied.strayLoadBalancers[1]",
    problem: "is number 1, expected a non-empty string",
  },
  {
    damage: "applied.loadBalancer a string",
    corrupt: (i) => ({ ...i, applied: gzipJson({ ...EMPTY_APPLIED, loadBalancer: "arn:x" }) }),
    field: "applied.loadBalancer",
    problem: 'is "arn:x", expected an object',
  },
  {
    damage: "applied.targetGroups[0].id a number",
    corrupt: (i) => ({ ...i, applied: gzipJson({ ...EMPTY_APPLIED, targetGroups: [{ id: 5 }] }) }),
    field: "applied.targetGroups[0].id",
    problem: "is number 5, expected",
  },
];
