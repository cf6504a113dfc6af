/**
 * Listener evaluation: rule order, the default rule, and how actions become an outcome. Tests
 * marked with a page title take their example from that AWS documentation page.
 */
import { describe, expect, test } from "vitest";
import { type AlbOutcome, evaluateListener, MalformedRuleActions } from "../../../shared/elb/evaluate.ts";
import type { RuleAction } from "../../../shared/elb/rules.ts";
import { forwardTo, host, method, NOT_FOUND, path, request, rule } from "./builders.ts";

/** The outcome and every outcome it wraps, outermost first, as [kind, rulePriority]. */
function chain(outcome: AlbOutcome): [AlbOutcome["kind"], AlbOutcome["rulePriority"]][] {
  const links: [AlbOutcome["kind"], AlbOutcome["rulePriority"]][] = [[outcome.kind, outcome.rulePriority]];
  return outcome.kind === "authenticate" ? [...links, ...chain(outcome.then)] : links;
}

const authenticate: RuleAction = { type: "authenticate-oidc", config: { issuer: "https://idp.example.com" } };

describe("rule order", () => {
  // Listener rules for your Application Load Balancer: evaluated from the lowest priority value
  test("the lowest priority value wins among matching rules", () => {
    const rules = [rule(20, [path("/*")]), rule(10, [path("/api/*")])];
    const outcome = evaluateListener(rules, [NOT_FOUND], request({ path: "/api/x" }));
    expect(outcome).toMatchObject({ kind: "forward", rulePriority: 10 });
  });

  test("a non-matching rule is skipped for the next one", () => {
    const rules = [rule(1, [path("/api/*")]), rule(2, [path("/*")])];
    expect(evaluateListener(rules, [NOT_FOUND], request({ path: "/web" }))).toMatchObject({ rulePriority: 2 });
  });

  // Listener rules for your Application Load Balancer: the default rule is evaluated last
  test("the default actions apply when no rule matches", () => {
    const outcome = evaluateListener([rule(1, [path("/api/*")])], [NOT_FOUND], request({ path: "/web" }));
    expect(outcome).toEqual({
      kind: "fixed-response",
      rulePriority: "default",
      statusCode: 404,
      contentType: "text/plain",
    });
  });

  test("all conditions of a rule must hold", () => {
    const rules = [rule(1, [host("api.example.com"), method("POST")])];
    expect(evaluateListener(rules, [NOT_FOUND], request({ host: "api.example.com", method: "GET" }))).toMatchObject({
      rulePriority: "default",
    });
    expect(evaluateListener(rules, [NOT_FOUND], request({ host: "api.example.com", method: "POST" }))).toMatchObject({
      rulePriority: 1,
    });
  });

  test("a rule without conditions matches every request", () => {
    expect(evaluateListener([rule(5, [])], [NOT_FOUND], request({ path: "/anything" }))).toMatchObject({
      rulePriority: 5,
    });
  });
});

describe("actions", () => {
  // Listeners for Your Application Load Balancers (ALB user guide, "Fixed-Response Actions")
  test("a fixed response returns its status, content type and body", () => {
    const hello: RuleAction = {
      type: "fixed-response",
      statusCode: "200",
      contentType: "text/plain",
      messageBody: "Hello world",
    };
    expect(evaluateListener([rule(1, [], [hello])], [NOT_FOUND], request())).toEqual({
      kind: "fixed-response",
      rulePriority: 1,
      statusCode: 200,
      contentType: "text/plain",
      body: "Hello world",
    });
  });

  // Listeners for Your Application Load Balancers (ALB user guide, "Path Conditions")
  test("a path pattern routes the request without altering it", () => {
    const outcome = evaluateListener([rule(1, [path("/img/*")])], [NOT_FOUND], request({ path: "/img/picture.jpg" }));
    expect(outcome).toMatchObject({ kind: "forward", request: { host: "example.com", path: "/img/picture.jpg" } });
  });

  test("the forwarded request keeps the query string", () => {
    const outcome = evaluateListener([rule(1, [])], [NOT_FOUND], request({ path: "/s", query: "q=1" }));
    expect(outcome).toMatchObject({ request: { path: "/s", query: "q=1" } });
  });

  // Action types for listener rules: authenticate actions run before the routing action
  test("an authenticate action wraps the routing action", () => {
    const outcome = evaluateListener([rule(3, [], [authenticate, forwardTo("app")])], [NOT_FOUND], request());
    expect(chain(outcome)).toEqual([
      ["authenticate", 3],
      ["forward", 3],
    ]);
  });

  test("several authenticate actions nest in order", () => {
    const jwt: RuleAction = { type: "jwt-validation", config: {} };
    const outcome = evaluateListener([rule(3, [], [authenticate, jwt, NOT_FOUND])], [NOT_FOUND], request());
    expect(chain(outcome).map(([kind]) => kind)).toEqual(["authenticate", "authenticate", "fixed-response"]);
  });

  test("default actions may authenticate too", () => {
    expect(evaluateListener([], [authenticate, NOT_FOUND], request())).toMatchObject({
      kind: "authenticate",
      rulePriority: "default",
    });
  });

  // Action types for listener rules: exactly one routing action, and it is the last
  test("actions without a routing action last are refused", () => {
    expect(() => evaluateListener([rule(1, [], [NOT_FOUND, authenticate])], [NOT_FOUND], request())).toThrow(
      MalformedRuleActions,
    );
    expect(() => evaluateListener([], [], request())).toThrow(MalformedRuleActions);
  });

  test("a routing action before another routing action is refused", () => {
    expect(() => evaluateListener([rule(1, [], [NOT_FOUND, forwardTo("a")])], [NOT_FOUND], request())).toThrow(
      MalformedRuleActions,
    );
  });
});

describe("weighted forward", () => {
  test("each target group's share is its weight over the sum of weights", () => {
    const action: RuleAction = {
      type: "forward",
      targetGroups: [
        { targetGroupId: "blue", weight: 3 },
        { targetGroupId: "green", weight: 1 },
      ],
    };
    expect(evaluateListener([rule(1, [], [action])], [NOT_FOUND], request())).toMatchObject({
      targetGroups: [
        { targetGroupId: "blue", weight: 3, share: 0.75 },
        { targetGroupId: "green", weight: 1, share: 0.25 },
      ],
    });
  });

  // AWS::ElasticLoadBalancingV2::ListenerRule ForwardConfig: equal weights of 1 split 50/50
  test("equal weights split traffic evenly", () => {
    const outcome = evaluateListener([rule(1, [], [forwardTo("tg1", "tg2")])], [NOT_FOUND], request());
    expect(outcome).toMatchObject({ targetGroups: [{ share: 0.5 }, { share: 0.5 }] });
  });

  // TargetGroupTuple: the weight range is 0 to 999
  test("a target group of weight 0 gets no traffic", () => {
    const action: RuleAction = {
      type: "forward",
      targetGroups: [
        { targetGroupId: "live", weight: 999 },
        { targetGroupId: "drained", weight: 0 },
      ],
    };
    expect(evaluateListener([rule(1, [], [action])], [NOT_FOUND], request())).toMatchObject({
      targetGroups: [{ share: 1 }, { share: 0 }],
    });
  });

  test("all weights 0 means nowhere to forward: 503", () => {
    const action: RuleAction = {
      type: "forward",
      targetGroups: [
        { targetGroupId: "a", weight: 0 },
        { targetGroupId: "b", weight: 0 },
      ],
    };
    expect(evaluateListener([rule(7, [], [action])], [NOT_FOUND], request())).toEqual({
      kind: "fixed-response",
      rulePriority: 7,
      statusCode: 503,
    });
  });
});
