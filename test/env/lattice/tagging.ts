// The Resource Groups Tagging API's GetResources (awsJson1_1, `X-Amz-Target:
// ResourceGroupsTaggingAPI_20170126.GetResources`) for the emulator's own VPC Lattice resources:
// moto's tagging API does not know them. Filters, page sizes and the exclusivity of
// ResourceARNList with the pagination parameters are the API reference's; the resource type of a
// resource is the one embedded in its ARN (`vpc-lattice:service`, `vpc-lattice:servicenetwork`,
// `vpc-lattice:targetgroup`, ...). Only resources of the caller's account and Region are returned,
// as AWS does. What differs from AWS is in test/env/QUIRKS.md (VL14).
import type { Caller } from "./context.ts";
import type { TaggingErrorCode } from "./control-api.ts";
import type { LatticeResource } from "./model.ts";
import type { LatticeState } from "./state.ts";

export const TAGGING_TARGET_PREFIX = "ResourceGroupsTaggingAPI_20170126.";

/** A tagging API error, sent as awsJson1_1 does: HTTP 400 and `__type` naming the exception. */
export class TaggingError extends Error {
  readonly code: TaggingErrorCode;

  constructor(code: TaggingError["code"], message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }

  body(): Record<string, unknown> {
    return { __type: this.code, Message: this.message };
  }
}

const invalid = (message: string) => new TaggingError("InvalidParameterException", message);

/**
 * The ARN resource type of each kind the tagging API serves here. Listeners and rules nest under
 * their service (`service/<id>/listener/<id>`) and no documented type names them: not served.
 */
const RESOURCE_TYPE: Partial<Record<LatticeResource["kind"], string>> = {
  serviceNetwork: "servicenetwork",
  service: "service",
  targetGroup: "targetgroup",
  serviceNetworkServiceAssociation: "servicenetworkserviceassociation",
  serviceNetworkVpcAssociation: "servicenetworkvpcassociation",
  accessLogSubscription: "accesslogsubscription",
};

interface TagFilter {
  key: string;
  values: string[];
}

interface GetResourcesInput {
  tagFilters: TagFilter[];
  resourceTypes: string[];
  arns?: Set<string>;
  perPage: number;
  token?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, name: string, bounds: { min: number; max: number }): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw invalid(`${name} must be a list of strings`);
  }
  if (value.length < bounds.min || value.length > bounds.max) {
    throw invalid(`${name} must have between ${bounds.min} and ${bounds.max} members`);
  }
  return value as string[];
}

function integer(value: unknown, name: string, bounds: { min: number; max: number }): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw invalid(`${name} must be an integer from ${bounds.min} to ${bounds.max}`);
  }
  return value;
}

function parseInput(body: Record<string, unknown>, defaultPageSize: number): GetResourcesInput {
  const rawFilters = body.TagFilters ?? [];
  if (!Array.isArray(rawFilters) || rawFilters.length > 50) {
    throw invalid("TagFilters must be a list of at most 50 filters");
  }
  const tagFilters = rawFilters.map((filter, index): TagFilter => {
    if (!isObject(filter) || typeof filter.Key !== "string" || filter.Key.length < 1 || filter.Key.length > 128) {
      throw invalid(`TagFilters.${index + 1}.Key must be a string of 1 to 128 characters`);
    }
    const values = stringList(filter.Values, `TagFilters.${index + 1}.Values`, { min: 0, max: 20 }) ?? [];
    if (values.some((v) => v.length > 256)) throw invalid(`TagFilters.${index + 1}.Values: at most 256 characters`);
    return { key: filter.Key, values };
  });
  const resourceTypes = stringList(body.ResourceTypeFilters, "ResourceTypeFilters", { min: 0, max: 100 }) ?? [];
  for (const type of resourceTypes) {
    if (!/^[a-z0-9-]+(:[a-z0-9-]+)?$/i.test(type)) {
      throw invalid(`ResourceTypeFilters: ${type} is not service[:resourceType]`);
    }
  }
  const arnList = stringList(body.ResourceARNList, "ResourceARNList", { min: 1, max: 100 });
  const perPage = integer(body.ResourcesPerPage, "ResourcesPerPage", { min: 1, max: 100 });
  integer(body.TagsPerPage, "TagsPerPage", { min: 100, max: 500 });
  const token = body.PaginationToken;
  if (token !== undefined && token !== null && typeof token !== "string") {
    throw invalid("PaginationToken must be a string");
  }
  const paginated = perPage !== undefined || body.TagsPerPage != null || (typeof token === "string" && token !== "");
  if (arnList !== undefined && paginated) {
    // "You can't specify both this parameter and any of the pagination parameters
    // (ResourcesPerPage, TagsPerPage, PaginationToken) in the same request."
    throw invalid("ResourceARNList cannot be used with ResourcesPerPage, TagsPerPage or PaginationToken");
  }
  return {
    tagFilters,
    resourceTypes,
    ...(arnList !== undefined ? { arns: new Set(arnList) } : {}),
    perPage: perPage ?? defaultPageSize,
    ...(typeof token === "string" && token !== "" ? { token } : {}),
  };
}

/** `vpc-lattice` matches every type, `vpc-lattice:service` only services (case-insensitive, as AWS). */
function typeMatches(filters: readonly string[], type: string): boolean {
  if (filters.length === 0) return true;
  return filters.some((filter) => {
    const [service, resourceType] = filter.toLowerCase().split(":");
    return service === "vpc-lattice" && (resourceType === undefined || resourceType === type);
  });
}

/** Every filter must match (AND); any of one filter's values may (OR); no values: the key alone. */
function tagsMatch(filters: readonly TagFilter[], tags: Record<string, string>): boolean {
  return filters.every((filter) => {
    const value = tags[filter.key];
    return value !== undefined && (filter.values.length === 0 || filter.values.includes(value));
  });
}

/** A token names the last resource returned and the request it continues (its filters). */
function fingerprint(input: GetResourcesInput): string {
  return JSON.stringify([input.tagFilters, input.resourceTypes]);
}

function encodeToken(after: number, input: GetResourcesInput): string {
  return Buffer.from(JSON.stringify({ after, request: fingerprint(input) })).toString("base64url");
}

function decodeToken(token: string, input: GetResourcesInput): number {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (isObject(value) && typeof value.after === "number" && value.request === fingerprint(input)) return value.after;
  } catch {
    // Falls through to the refusal.
  }
  throw invalid("PaginationToken is not one this request's filters issued");
}

/** GetResources over the emulator's state, as `caller` sees it. */
export function getResources(state: LatticeState, caller: Caller, body: Record<string, unknown>) {
  const input = parseInput(body, state.config.defaultPageSize);
  const after = input.token === undefined ? 0 : decodeToken(input.token, input);
  const matching = [...state.resources.values()]
    .filter((resource) => {
      const type = RESOURCE_TYPE[resource.kind];
      return (
        type !== undefined &&
        resource.account === caller.account &&
        resource.region === caller.region &&
        // Only tagged resources: this emulator keeps no memory of tags that were removed.
        Object.keys(resource.tags).length > 0 &&
        (input.arns === undefined || input.arns.has(resource.arn)) &&
        typeMatches(input.resourceTypes, type) &&
        tagsMatch(input.tagFilters, resource.tags)
      );
    })
    .sort((a, b) => a.seq - b.seq);
  const rest = matching.filter((resource) => resource.seq > after);
  const page = rest.slice(0, input.perPage);
  const last = page.at(-1);
  return {
    // AWS answers an empty string, not nothing, on the last page.
    PaginationToken: rest.length > page.length && last !== undefined ? encodeToken(last.seq, input) : "",
    ResourceTagMappingList: page.map((resource) => ({
      ResourceARN: resource.arn,
      Tags: Object.entries(resource.tags).map(([Key, Value]) => ({ Key, Value })),
    })),
  };
}

/** The tagging API's operations served here, from the request body's text. */
export function handleTagging(
  state: LatticeState,
  caller: Caller,
  operation: string,
  text: string,
): Record<string, unknown> {
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new TaggingError("SerializationException", "The request body is not valid JSON");
  }
  if (!isObject(body)) throw new TaggingError("SerializationException", "The request body must be a JSON object");
  if (operation === "GetResources") return getResources(state, caller, body);
  throw new TaggingError(
    "UnknownOperationException",
    `The tagging API operation ${operation} is not served by the Lattice emulator`,
  );
}
