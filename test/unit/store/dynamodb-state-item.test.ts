// The state item codec: what it writes reads back exactly, and a damaged item is refused with
// StateDecodeError naming the gateway and the field, never half-read or read as `undefined`.
import { describe, expect, test } from "vitest";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { itemSize, MAX_ITEM_BYTES } from "../../../shared/store/dynamodb/item-size.ts";
import { CLAIM_HEADROOM_BYTES, decodeState, encodeState } from "../../../shared/store/dynamodb/state-item.ts";
import { MAX_LAST_ERROR_CHARS, StateDecodeError } from "../../../shared/store/state.ts";
import { CORRUPT_STATE_ITEMS } from "./corrupt-state-items.ts";
import { stateOf } from "./fixtures.ts";

const GW = clusterGatewayKey("cluster-a", "default", "web");

function refusal(read: () => unknown): StateDecodeError {
  try {
    read();
  } catch (error) {
    if (error instanceof StateDecodeError) return error;
    throw error;
  }
  throw new Error("expected StateDecodeError, the item was read");
}

describe("state item codec", () => {
  test("an encoded state decodes to the same state under the lease's token", () => {
    expect(decodeState(encodeState(stateOf(GW, "a"), GW, 7))).toEqual({ ...stateOf(GW, "a"), fencingToken: 7 });
  });

  test("optional fields left unset stay unset", () => {
    const { appliedHash, lastDriftCheck, applying, ...required } = stateOf(GW, "a");
    const decoded = decodeState(encodeState(required, GW, 1));
    expect(decoded).toStrictEqual({ ...required, fencingToken: 1 });
  });

  test("the last reconcile's time, outcome and error are three plain attributes that read back as written", () => {
    const state = {
      ...stateOf(GW, "a"),
      lastReconcile: { at: 1_750_000_000_123, outcome: "failed" as const, error: "CreateRule: ValidationError: no" },
    };
    const item = encodeState(state, GW, 4);
    expect(item).toMatchObject({
      lastReconcileAt: { N: "1750000000123" },
      lastOutcome: { S: "failed" },
      lastError: { S: "CreateRule: ValidationError: no" },
    });
    expect(decodeState(item)).toEqual({ ...state, fencingToken: 4 });
    const { error: _, ...applied } = { ...state.lastReconcile, outcome: "applied" as const };
    expect(decodeState(encodeState({ ...state, lastReconcile: applied }, GW, 4))).not.toHaveProperty(
      "lastReconcile.error",
    );
  });

  test("an error longer than the record keeps is cut on write, so it always reads back", () => {
    const state = {
      ...stateOf(GW, "a"),
      lastReconcile: { at: 1, outcome: "failed" as const, error: "é".repeat(5_000) },
    };
    const error = decodeState(encodeState(state, GW, 1)).lastReconcile?.error ?? "";
    expect(Array.from(error)).toHaveLength(MAX_LAST_ERROR_CHARS);
  });

  test("recording an outcome never makes a record too large: the headroom counts the longest error", () => {
    const withoutOutcome = itemSize(encodeState(stateOf(GW, "a"), GW, 1));
    expect(CLAIM_HEADROOM_BYTES).toBeGreaterThan(4 * MAX_LAST_ERROR_CHARS);
    expect(withoutOutcome + CLAIM_HEADROOM_BYTES).toBeLessThan(MAX_ITEM_BYTES);
  });

  test.each(CORRUPT_STATE_ITEMS)("an item with $damage is refused naming $field", ({ corrupt, field, problem }) => {
    const error = refusal(() => decodeState(corrupt(encodeState(stateOf(GW, "a"), GW, 3), GW)));
    expect(error).toMatchObject({ name: "StateDecodeError", field });
    expect(error.problem).toContain(problem);
    expect(error.message).toContain(`${field} ${error.problem}`);
  });

  test("the error names the Gateway whose partition holds the item, even when the item's own key is the damage", () => {
    const item = encodeState(stateOf(GW, "a"), GW, 3);
    expect(refusal(() => decodeState({ ...item, region: { S: "nowhere" } }))).toMatchObject({ gatewayKey: GW });
    expect(refusal(() => decodeState({ ...item, gatewayKey: { S: "Other/Key" } }))).toMatchObject({
      gatewayKey: GW,
      field: "gatewayKey",
    });
    const { gatewayKey: _, ...keyless } = item;
    expect(refusal(() => decodeState(keyless)).message).toBe(
      `state record of gateway ${GW} cannot be read: gatewayKey is missing`,
    );
  });
});
