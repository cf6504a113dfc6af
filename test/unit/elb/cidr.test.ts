/** CIDR blocks in the canonical form EC2 reads back, so the drift check compares like with like. */
import { describe, expect, it } from "vitest";
import { parseCidr } from "../../../shared/elb/cidr.ts";

describe("CIDR blocks", () => {
  it("an IPv4 block keeps its network address and prefix", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ version: 4, canonical: "10.0.0.0/8" });
    expect(parseCidr(" 192.168.1.0/24 ")).toEqual({ version: 4, canonical: "192.168.1.0/24" });
  });

  it("host bits are cleared, as EC2 stores the block", () => {
    expect(parseCidr("10.1.2.3/8")?.canonical).toBe("10.0.0.0/8");
    expect(parseCidr("172.16.255.255/12")?.canonical).toBe("172.16.0.0/12");
    expect(parseCidr("203.0.113.7/32")?.canonical).toBe("203.0.113.7/32");
    expect(parseCidr("203.0.113.7/0")?.canonical).toBe("0.0.0.0/0");
  });

  it("an IPv6 block is lower-case and compressed, with host bits cleared", () => {
    expect(parseCidr("::/0")).toEqual({ version: 6, canonical: "::/0" });
    expect(parseCidr("2001:DB8:0:0:0:0:0:1/32")?.canonical).toBe("2001:db8::/32");
    expect(parseCidr("2001:0db8:0000:0001:0000:0000:0000:0000/64")?.canonical).toBe("2001:db8:0:1::/64");
    expect(parseCidr("fe80::1:2/128")?.canonical).toBe("fe80::1:2/128");
  });

  it("the longest run of zero groups is the one compressed, a single zero group never", () => {
    expect(parseCidr("2001:db8:0:1:0:0:0:1/128")?.canonical).toBe("2001:db8:0:1::1/128");
    expect(parseCidr("2001:db8:1:0:1:1:1:1/128")?.canonical).toBe("2001:db8:1:0:1:1:1:1/128");
  });

  it("anything else is not a block", () => {
    for (const text of [
      "10.0.0.0",
      "10.0.0.0/33",
      "10.0.0/8",
      "256.0.0.0/8",
      "10.0.0.0/-1",
      "2001:db8::/129",
      "2001:db8::1::/64",
      "2001:db8:0:0:0:0:0:0:1/64",
      "::ffff:10.0.0.1/128",
      "example.com/8",
      "",
    ]) {
      expect(parseCidr(text), text).toBeUndefined();
    }
  });
});
