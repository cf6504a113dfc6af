import { compareMatchUnits } from "./compare.ts";
import type { MatchUnitKey } from "./unit.ts";

/**
 * A new array of the items, highest precedence first. Keys are computed once per item. Only items
 * with equal keys (the same unit given twice) tie, and those keep their input order.
 */
export function orderByPrecedence<T>(items: readonly T[], key: (item: T) => MatchUnitKey): T[] {
  return items
    .map((item, index) => ({ item, index, key: key(item) }))
    .sort((a, b) => compareMatchUnits(a.key, b.key) || a.index - b.index)
    .map(({ item }) => item);
}
