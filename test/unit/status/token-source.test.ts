// EKS tokens are reused until shortly before they, or the credentials behind them, expire.
import { describe, expect, test } from "vitest";
import { EksTokenSource } from "../../../shared/status/writer/token-source.ts";

const START = Date.parse("2026-11-22T10:00:00Z");

function source(credentialsExpireAt?: number) {
  let now = START;
  const tokens = new EksTokenSource({
    clusterName: "prod",
    region: "eu-west-1",
    credentials: {
      accessKeyId: "AKID",
      secretAccessKey: "secret",
      ...(credentialsExpireAt === undefined ? {} : { expiration: new Date(credentialsExpireAt) }),
    },
    refreshMarginMs: 60_000,
    now: () => new Date(now),
  });
  return { tokens, advance: (ms: number) => (now += ms) };
}

describe("EKS token source", () => {
  test("reuses a token until one minute before its 15-minute lifetime ends", async () => {
    const { tokens, advance } = source();
    const first = await tokens.token();
    advance(14 * 60_000 - 1);
    expect(await tokens.token()).toBe(first);
    expect(tokens.minted).toBe(1);
    advance(1);
    expect(await tokens.token()).not.toBe(first);
    expect(tokens.minted).toBe(2);
  });

  test("mints anew before the credentials expire, even if the token would last longer", async () => {
    const { tokens, advance } = source(START + 5 * 60_000);
    const first = await tokens.token();
    advance(4 * 60_000);
    expect(await tokens.token()).not.toBe(first);
  });

  test("invalidate forces a new token", async () => {
    const { tokens, advance } = source();
    await tokens.token();
    advance(1_000);
    tokens.invalidate();
    await tokens.token();
    expect(tokens.minted).toBe(2);
  });
});
