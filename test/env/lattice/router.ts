// Matches a request's method and path against the operations' URI templates and turns URI labels
// and query parameters into request members, as the REST-JSON protocol binds them.
import type { HttpMethod, OperationSpec, QueryType } from "./context.ts";
import { validation } from "./errors.ts";

interface CompiledRoute {
  spec: OperationSpec;
  /** Literal segments as strings, labels as `{ label }`. */
  segments: (string | { label: string })[];
}

export interface RouteMatch {
  spec: OperationSpec;
  labels: Record<string, string>;
}

export class Router {
  readonly #routes: CompiledRoute[];

  constructor(operations: readonly OperationSpec[]) {
    this.#routes = operations.map((spec) => ({
      spec,
      segments: spec.path
        .split("/")
        .slice(1)
        .map((segment) => {
          const label = /^\{(\w+)\}$/.exec(segment)?.[1];
          return label === undefined ? segment : { label };
        }),
    }));
  }

  /** The operation for a method and raw (still percent-encoded) path, or undefined. */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const parts = rawPath.split("/").slice(1);
    if (parts.at(-1) === "" && parts.length > 1) parts.pop();
    for (const route of this.#routes) {
      if (route.spec.method !== (method as HttpMethod) || route.segments.length !== parts.length) continue;
      const labels: Record<string, string> = {};
      const matched = route.segments.every((segment, index) => {
        const part = parts[index] ?? "";
        if (typeof segment === "string") return segment === part;
        if (part === "") return false;
        labels[segment.label] = decodeLabel(segment.label, part);
        return true;
      });
      if (matched) return { spec: route.spec, labels };
    }
    return undefined;
  }
}

function decodeLabel(label: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw validation(
      `${label} is not percent-encoded correctly`,
      [{ name: label, message: "cannot be decoded" }],
      "cannotParse",
    );
  }
}

/** Query parameters typed as the operation declares them; others are ignored. */
export function queryMembers(spec: OperationSpec, query: URLSearchParams): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(spec.query ?? {}) as [string, QueryType][]) {
    const values = query.getAll(name);
    const first = values[0];
    if (first === undefined) continue;
    if (type === "list") members[name] = values;
    else if (type === "string") members[name] = first;
    else if (type === "integer") {
      if (!/^-?\d+$/.test(first)) {
        throw validation(`${name} must be an integer`, [{ name, message: "must be an integer" }]);
      }
      members[name] = Number(first);
    } else {
      if (first !== "true" && first !== "false") {
        throw validation(`${name} must be true or false`, [{ name, message: "must be a boolean" }]);
      }
      members[name] = first === "true";
    }
  }
  return members;
}
