// The state item codec: what it writes reads back exactly, and a damaged item is refused with
// StateDecodeError naming the gateway and the field, never half-read or read as `undefined`.
import { describe, expect, test } from "vitest";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { decodeState, encodeState } from "../../../shared/store/dynamodb/state-item.ts";
import { StateDecodeError } from "../../../shared/store/state.ts";
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
