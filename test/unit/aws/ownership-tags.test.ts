import { describe, expect, it } from "vitest";
import {
  boundedTag,
  ownershipTags,
  TAG,
  TAG_KEY_LIMIT,
  TAG_VALUE_LIMIT,
  taggedOwner,
  tagValue,
} from "../../../shared/elb/naming.ts";

const longGateway = (last: string) => `${"n".repeat(63)}/${"g".repeat(188)}${last}`;

describe("ownership tags within AWS's limits", () => {
  it("leaves a value that fits unchanged", () => {
    expect(tagValue("apps/web")).toBe("apps/web");
    expect(tagValue("x".repeat(TAG_VALUE_LIMIT))).toBe("x".repeat(TAG_VALUE_LIMIT));
  });

  it("shortens a 253-character Gateway key to 256 characters with a readable prefix", () => {
    const key = `${longGateway("a")}${"z".repeat(10)}`;
    const tags = ownershipTags(`cluster-${"c".repeat(300)}`, key, "load-balancer");
    for (const [k, v] of Object.entries(tags)) {
      expect(k.length).toBeLessThanOrEqual(TAG_KEY_LIMIT);
      expect(v.length).toBeLessThanOrEqual(TAG_VALUE_LIMIT);
      expect(v).toMatch(/^[\w.:/=+\-@ ]*$/);
    }
    expect(tags[TAG.gateway]?.startsWith(key.slice(0, 200))).toBe(true);
  });

  it("keeps two long names that differ only in their last character apart", () => {
    const a = `${longGateway("a")}${"z".repeat(10)}`;
    const b = `${longGateway("b")}${"z".repeat(10)}`.slice(0, -1).concat("y");
    expect(a.length).toBeGreaterThan(TAG_VALUE_LIMIT);
    expect(tagValue(a)).not.toBe(tagValue(b));
    expect(tagValue(`${a}1`)).not.toBe(tagValue(`${a}2`));
  });

  it("is stable: shortening a shortened value changes nothing", () => {
    const v = tagValue("v".repeat(400));
    expect(tagValue(v)).toBe(v);
    expect(boundedTag("k".repeat(200), TAG_KEY_LIMIT)).toHaveLength(TAG_KEY_LIMIT);
  });
});

describe("whose a resource is, from its tags", () => {
  const tags = (entries: Record<string, string>) => Object.entries(entries).map(([Key, Value]) => ({ Key, Value }));

  it("names the Gateway switchyard's ownership tags carry", () => {
    const owner = taggedOwner(
      tags({ [TAG.managedBy]: "switchyard", [TAG.cluster]: "east", [TAG.gateway]: "apps/web" }),
    );
    expect(owner).toEqual({ key: "east/apps/web" });
  });

  it("is nobody's without the managed-by tag, or with another manager's", () => {
    expect(taggedOwner(tags({ [TAG.cluster]: "east", [TAG.gateway]: "apps/web" }))).toBeUndefined();
    expect(
      taggedOwner(tags({ [TAG.managedBy]: "someone", [TAG.cluster]: "east", [TAG.gateway]: "apps/web" })),
    ).toBeUndefined();
    expect(taggedOwner(tags({ [TAG.managedBy]: "switchyard", [TAG.gateway]: "apps/web" }))).toBeUndefined();
  });

  it("returns a shortened Gateway value as text: no Gateway can be named from it", () => {
    const value = tagValue(`${longGateway("a")}${"z".repeat(10)}`);
    const owner = taggedOwner(tags({ [TAG.managedBy]: "switchyard", [TAG.cluster]: "east", [TAG.gateway]: value }));
    expect(owner).toEqual({ shortened: `east/${value}` });
  });
});
