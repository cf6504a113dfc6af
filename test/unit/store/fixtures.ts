// Gateway state records for the store tests: small ones that say who wrote them, a large one the
// size of a busy Gateway, and one too large for a DynamoDB item whatever the compression.
import type { ObservedElb, ObservedListener, ObservedTargetGroup } from "../../../shared/elb/observed.ts";
import type { ClusterGatewayKey } from "../../../shared/keys.ts";
import type { GatewayState } from "../../../shared/store/state.ts";

/** A fixed epoch-ms instant; tests move time by passing later values, never by waiting. */
export const T0 = 1_750_000_000_000;
export const TTL = 30_000;

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

function lbArn(name: string): string {
  return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/${name}/50dc6c495c0c9188`;
}

/** A small record whose load balancer is named after `writer`, so a test can tell who wrote it. */
export function stateOf(gatewayKey: ClusterGatewayKey, writer: string): GatewayState {
  return {
    gatewayKey,
    dataPlane: "alb",
    account: ACCOUNT,
    region: REGION,
    appliedHash: `sha256:${writer}`,
    applied: {
      loadBalancer: {
        arn: lbArn(writer),
        name: writer,
        type: "application",
        scheme: "internet-facing",
        ipAddressType: "ipv4",
        dnsName: `${writer}.${REGION}.elb.amazonaws.com`,
        state: "active",
        subnets: ["subnet-0a", "subnet-0b"],
        securityGroups: ["sg-01"],
        attributes: { "idle_timeout.timeout_seconds": "60" },
      },
      listeners: [],
      targetGroups: [],
      strayLoadBalancers: [],
    },
    lastDriftCheck: T0 - 60_000,
    applying: { startedAt: T0 - 1_000, desiredHash: `sha256:${writer}-next` },
    fencingToken: 0,
  };
}

/** Who wrote a record made by `stateOf`. */
export function writerOf(state: GatewayState | undefined): string | undefined {
  return state?.applied.loadBalancer?.name;
}

/** A deterministic pseudo-random hex source (xorshift32), so the oversize record never compresses. */
function hexNoise(seed: number): () => string {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x.toString(16).padStart(8, "0");
  };
}

function targetGroup(index: number, targets: number, id: (t: number) => string): ObservedTargetGroup {
  return {
    id: `tg-${index}`,
    arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/k8s-tg-${index}/73e2d6bc24d8a067`,
    name: `k8s-default-svc${index}-8080`,
    protocol: "HTTP",
    protocolVersion: "HTTP1",
    port: 8080,
    healthCheck: {
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: "/healthz",
      intervalSeconds: 15,
      timeoutSeconds: 5,
      healthyThresholdCount: 3,
      unhealthyThresholdCount: 3,
      matcher: { httpCode: "200-399" },
    },
    attributes: { "deregistration_delay.timeout_seconds": "30", "stickiness.enabled": "false" },
    targets: Array.from({ length: targets }, (_, t) => ({
      id: id(t),
      port: 8080,
      availabilityZone: `${REGION}${"abc"[t % 3]}`,
    })),
  };
}

function listener(port: number, rules: number, targetGroups: number): ObservedListener {
  return {
    id: `HTTPS:${port}`,
    arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/big/50dc6c495c0c9188/${port}`,
    port,
    protocol: "HTTPS",
    certificates: { arns: [`arn:aws:acm:${REGION}:${ACCOUNT}:certificate/${port}`], pendingSecrets: [] },
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    defaultActions: [{ type: "fixed-response", statusCode: "404", contentType: "text/plain", messageBody: "none" }],
    rules: Array.from({ length: rules }, (_, r) => ({
      arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/big/50dc6c495c0c9188/${port}/${r}`,
      priority: r + 1,
      conditions: [
        { field: "host-header" as const, values: [`svc-${r}.example.com`] },
        { field: "path-pattern" as const, values: [`/api/v${r % 4}/*`] },
        { field: "http-header" as const, headerName: "x-tenant", values: [`tenant-${r % 17}`] },
      ],
      actions: [
        {
          type: "forward" as const,
          targetGroups: [
            { targetGroupId: `tg-${r % targetGroups}`, weight: 90 },
            { targetGroupId: `tg-${(r + 1) % targetGroups}`, weight: 10 },
          ],
        },
      ],
      transforms: [{ type: "url-rewrite" as const, rewrites: [{ regex: "^/api/(.*)$", replace: "/$1" }] }],
    })),
  };
}

/** A busy Gateway: 2 listeners × 250 rules, 40 target groups × 125 targets (5,000 targets). */
export function largeStateOf(gatewayKey: ClusterGatewayKey): GatewayState {
  const applied: ObservedElb = {
    loadBalancer: stateOf(gatewayKey, "big").applied.loadBalancer,
    listeners: [listener(443, 250, 40), listener(8443, 250, 40)],
    targetGroups: Array.from({ length: 40 }, (_, g) =>
      targetGroup(g, 125, (t) => `10.${g}.${Math.floor(t / 250)}.${t % 250}`),
    ),
    strayLoadBalancers: [lbArn("old-1"), lbArn("old-2")],
  };
  return { ...stateOf(gatewayKey, "big"), applied };
}

/** Targets with random ids: over 400 KB even gzip-compressed. */
export function oversizeStateOf(gatewayKey: ClusterGatewayKey): GatewayState {
  const noise = hexNoise(42);
  const applied: ObservedElb = {
    listeners: [],
    targetGroups: Array.from({ length: 12 }, (_, g) => targetGroup(g, 4_000, () => `i-${noise()}${noise()}`)),
    strayLoadBalancers: [],
  };
  return { ...stateOf(gatewayKey, "oversize"), applied };
}
