// Target groups (Create/Get/List/Update/Delete) and their targets (Register/Deregister/List).
// A target group is CREATE_IN_PROGRESS, then ACTIVE; it takes no targets or updates before, and
// cannot be deleted while a listener or rule forwards to it. Its config is checked per type (a
// LAMBDA group takes no port, protocol, VPC or health check; an ALB group no health check).
// Targets start INITIAL (or UNUSED while no service forwards to the group, UNAVAILABLE without
// health checks), turn HEALTHY after `asyncSteps` ticks, and drain for as long when deregistered.
import { isIPv4, isIPv6 } from "node:net";
import { RESOURCE_TYPE } from "../arns.ts";
import {
  idempotent,
  type OperationContext,
  type OperationSpec,
  type Output,
  paginate,
  requireActive,
  resolve,
} from "../context.ts";
import { conflict, type LatticeError, quotaExceeded, validation } from "../errors.ts";
import { type Fields, namePattern } from "../input.ts";
import {
  HEALTH_CHECK_PROTOCOL_VERSIONS,
  type HealthCheckConfig,
  IP_ADDRESS_TYPES,
  LAMBDA_EVENT_STRUCTURE_VERSIONS,
  type RegisteredTarget,
  TARGET_GROUP_PROTOCOL_VERSIONS,
  TARGET_GROUP_PROTOCOLS,
  TARGET_GROUP_TYPES,
  type TargetGroup,
  type TargetGroupConfig,
  type TargetGroupType,
  type TargetStatus,
} from "../model.ts";
import { servicesUsing } from "../references.ts";
import { QUOTAS } from "../state.ts";

const NAME = { min: 3, max: 128, pattern: namePattern("tg-") };
const VPC_ID = { min: 5, max: 50, pattern: /^vpc-(([0-9a-z]{8})|([0-9a-z]{17}))$/ };
const DEFAULT_PORT: Record<string, number> = { HTTP: 80, HTTPS: 443 };
const HEALTH_PATH = { max: 2048, pattern: /^(\/[a-zA-Z0-9@:%_+.~#?&/=-]*)?$/ };
const HTTP_CODE = { max: 2000, pattern: /^[0-9-,]*$/ };

function readHealthCheck(fields: Fields): HealthCheckConfig {
  const check: HealthCheckConfig = {};
  const set = <K extends keyof HealthCheckConfig>(key: K, value: HealthCheckConfig[K] | undefined): void => {
    if (value !== undefined) check[key] = value;
  };
  set("enabled", fields.boolean("enabled"));
  set("protocol", fields.string("protocol", { enum: TARGET_GROUP_PROTOCOLS }));
  set("protocolVersion", fields.string("protocolVersion", { enum: HEALTH_CHECK_PROTOCOL_VERSIONS }));
  set("port", fields.integer("port", { min: 0, max: 65535 }));
  set("path", fields.string("path", HEALTH_PATH));
  // The model allows 0; the documented ranges are 5-300, 1-120 and 2-10.
  set("healthCheckIntervalSeconds", fields.integer("healthCheckIntervalSeconds", { min: 5, max: 300 }));
  set("healthCheckTimeoutSeconds", fields.integer("healthCheckTimeoutSeconds", { min: 1, max: 120 }));
  set("healthyThresholdCount", fields.integer("healthyThresholdCount", { min: 2, max: 10 }));
  set("unhealthyThresholdCount", fields.integer("unhealthyThresholdCount", { min: 2, max: 10 }));
  const matcher = fields.object("matcher");
  if (matcher !== undefined) {
    matcher.union(["httpCode"] as const);
    check.matcher = { httpCode: matcher.requireString("httpCode", HTTP_CODE) };
  }
  return check;
}

/** The documented health check defaults: on for HTTP and HTTPS groups, off for TCP. */
function defaultHealthCheck(protocol: string): HealthCheckConfig {
  if (protocol === "TCP") return { enabled: false };
  return {
    enabled: true,
    protocol,
    protocolVersion: "HTTP1",
    path: "/",
    healthCheckIntervalSeconds: 30,
    healthCheckTimeoutSeconds: 5,
    healthyThresholdCount: 5,
    unhealthyThresholdCount: 2,
    matcher: { httpCode: "200" },
  };
}

function notFor(type: TargetGroupType, path: string): LatticeError {
  return validation(`${path} is not supported for ${type} target groups`, [
    { name: path, message: `is not supported for ${type} target groups` },
  ]);
}

function readConfig(type: TargetGroupType, fields: Fields | undefined): TargetGroupConfig {
  if (type === "LAMBDA") {
    for (const member of ["port", "protocol", "protocolVersion", "ipAddressType", "vpcIdentifier", "healthCheck"]) {
      if (fields?.has(member)) throw notFor(type, `config.${member}`);
    }
    return {
      lambdaEventStructureVersion:
        fields?.string("lambdaEventStructureVersion", { enum: LAMBDA_EVENT_STRUCTURE_VERSIONS }) ?? "V1",
    };
  }
  if (fields === undefined) {
    throw validation(`config is required for ${type} target groups`, [{ name: "config", message: "is required" }]);
  }
  if (fields.has("lambdaEventStructureVersion")) throw notFor(type, "config.lambdaEventStructureVersion");
  const protocol = fields.requireString("protocol", { enum: TARGET_GROUP_PROTOCOLS });
  if (type === "ALB" && protocol === "TCP") throw notFor(type, "config.protocol TCP");
  const port = fields.integer("port", { min: 1, max: 65535 }) ?? DEFAULT_PORT[protocol];
  if (port === undefined) {
    throw validation("config.port is required for TCP target groups", [
      { name: "config.port", message: "is required" },
    ]);
  }
  const config: TargetGroupConfig = {
    port,
    protocol,
    vpcIdentifier: fields.requireString("vpcIdentifier", VPC_ID),
  };
  const version = fields.string("protocolVersion", { enum: TARGET_GROUP_PROTOCOL_VERSIONS });
  if (protocol === "TCP") {
    if (version !== undefined) throw notFor(type, "config.protocolVersion with protocol TCP");
  } else {
    config.protocolVersion = version ?? "HTTP1";
  }
  const ipAddressType = fields.string("ipAddressType", { enum: IP_ADDRESS_TYPES });
  if (type === "IP") config.ipAddressType = ipAddressType ?? "IPV4";
  else if (ipAddressType !== undefined) throw notFor(type, "config.ipAddressType");
  const healthCheck = fields.object("healthCheck");
  if (type === "ALB") {
    if (healthCheck !== undefined) throw notFor(type, "config.healthCheck");
  } else {
    config.healthCheck = { ...defaultHealthCheck(protocol), ...(healthCheck && readHealthCheck(healthCheck)) };
  }
  return config;
}

function created(group: TargetGroup): Output {
  return {
    id: group.id,
    arn: group.arn,
    name: group.name,
    type: group.type,
    config: group.config,
    status: group.status,
  };
}

function groupOf(ctx: OperationContext, input: Fields): TargetGroup {
  return resolve(ctx, "targetGroup", input.requireString("targetGroupIdentifier"), "targetGroupIdentifier", "owner");
}

function create(ctx: OperationContext, input: Fields): Output {
  const { state, caller } = ctx;
  const name = input.requireString("name", NAME);
  const type = input.requireString("type", { enum: TARGET_GROUP_TYPES }) as TargetGroupType;
  const config = readConfig(type, input.object("config"));
  const tags = input.tags("tags");
  return idempotent(
    ctx,
    input,
    (arn) => {
      const group = state.byArn(arn);
      return group?.kind === "targetGroup" ? created(group) : undefined;
    },
    () => {
      const own = state.all("targetGroup").filter((g) => g.account === caller.account && g.region === caller.region);
      const existing = own.find((g) => g.name === name);
      if (existing !== undefined) {
        throw conflict(`A target group named ${name} already exists`, RESOURCE_TYPE.targetGroup, existing.id);
      }
      const limit = state.config.quotas.targetGroupsPerRegion;
      if (own.length >= limit) throw quotaExceeded(QUOTAS.targetGroupsPerRegion, limit);
      const group = state.add<TargetGroup>({
        ...state.base("targetGroup", caller.account, caller.region, tags),
        kind: "targetGroup",
        name,
        type,
        config,
        targets: new Map(),
        status: "CREATE_IN_PROGRESS",
      });
      state.startTransition(group, "CREATE_IN_PROGRESS", "ACTIVE");
      return { arn: group.arn, response: created(group) };
    },
  );
}

function get(ctx: OperationContext, input: Fields): Output {
  const group = groupOf(ctx, input);
  return {
    ...created(group),
    createdAt: group.createdAt,
    lastUpdatedAt: group.lastUpdatedAt,
    serviceArns: servicesUsing(ctx.state, group.id),
  };
}

function list(ctx: OperationContext, input: Fields): Output {
  const { state, caller } = ctx;
  const vpcIdentifier = input.string("vpcIdentifier", VPC_ID);
  const targetGroupType = input.string("targetGroupType", { enum: TARGET_GROUP_TYPES });
  const groups = state
    .all("targetGroup")
    .filter(
      (group) =>
        group.account === caller.account &&
        group.region === caller.region &&
        (vpcIdentifier === undefined || group.config.vpcIdentifier === vpcIdentifier) &&
        (targetGroupType === undefined || group.type === targetGroupType),
    );
  const { page, nextToken } = paginate(ctx, input, groups);
  return {
    items: page.map((group) => ({
      id: group.id,
      arn: group.arn,
      name: group.name,
      type: group.type,
      createdAt: group.createdAt,
      lastUpdatedAt: group.lastUpdatedAt,
      port: group.config.port,
      protocol: group.config.protocol,
      ipAddressType: group.config.ipAddressType,
      vpcIdentifier: group.config.vpcIdentifier,
      lambdaEventStructureVersion: group.config.lambdaEventStructureVersion,
      status: group.status,
      serviceArns: servicesUsing(state, group.id),
    })),
    nextToken,
  };
}

function update(ctx: OperationContext, input: Fields): Output {
  const group = groupOf(ctx, input);
  const change = readHealthCheck(input.requireObject("healthCheck"));
  if (group.type === "LAMBDA" || group.type === "ALB") throw notFor(group.type, "healthCheck");
  requireActive(group, "update");
  group.config.healthCheck = { ...group.config.healthCheck, ...change };
  ctx.state.touch(group);
  return created(group);
}

function remove(ctx: OperationContext, input: Fields): Output {
  const group = groupOf(ctx, input);
  if (group.status !== "DELETE_IN_PROGRESS") {
    requireActive(group, "delete");
    const services = servicesUsing(ctx.state, group.id);
    if (services.length > 0) {
      throw conflict(
        `Target group ${group.id} is used by a listener or rule of ${services.join(", ")}`,
        RESOURCE_TYPE.targetGroup,
        group.id,
      );
    }
    ctx.state.startTransition(group, "DELETE_IN_PROGRESS", "DELETED");
  }
  return { id: group.id, arn: group.arn, status: "DELETE_IN_PROGRESS" };
}

interface TargetInput {
  id: string;
  port?: number;
}

function readTargets(input: Fields, name: string, max: number, required: boolean): TargetInput[] | undefined {
  return input.objects(name, { min: required ? 1 : 0, max }, required)?.map((fields) => {
    const port = fields.integer("port", { min: 1, max: 65535 });
    const id = fields.requireString("id", { min: 1, max: 200 });
    return port === undefined ? { id } : { id, port };
  });
}

function keyOf(id: string, port: number | undefined): string {
  return `${id}:${port ?? ""}`;
}

/** Why `target` cannot join `group`, or undefined if it can. */
function targetProblem(group: TargetGroup, target: TargetInput): string | undefined {
  switch (group.type) {
    case "IP":
      if (group.config.ipAddressType === "IPV6" ? !isIPv6(target.id) : !isIPv4(target.id)) {
        return `${target.id} is not an ${group.config.ipAddressType} address`;
      }
      return undefined;
    case "INSTANCE":
      return /^i-[0-9a-f]{8,17}$/.test(target.id) ? undefined : `${target.id} is not an instance id`;
    case "LAMBDA":
      if (target.port !== undefined) return "A Lambda target takes no port";
      return /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^/]+$/.test(target.id)
        ? undefined
        : `${target.id} is not a Lambda function ARN`;
    case "ALB":
      return /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[^/]+\/[0-9a-f]+$/.test(
        target.id,
      )
        ? undefined
        : `${target.id} is not an Application Load Balancer ARN`;
  }
}

function register(ctx: OperationContext, input: Fields): Output {
  const { state } = ctx;
  const group = groupOf(ctx, input);
  const targets = readTargets(input, "targets", 100, true) ?? [];
  requireActive(group, "register targets with");
  const successful: Output[] = [];
  const unsuccessful: Output[] = [];
  const accepted: { key: string; id: string; port: number | undefined }[] = [];
  for (const target of targets) {
    const port = group.type === "LAMBDA" ? undefined : (target.port ?? group.config.port);
    const problem = targetProblem(group, target);
    const lambdaTaken =
      group.type === "LAMBDA" && [...group.targets.values(), ...accepted].some((other) => other.id !== target.id);
    if (problem !== undefined || lambdaTaken) {
      unsuccessful.push({
        id: target.id,
        port: target.port,
        failureCode: "ValidationException",
        failureMessage: problem ?? "A Lambda target group takes a single target",
      });
      continue;
    }
    accepted.push({ key: keyOf(target.id, port), id: target.id, port });
  }
  const live = [...group.targets.entries()].filter(([, target]) => target.drainsAt === undefined).map(([key]) => key);
  const after = new Set([...live, ...accepted.map((target) => target.key)]);
  const limit = state.config.quotas.targetsPerTargetGroup;
  if (after.size > limit) throw quotaExceeded(QUOTAS.targetsPerTargetGroup, limit, group.id);
  for (const target of accepted) {
    const known = group.targets.get(target.key);
    if (known === undefined || known.drainsAt !== undefined) {
      const record: RegisteredTarget = { id: target.id, seq: state.nextSeq(), registeredAt: state.clock };
      if (target.port !== undefined) record.port = target.port;
      group.targets.set(target.key, record);
    }
    successful.push(target.port === undefined ? { id: target.id } : { id: target.id, port: target.port });
  }
  return { successful, unsuccessful };
}

function deregister(ctx: OperationContext, input: Fields): Output {
  const { state } = ctx;
  const group = groupOf(ctx, input);
  const targets = readTargets(input, "targets", 100, true) ?? [];
  requireActive(group, "deregister targets from");
  const successful: Output[] = [];
  for (const target of targets) {
    const port = group.type === "LAMBDA" ? undefined : (target.port ?? group.config.port);
    const key = keyOf(target.id, port);
    const known = group.targets.get(key);
    if (known !== undefined && known.drainsAt === undefined) {
      if (state.config.asyncSteps <= 0) group.targets.delete(key);
      else known.drainsAt = state.clock + state.config.asyncSteps;
    }
    successful.push(port === undefined ? { id: target.id } : { id: target.id, port });
  }
  return { successful, unsuccessful: [] };
}

function targetStatus(ctx: OperationContext, group: TargetGroup, target: RegisteredTarget): TargetStatus {
  if (target.drainsAt !== undefined) return "DRAINING";
  if (target.health !== undefined) return target.health;
  if (servicesUsing(ctx.state, group.id).length === 0) return "UNUSED";
  if (group.config.healthCheck?.enabled !== true) return "UNAVAILABLE";
  return ctx.state.clock < target.registeredAt + ctx.state.config.asyncSteps ? "INITIAL" : "HEALTHY";
}

function listTargets(ctx: OperationContext, input: Fields): Output {
  const group = groupOf(ctx, input);
  const filter = readTargets(input, "targets", 20, false);
  const matches = (target: RegisteredTarget): boolean =>
    filter === undefined ||
    filter.length === 0 ||
    filter.some((wanted) => wanted.id === target.id && (wanted.port === undefined || wanted.port === target.port));
  const { page, nextToken } = paginate(ctx, input, [...group.targets.values()].filter(matches));
  return {
    items: page.map((target) => ({ id: target.id, port: target.port, status: targetStatus(ctx, group, target) })),
    nextToken,
  };
}

const ITEM = "/targetgroups/{targetGroupIdentifier}";

export const TARGET_GROUP_OPERATIONS: OperationSpec[] = [
  { name: "CreateTargetGroup", method: "POST", path: "/targetgroups", status: 201, handler: create },
  { name: "GetTargetGroup", method: "GET", path: ITEM, status: 200, handler: get },
  {
    name: "ListTargetGroups",
    method: "GET",
    path: "/targetgroups",
    status: 200,
    query: { maxResults: "integer", nextToken: "string", vpcIdentifier: "string", targetGroupType: "string" },
    handler: list,
  },
  { name: "UpdateTargetGroup", method: "PATCH", path: ITEM, status: 200, handler: update },
  { name: "DeleteTargetGroup", method: "DELETE", path: ITEM, status: 200, handler: remove },
  { name: "RegisterTargets", method: "POST", path: `${ITEM}/registertargets`, status: 200, handler: register },
  { name: "DeregisterTargets", method: "POST", path: `${ITEM}/deregistertargets`, status: 200, handler: deregister },
  {
    name: "ListTargets",
    method: "POST",
    path: `${ITEM}/listtargets`,
    status: 200,
    query: { maxResults: "integer", nextToken: "string" },
    handler: listTargets,
  },
];
