/**
 * The Location of a redirect action ("RedirectActionConfig", "Action types for listener rules").
 *
 * A URI is `protocol://hostname:port/path?query`; a component the action leaves out keeps the
 * request's value, and components may reuse the request's own through the reserved keys
 * `#{protocol}`, `#{host}`, `#{port}`, `#{path}` (without its leading `/`) and `#{query}`.
 * Components are not percent-encoded, so they are substituted and concatenated as they are.
 *
 * The port is always written, 80 and 443 included: the documented URI form always carries it, and
 * the documented console examples render as `https://#{host}:40443/...` and
 * `#{protocol}://#{host}:#{port}/new/...`. The docs never say a default port is dropped.
 *
 * Keys are substituted in every component, even where the API would not accept one (the API
 * validates that; the evaluator only reads rules the API accepted). `#{host}` is the host name
 * without any port the Host header carried; `#{protocol}` is the request scheme in lower case.
 */
import type { RedirectAction } from "../rules.ts";
import { type AlbRequest, hostName } from "./request.ts";

const RESERVED_KEY = /#\{(protocol|host|port|path|query)\}/g;

function substitute(component: string, request: AlbRequest): string {
  return component.replace(RESERVED_KEY, (_, key: string) => {
    switch (key) {
      case "protocol":
        return request.scheme;
      case "host":
        return hostName(request.host);
      case "port":
        return String(request.port);
      case "path":
        return request.path.replace(/^\//, "");
      default:
        return request.query ?? "";
    }
  });
}

export function redirectLocation(action: RedirectAction, request: AlbRequest): string {
  const protocol = substitute(action.protocol ?? "#{protocol}", request).toLowerCase();
  const host = substitute(action.host ?? "#{host}", request);
  const port = substitute(action.port ?? "#{port}", request);
  const path = substitute(action.path ?? "/#{path}", request);
  const query = substitute(action.query ?? "#{query}", request);
  return `${protocol}://${host}:${port}${path}${query === "" ? "" : `?${query}`}`;
}

export function redirectStatus(action: RedirectAction): 301 | 302 {
  return action.statusCode === "HTTP_301" ? 301 : 302;
}
