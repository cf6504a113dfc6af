// Item sizes as DynamoDB counts them. Number sizes are the ones DynamoDB Local 3.1.0 charges
// (measured by the largest binary it still accepts next to each number); the other rules are the
// developer guide's ("DynamoDB item sizes and formats").
import { describe, expect, test } from "vitest";
import { itemSize } from "../../../shared/store/dynamodb/item-size.ts";

/** Size of a value alone: an item with a one-byte attribute name, minus that byte. */
function sizeOf(value: Parameters<typeof itemSize>[0][string]): number {
  return itemSize({ a: value }) - 1;
}

describe("item size", () => {
  test("a string counts its UTF-8 bytes, and so does every attribute name", () => {
    expect(itemSize({ name: { S: "abc" } })).toBe(7);
    expect(itemSize({ é: { S: "€" } })).toBe(2 + 3);
  });

  test("a binary counts its raw bytes, not its base64 form", () => {
    expect(sizeOf({ B: new Uint8Array(1000) })).toBe(1000);
  });

  test("a boolean or null counts one byte", () => {
    expect(sizeOf({ BOOL: false })).toBe(1);
    expect(sizeOf({ NULL: true })).toBe(1);
  });

  test("a map or list counts 3 bytes, plus 1 byte and the size of each element (with its name)", () => {
    expect(sizeOf({ M: {} })).toBe(3);
    expect(sizeOf({ L: [] })).toBe(3);
    expect(sizeOf({ M: { ab: { S: "xyz" } } })).toBe(3 + 1 + 2 + 3);
    expect(sizeOf({ L: [{ S: "x" }, { BOOL: true }] })).toBe(3 + (1 + 1) + (1 + 1));
  });

  test.each([
    ["0", 1],
    ["1", 2],
    ["12", 2],
    ["120", 3],
    ["1200", 2],
    ["1230", 3],
    ["12345", 4],
    ["10001", 4],
    ["1750000000000", 3],
    ["9007199254740991", 9],
    ["-1", 3],
    ["-120", 4],
    ["0.5", 2],
    ["0.05", 2],
    ["12.5", 3],
    ["123.456", 5],
    ["1e3", 2],
    ["99999999999999999999999999999999999999", 20],
  ])("the number %s counts %i bytes: one per base-100 digit pair, one more, one more if negative", (n, bytes) => {
    expect(sizeOf({ N: n })).toBe(bytes);
  });
});
