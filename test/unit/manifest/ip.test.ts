/**
 * The two IP syntaxes the API server applies: OpenAPI `ipv4`/`ipv6` formats (Gateway IPAddress
 * values) and CEL `isIP()` (TLSRoute hostnames).
 */
import { describe, expect, it } from "vitest";
import { isCelIP, isOpenApiIPv4, isOpenApiIPv6 } from "../../../shared/manifest/validation/ip.ts";

describe("OpenAPI ip formats", () => {
  it("accepts dotted IPv4, tolerating leading zeros", () => {
    expect(isOpenApiIPv4("10.0.0.1")).toBe(true);
    expect(isOpenApiIPv4("010.000.000.001")).toBe(true);
  });

  it("rejects short, overflowing or lettered IPv4", () => {
    for (const bad of ["1.1.1", "256.255.255.255", "1.a.3.4", "foo.com"]) expect(isOpenApiIPv4(bad)).toBe(false);
  });

  it("accepts IPv6 with one '::' and an optional trailing IPv4", () => {
    for (const good of ["::", "::1", "2001:db8::1", "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1", "1:2:3:4:5:6:7::"])
      expect(isOpenApiIPv6(good)).toBe(true);
  });

  it("rejects malformed IPv6", () => {
    for (const bad of [
      "1200:0000:::AB00:1234:0000:2552:7777:1313",
      "21DA:D3:0:2F3B:2AY:FF:FE28:9C5A",
      "2001:db8:3c4d:15:0:d234:3eee:",
      ":::1234::",
      "1:2:3:4:5:6:7:8:9",
      "fe80::1%eth0",
    ])
      expect(isOpenApiIPv6(bad)).toBe(false);
  });
});

describe("CEL isIP", () => {
  it("is true for IPv4 and IPv6", () => {
    expect(isCelIP("192.0.2.1")).toBe(true);
    expect(isCelIP("2001:db8::1")).toBe(true);
  });

  it("is false for names, leading zeros and IPv4-mapped IPv6", () => {
    for (const notIP of ["example.com", "01.2.3.4", "::ffff:1.2.3.4"]) expect(isCelIP(notIP)).toBe(false);
  });
});
