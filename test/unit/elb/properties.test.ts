/**
 * Property tests for the evaluator: glob laws checked against a reference implementation, the
 * priority law, and the arithmetic of weighted forwards.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { globMatches } from "../../../shared/elb/evaluate/glob.ts";
import { cidrContains } from "../../../shared/elb/evaluate/ip.ts";
import { conditionMatches, evaluateListener } from "../../../shared/elb/evaluate.ts";
import type { ListenerRule, RuleAction, RuleCondition } from "../../../shared/elb/rules.ts";
import { host, NOT_FOUND, path, request } from "./builders.ts";

/** Globs as regexes: the definition the matcher must agree with. */
function referenceGlob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const source = Array.from(pattern, (char) =>
    char === "*" ? "[\\s\\S]*" : char === "?" ? "[\\s\\S]" : char.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&"),
  ).join("");
  return new RegExp(`^${source}$`, caseInsensitive ? "i" : "").test(value);
}

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const hostname = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => [...labels, "com"].join("."));
const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((flips) => Array.from(text, (char, i) => (flips[i] ? char.toUpperCase() : char)).join(""));

describe("glob", () => {
  test("agrees with the regex definition of * and ?", () => {
    const alphabet = fc.constantFrom("a", "b", "A", "/", ".");
    const pattern = fc.array(fc.oneof(alphabet, fc.constantFrom("*", "?")), { maxLength: 8 }).map((cs) => cs.join(""));
    const value = fc.array(alphabet, { maxLength: 10 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(pattern, value, fc.boolean(), (p, v, caseInsensitive) => {
        expect(globMatches(p, v, { caseInsensitive })).toBe(referenceGlob(p, v, caseInsensitive));
      }),
    );
  });

  test("a host-header value without wildcards matches exactly itself, in any case", () => {
    fc.assert(
      fc.property(
        hostname.chain((name) => fc.tuple(fc.constant(name), randomCase(name))),
        hostname,
        ([name, spelled], other) => {
          expect(conditionMatches(host(name), request({ host: spelled }))).toBe(true);
          expect(conditionMatches(host(name), request({ host: other }))).toBe(name === other);
        },
      ),
    );
  });

  test("a path pattern without wildcards matches exactly itself, case included", () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_.~-]{0,6}$/);
    const urlPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => `/${segments.join("/")}`);
    fc.assert(
      fc.property(urlPath, urlPath, (pattern, actual) => {
        expect(conditionMatches(path(pattern), request({ path: actual }))).toBe(pattern === actual);
      }),
    );
  });
});

describe("priority", () => {
  const conditionPool: RuleCondition[] = [
    host("a.example.com"),
    host("*.example.com"),
    path("/api/*"),
    path("/*"),
    { field: "http-request-method", values: ["POST"] },
  ];
  const ruleArb = (priority: number): fc.Arbitrary<ListenerRule> =>
    fc.subarray(conditionPool, { maxLength: 2 }).map((conditions) => ({
      priority,
      conditions,
      actions: [{ type: "forward", targetGroups: [{ targetGroupId: `tg-${priority}`, weight: 1 }] }],
    }));
  const requestArb = fc.record({
    host: fc.constantFrom("a.example.com", "b.example.com", "example.org"),
    path: fc.constantFrom("/", "/api/x", "/web"),
    method: fc.constantFrom("GET", "POST"),
  });

  test("adding a lower-priority rule never changes the outcome of a request a rule already matched", () => {
    const rulesArb = fc
      .uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 })
      .chain((priorities) => fc.tuple(...priorities.map(ruleArb)));
    fc.assert(
      fc.property(rulesArb, ruleArb(1000), requestArb, (rules, later, fields) => {
        const req = request(fields);
        const before = evaluateListener(rules, [NOT_FOUND], req);
        fc.pre(before.rulePriority !== "default");
        expect(evaluateListener([later, ...rules], [NOT_FOUND], req)).toEqual(before);
      }),
    );
  });

  test("the order rules are given in does not matter", () => {
    const rulesArb = fc
      .uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 })
      .chain((priorities) => fc.tuple(...priorities.map(ruleArb)));
    fc.assert(
      fc.property(rulesArb, requestArb, (rules, fields) => {
        const req = request(fields);
        expect(evaluateListener([...rules].reverse(), [NOT_FOUND], req)).toEqual(
          evaluateListener(rules, [NOT_FOUND], req),
        );
      }),
    );
  });
});

describe("weighted forward", () => {
  test("shares are proportional to weights and sum to 1 unless every weight is 0", () => {
    const weights = fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(weights, (ws) => {
        const action: RuleAction = {
          type: "forward",
          targetGroups: ws.map((weight, i) => ({ targetGroupId: `tg${i}`, weight })),
        };
        const outcome = evaluateListener([], [action], request());
        const total = ws.reduce((a, b) => a + b, 0);
        if (total === 0) {
          expect(outcome).toMatchObject({ kind: "fixed-response", statusCode: 503 });
          return;
        }
        if (outcome.kind !== "forward") throw new Error(`expected a forward, got ${outcome.kind}`);
        expect(outcome.targetGroups.reduce((sum, group) => sum + group.share, 0)).toBeCloseTo(1, 9);
        for (const [i, group] of outcome.targetGroups.entries())
          expect(group.share).toBeCloseTo((ws[i] ?? 0) / total, 12);
      }),
    );
  });
});

describe("source-ip", () => {
  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join("."));

  test("a /32 block holds exactly its own address and /0 holds every IPv4 address", () => {
    fc.assert(
      fc.property(ipv4, ipv4, (a, b) => {
        expect(cidrContains(`${a}/32`, b)).toBe(a === b);
        expect(cidrContains("0.0.0.0/0", b)).toBe(true);
      }),
    );
  });
});
