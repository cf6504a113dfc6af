// What every operation gets and shares: the caller's account and region, the state, identifier
// resolution with ownership and RAM sharing, pagination tokens and client-token idempotency.
import { identifierPattern, isArn, parseArn, RESOURCE_TYPE } from "./arns.ts";
import { accessDenied, conflict, LatticeError, notFound, validation } from "./errors.ts";
import type { Fields } from "./input.ts";
import type { LatticeResource, ResourceKind, ResourceOf } from "./model.ts";
import type { LatticeState } from "./state.ts";

export interface Caller {
  account: string;
  region: string;
}

export interface OperationContext {
  state: LatticeState;
  caller: Caller;
  operation: string;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type QueryType = "string" | "integer" | "boolean" | "list";

export type Output = Record<string, unknown>;

/** One API operation: its HTTP binding (from the SDK's model) and its logic. */
export interface OperationSpec {
  name: string;
  method: HttpMethod;
  /** URI template with `{label}` segments, e.g. `/services/{serviceIdentifier}/listeners`. */
  path: string;
  /** HTTP status of a success. */
  status: number;
  query?: Record<string, QueryType>;
  handler(ctx: OperationContext, input: Fields): Output;
}

/**
 * Who may use a resource. "owner": its own account only (update, delete, tags, policies).
 * "participant": also, for an association, the owners of its service network and service (they
 * may read and delete it). "visible": also accounts the resource is RAM-shared with (read it, or
 * associate with it).
 */
export type Access = "owner" | "participant" | "visible";

function isAssociation(resource: LatticeResource): boolean {
  return resource.kind === "serviceNetworkServiceAssociation" || resource.kind === "serviceNetworkVpcAssociation";
}

/** Accounts on either side of an association: its creator and the service network's and service's owners. */
function participants(state: LatticeState, resource: LatticeResource): string[] {
  const owners = [resource.account];
  if (resource.kind === "serviceNetworkServiceAssociation" || resource.kind === "serviceNetworkVpcAssociation") {
    const network = state.byArn(resource.serviceNetworkArn);
    if (network !== undefined) owners.push(network.account);
  }
  if (resource.kind === "serviceNetworkServiceAssociation") {
    const service = state.byArn(resource.serviceArn);
    if (service !== undefined) owners.push(service.account);
  }
  return owners;
}

export function mayUse(ctx: OperationContext, resource: LatticeResource, access: Access): boolean {
  const { account } = ctx.caller;
  if (resource.account === account) return true;
  if (access === "owner") return false;
  if (isAssociation(resource) && participants(ctx.state, resource).includes(account)) return true;
  return access === "visible" && ctx.state.sharedWith(resource.arn, account);
}

/**
 * The resource an identifier member names (id or ARN), checked against the API model's pattern.
 * An ARN in another account that the caller may not use is AccessDenied, as IAM decides before
 * the lookup; an unknown id is ResourceNotFound, and so is an id of another account's resource
 * (cross-account resources must be named by ARN), except for associations, which both sides see.
 */
export function resolve<K extends ResourceKind>(
  ctx: OperationContext,
  kind: K,
  identifier: string,
  path: string,
  access: Access,
): ResourceOf<K> {
  if (!identifierPattern(kind).test(identifier)) {
    throw validation(`Invalid ${path}: ${identifier}`, [
      { name: path, message: `must be the id or ARN of a ${RESOURCE_TYPE[kind].toLowerCase()}` },
    ]);
  }
  const { state, caller } = ctx;
  const resource = isArn(identifier) ? state.byArn(identifier) : state.byId(identifier);
  const parsed = isArn(identifier) ? parseArn(identifier) : undefined;
  if (parsed !== undefined && parsed.account !== caller.account) {
    if (resource === undefined || resource.kind !== kind || !mayUse(ctx, resource, access)) {
      throw accessDenied(`User ${caller.account} is not authorized to access ${identifier}`);
    }
    return resource as ResourceOf<K>;
  }
  if (resource === undefined || resource.kind !== kind || resource.region !== caller.region) {
    throw notFound(RESOURCE_TYPE[kind], identifier);
  }
  if (resource.account !== caller.account) {
    if (!isAssociation(resource) || !mayUse(ctx, resource, "participant")) {
      throw notFound(RESOURCE_TYPE[kind], identifier);
    }
    if (!mayUse(ctx, resource, access)) {
      throw accessDenied(`User ${caller.account} is not authorized to access ${identifier}`);
    }
  }
  return resource as ResourceOf<K>;
}

export function requireNotDeleting(resource: LatticeResource & { status?: string }): void {
  if ("status" in resource && resource.status === "DELETE_IN_PROGRESS") {
    throw conflict(`${resource.id} is being deleted`, RESOURCE_TYPE[resource.kind], resource.id);
  }
}

export function requireActive(resource: LatticeResource & { status?: string }, action: string): void {
  if ("status" in resource && resource.status !== "ACTIVE") {
    throw conflict(
      `Cannot ${action} ${resource.id} while it is ${resource.status}`,
      RESOURCE_TYPE[resource.kind],
      resource.id,
    );
  }
}

interface PageToken {
  operation: string;
  after: number;
}

/**
 * One page of `items` (in creation order) after the request's nextToken, at most maxResults long
 * (1-100, default the configured page size), and the token for the next page.
 */
export function paginate<T extends { seq: number }>(
  ctx: OperationContext,
  input: Fields,
  items: readonly T[],
): { page: T[]; nextToken?: string } {
  const maxResults = input.integer("maxResults", { min: 1, max: 100 }) ?? ctx.state.config.defaultPageSize;
  const token = input.string("nextToken", { min: 1, max: 2048 });
  let after = 0;
  if (token !== undefined) {
    const decoded = decodeToken(token);
    if (decoded === undefined || decoded.operation !== ctx.operation) {
      throw validation("Invalid nextToken", [{ name: "nextToken", message: "is not a token this operation issued" }]);
    }
    after = decoded.after;
  }
  const rest = items.filter((item) => item.seq > after);
  const page = rest.slice(0, maxResults);
  const last = page.at(-1);
  if (rest.length > page.length && last !== undefined) {
    const next: PageToken = { operation: ctx.operation, after: last.seq };
    return { page, nextToken: Buffer.from(JSON.stringify(next)).toString("base64url") };
  }
  return { page };
}

function decodeToken(token: string): PageToken | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof value !== "object" || value === null) return undefined;
    const { operation, after } = value as Record<string, unknown>;
    if (typeof operation !== "string" || typeof after !== "number") return undefined;
    return { operation, after };
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted, so equal requests compare equal whatever the member order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const CLIENT_TOKEN = { min: 1, max: 64, pattern: /[!-~]/ };

/**
 * ClientToken idempotency: "If you retry a request that completed successfully using the same
 * client token and parameters, the retry succeeds without performing any actions. If the
 * parameters aren't identical, the retry fails" (ConflictException here, see QUIRKS.md VL).
 * A retry answers with the resource as it is now, or as created if it is gone since.
 */
export function idempotent(
  ctx: OperationContext,
  input: Fields,
  describe: (arn: string) => Output | undefined,
  create: () => { arn: string; response: Output },
): Output {
  const token = input.string("clientToken", CLIENT_TOKEN);
  if (token === undefined) return create().response;
  const key = `${ctx.caller.account}|${ctx.caller.region}|${ctx.operation}|${token}`;
  const { clientToken: _ignored, ...parameters } = input.value;
  const fingerprint = canonical(parameters);
  const previous = ctx.state.tokens.get(key);
  if (previous !== undefined) {
    if (previous.fingerprint !== fingerprint) {
      throw new LatticeError(
        "ConflictException",
        `The client token ${token} was already used with different parameters`,
        { resourceId: previous.arn, resourceType: "CLIENT_TOKEN" },
      );
    }
    return describe(previous.arn) ?? previous.response;
  }
  const created = create();
  ctx.state.tokens.set(key, { fingerprint, arn: created.arn, response: created.response });
  return created.response;
}
