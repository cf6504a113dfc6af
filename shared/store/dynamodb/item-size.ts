/**
 * DynamoDB's item size as the engine counts it (the developer guide's rules, made exact for numbers;
 * checked byte for byte against DynamoDB Local in test/integration/store-item-size.test.ts), so an
 * oversize record is refused with its size before a write instead of as an opaque
 * ValidationException after one. The in-memory store applies the same limit, so a record that fits
 * in tests fits in DynamoDB.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * "The maximum item size in DynamoDB is 400 KB", names and values included.
 * @default 409_600 bytes — DynamoDB's fixed limit (not configurable); a state record over it is
 * refused with StateTooLarge by both stores before any write.
 */
export const MAX_ITEM_BYTES = 400 * 1024;

function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function toPairs(evenDigits: string): string[] {
  return evenDigits.match(/../g) ?? [];
}

/**
 * DynamoDB stores a number as base-100 digit pairs aligned on the decimal point, without leading or
 * trailing zero pairs, plus one byte (and one more for a negative number): the developer guide's
 * "1 byte per two significant digits + 1", exact. 120 is `01|20` (3 bytes), 1200 is `12` (2).
 */
function numberSize(text: string): number {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (match === null) throw new Error(`item size: not a number: ${text}`);
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  // Move the decimal point by the exponent: value = digits[0, point) . digits[point, ...)
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const integerDigits = point <= 0 ? "" : digits.slice(0, point).padEnd(point, "0");
  const fractionDigits = point >= 0 ? digits.slice(point) : "0".repeat(-point) + digits;
  const pairs = [
    ...toPairs(integerDigits.padStart(integerDigits.length + (integerDigits.length % 2), "0")),
    ...toPairs(fractionDigits.padEnd(fractionDigits.length + (fractionDigits.length % 2), "0")),
  ];
  let first = 0;
  let end = pairs.length;
  while (first < end && pairs[first] === "00") first++;
  while (end > first && pairs[end - 1] === "00") end--;
  const pairCount = end - first;
  const negative = sign === "-" && pairCount > 0 ? 1 : 0;
  return pairCount + 1 + negative;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Length(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8Length(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.length, 0);
  // Documents: 3 bytes of overhead plus 1 byte per element.
  if (value.L !== undefined) return value.L.reduce((sum, v) => sum + 1 + valueSize(v), 3);
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce((sum, [name, v]) => sum + 1 + utf8Length(name) + valueSize(v), 3);
  }
  throw new Error(`item size: unsupported attribute value ${JSON.stringify(Object.keys(value))}`);
}

/** The size DynamoDB charges an item against the 400 KB limit, in bytes. */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8Length(name) + valueSize(value), 0);
}
