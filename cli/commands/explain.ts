/**
 * `switchyard explain`: which listener rule a request matches on each ALB Gateway that listens on
 * its port, where it goes (Services and shares, a redirect, a fixed response) and why the rules
 * before it did not match; on each VPC Lattice Gateway, the service and rule; on each NLB Gateway
 * with a listener on the port, where the connection goes (`tcp://`, `udp://`, `tls://` and
 * `quic://` requests are connections for NLBs only; `http://` is TCP and `https://` TLS there).
 * Offline, from manifests, using the same evaluators as the tests.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { controllerConfig } from "../../shared/config.ts";
import type { AlbRequest } from "../../shared/elb/evaluate.ts";
import { type ExplainedOutcome, type Explanation, explainRequest } from "../../shared/elb/explain.ts";
import type { NlbConnection } from "../../shared/elb/nlb-evaluate.ts";
import { explainNlbConnection } from "../../shared/elb/nlb-explain.ts";
import { explainLatticeRequest, type LatticeExplanation } from "../../shared/lattice/explain.ts";
import { formatProblem } from "../../shared/manifest/problem.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import type { Io } from "../main.ts";
import { DEFAULT_MAX_FILE_BYTES, loadFiles, parseByteSize } from "../manifests.ts";
import { describeCondition } from "../render/elb-text.ts";
import { describeLatticeMatch } from "../render/lattice-text.ts";
import { renderNlbText } from "../render/nlb-text.ts";
import { oneLine } from "../render/terminal.ts";

/** An explanation with conditions in words, as both the text and the JSON output show them. */
export interface RenderedExplanation {
  gateway: string;
  listener: string;
  rule: { priority: number | "default"; route?: string; ruleIndex?: number; matchIndex?: number; conditions: string[] };
  skipped: { priority: number; route: string; failed: string }[];
  outcome: ExplainedOutcome;
}

function inWords(e: Explanation): RenderedExplanation {
  return {
    ...e,
    rule: { ...e.rule, conditions: e.rule.conditions.map(describeCondition) },
    skipped: e.skipped.map((s) => ({
      priority: s.priority,
      route: s.route,
      failed: s.failed ? describeCondition(s.failed) : "(no condition failed)",
    })),
  };
}

/** Parses `METHOD URL` (method optional, GET by default). */
function parseRequestLine(line: string, headers: readonly string[], sourceIp?: string): AlbRequest {
  const parts = line.trim().split(/\s+/);
  const [method, target] = parts.length > 1 ? [parts[0] ?? "GET", parts[1] ?? ""] : ["GET", parts[0] ?? ""];
  const url = new URL(target);
  const scheme = url.protocol === "https:" ? "https" : url.protocol === "http:" ? "http" : undefined;
  if (!scheme) throw new Error(`request URL must be http:// or https:// (got ${target})`);
  const headerMap: Record<string, string[]> = {};
  for (const h of headers) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new Error(`header must look like 'name: value' (got ${h})`);
    const name = h.slice(0, colon).trim().toLowerCase();
    headerMap[name] = [...(headerMap[name] ?? []), h.slice(colon + 1).trim()];
  }
  const port = url.port ? Number(url.port) : scheme === "https" ? 443 : 80;
  return {
    method: method.toUpperCase(),
    scheme,
    host: headerMap.host?.[0] ?? url.host,
    port,
    path: url.pathname,
    ...(url.search ? { query: url.search.slice(1) } : {}),
    headers: headerMap,
    ...(sourceIp ? { sourceIp } : {}),
  };
}

const L4_SCHEMES: Readonly<Record<string, NlbConnection["protocol"]>> = {
  "tcp:": "TCP",
  "udp:": "UDP",
  "tls:": "TLS",
  "quic:": "QUIC",
};

/**
 * A `tcp://`, `udp://`, `tls://` or `quic://host:port` connection (the port is required: there is
 * no default), or undefined for any other URL. TLS and QUIC send the host as SNI unless `sni` says
 * otherwise (an empty `--sni` sends none).
 */
function parseConnection(
  line: string,
  sni: string | undefined,
  quicServerId: string | undefined,
): NlbConnection | undefined {
  const target = line.trim().split(/\s+/).at(-1) ?? "";
  const scheme = /^([a-z]+:)\/\//i.exec(target)?.[1]?.toLowerCase();
  const protocol = scheme ? L4_SCHEMES[scheme] : undefined;
  if (!protocol) return undefined;
  const url = new URL(target.replace(/^[a-z]+:/i, "http:"));
  const explicitPort = /^[a-z]+:\/\/(\[[^\]]*\]|[^/:]*):(\d+)/i.exec(target)?.[2];
  if (!explicitPort) throw new Error(`a ${protocol} connection needs a port (${scheme}//host:port)`);
  const port = Number(explicitPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`port must be 1–65535 (got ${explicitPort})`);
  const name = sni ?? url.hostname;
  return {
    protocol,
    port,
    ...((protocol === "TLS" || protocol === "QUIC") && name ? { sni: name } : {}),
    ...(protocol === "QUIC" && quicServerId ? { quicServerId } : {}),
  };
}

function renderOutcome(o: ExplainedOutcome): string {
  switch (o.kind) {
    case "forward":
      return `forward to ${o.backends.map((b) => `${b.backend} (${Math.round(b.share * 1000) / 10}%)`).join(", ")}; targets see ${o.request.host}${o.request.path}${o.request.query ? `?${o.request.query}` : ""}`;
    case "redirect":
      return `redirect ${o.statusCode} to ${o.location}`;
    case "fixed-response":
      return `respond ${o.statusCode}`;
    case "authenticate":
      return `authenticate, then ${renderOutcome(o.afterwards)}`;
  }
}

/** A Lattice explanation with its match in words, marked so JSON readers can tell the data planes apart. */
type RenderedLatticeExplanation = Omit<LatticeExplanation, "rule"> & {
  dataPlane: "lattice";
  rule: Omit<LatticeExplanation["rule"], "match"> & { match?: string };
};

function latticeInWords(e: LatticeExplanation): RenderedLatticeExplanation {
  const { match, ...rule } = e.rule;
  return { dataPlane: "lattice", ...e, rule: { ...rule, ...(match ? { match: describeLatticeMatch(match) } : {}) } };
}

function renderLatticeText(explanations: readonly RenderedLatticeExplanation[]): string {
  const lines: string[] = [];
  for (const e of explanations) {
    lines.push(
      `Gateway ${e.gateway} (VPC Lattice), ${e.gatewayService ? "Gateway service" : "service"} ${e.serviceName} of ${e.service} (by ${e.chosenBy}), listener ${e.listener}`,
    );
    if (e.gatewayService) {
      lines.push(`  the Gateway service merges ${e.gatewayService.merged.join(", ") || "no route"}`);
      for (const l of e.gatewayService.leftOut)
        lines.push(`  not merged: ${l.route}: ${l.why} (reached at its own service)`);
    }
    for (const s of e.skipped) lines.push(`  rule ${s.priority} did not match: ${s.failed}`);
    if (e.rule.priority === "default") lines.push("  no rule matched: the listener's default action applies");
    else {
      lines.push(`  matched rule ${e.rule.priority}: ${e.rule.match ?? "(everything)"}`);
      if (e.rule.route) lines.push(`    from ${e.rule.route} rule ${e.rule.ruleIndex} match ${e.rule.matchIndex}`);
    }
    const o = e.outcome;
    lines.push(
      `  → ${o.kind === "fixed-response" ? `respond ${o.statusCode}` : `forward to ${o.backends.map((b) => `${b.backend} (${Math.round(b.share * 1000) / 10}%)`).join(", ")}`}`,
      "",
    );
  }
  return lines.join("\n") + (lines.length ? "\n" : "");
}

function renderText(explanations: readonly RenderedExplanation[]): string {
  const lines: string[] = [];
  for (const e of explanations) {
    lines.push(`Gateway ${e.gateway}, listener ${e.listener}`);
    for (const s of e.skipped) lines.push(`  rule ${s.priority} (${s.route}) did not match: ${s.failed}`);
    if (e.rule.priority === "default") lines.push("  no rule matched: the listener's default action applies");
    else {
      lines.push(`  matched rule ${e.rule.priority}: ${e.rule.conditions.join(" ∧ ") || "(no conditions)"}`);
      if (e.rule.route) lines.push(`    from ${e.rule.route} rule ${e.rule.ruleIndex} match ${e.rule.matchIndex}`);
    }
    lines.push(`  → ${renderOutcome(e.outcome)}`, "");
  }
  return `${lines.join("\n")}\n`;
}

export const EXPLAIN_USAGE = `Usage: switchyard explain -f <file|dir>... --request 'METHOD URL' [options]

Offline: on each ALB Gateway listening on the request's port, the listener rule the request
matches, the earlier rules and the condition each failed, and where the request goes; on each VPC
Lattice Gateway, the service the host reaches and its listener's rule; on each NLB Gateway with a
listener on the port, where the connection goes. URL may also be tcp://, udp://, tls:// or
quic://host:port (NLB only; the port is required).

  -f, --file PATH              a manifest file or directory (repeatable; required)
  -r, --request 'METHOD URL'   the request (method optional, GET by default; required)
  -H, --header 'name: value'   a request header (repeatable)
  --source-ip IP               the client's address (for source-ip conditions)
  --sni NAME                   the TLS/QUIC server name sent to an NLB (default the host; '' none)
  --quic-server-id ID          the QUIC server ID a connection to an NLB carries
  -n, --namespace NS           namespace of objects that name none (default default)
  --max-file-size SIZE         skip larger files (default 16MiB)
  -o, --output text|json       (default text)

Exit codes: 0 some Gateway answers; 1 nothing listens on the port or answers the host on it;
2 usage or input error.
`;

export function explainCommand(argv: readonly string[], io: Io): number {
  const fail = (message: string) => {
    io.stderr.write(`switchyard explain: ${oneLine(message)}\n`);
    return 2;
  };
  let values: {
    file?: string[];
    request?: string;
    header?: string[];
    output?: string;
    "source-ip"?: string;
    namespace?: string;
    "max-file-size"?: string;
    sni?: string;
    "quic-server-id"?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        file: { type: "string", short: "f", multiple: true },
        request: { type: "string", short: "r" },
        header: { type: "string", short: "H", multiple: true },
        output: { type: "string", short: "o" },
        "source-ip": { type: "string" },
        namespace: { type: "string", short: "n" },
        "max-file-size": { type: "string" },
        sni: { type: "string" },
        "quic-server-id": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    return fail((err as Error).message);
  }
  if (values.help) {
    io.stdout.write(EXPLAIN_USAGE);
    return 0;
  }
  if (!values.request || !values.file?.length) return fail("-f <files|dirs> and --request 'METHOD URL' are required");
  const output = values.output ?? "text";
  if (output !== "text" && output !== "json") return fail(`-o must be text or json (got ${output})`);
  const maxFileBytes =
    values["max-file-size"] === undefined ? DEFAULT_MAX_FILE_BYTES : parseByteSize(values["max-file-size"]);
  if (maxFileBytes === undefined)
    return fail(`--max-file-size must be a size such as 16MiB or 1048576 (got ${values["max-file-size"]})`);
  const missing = values.file.filter((p) => !existsSync(p));
  if (missing.length) return fail(`no such file or directory: ${missing.join(", ")}`);
  let request: AlbRequest | undefined;
  let connection: NlbConnection | undefined;
  try {
    connection = parseConnection(values.request, values.sni, values["quic-server-id"]);
    if (!connection) {
      request = parseRequestLine(values.request, values.header ?? [], values["source-ip"]);
      connection = {
        protocol: request.scheme === "https" ? "TLS" : "TCP",
        port: request.port,
        ...(request.scheme === "https" ? { sni: values.sni ?? request.host.replace(/:\d+$/, "") } : {}),
      };
    }
  } catch (err) {
    return fail((err as Error).message);
  }
  const loaded = loadFiles(values.file, {
    ...(values.namespace ? { defaultNamespace: values.namespace } : {}),
    maxFileBytes,
  });
  // explain's stdout is the explanation; what was not read goes to stderr so it is still seen.
  for (const p of loaded.problems) io.stderr.write(`switchyard explain: rejected: ${oneLine(formatProblem(p))}\n`);
  for (const p of loaded.warnings) io.stderr.write(`switchyard explain: warning: ${oneLine(formatProblem(p))}\n`);
  const { loadBalancers, lattice } = translate(snapshotOf(loaded.objects), controllerConfig());
  const explanations = request ? explainRequest(loadBalancers, request).map(inWords) : [];
  const latticeExplanations = request
    ? explainLatticeRequest(lattice.gateways, {
        host: request.host,
        port: request.port,
        method: request.method,
        path: request.path,
        ...(request.headers ? { headers: request.headers } : {}),
      }).map(latticeInWords)
    : [];
  const nlbExplanations = explainNlbConnection(loadBalancers, connection);
  if (explanations.length === 0 && latticeExplanations.length === 0 && nlbExplanations.length === 0) {
    io.stderr.write(
      request
        ? `switchyard explain: no Application Load Balancer Gateway listens on port ${request.port}, no VPC Lattice service answers ${request.host} on it, and no Network Load Balancer Gateway has a listener on it\n`
        : `switchyard explain: no Network Load Balancer Gateway has a listener on port ${connection.port}\n`,
    );
    return 1;
  }
  io.stdout.write(
    output === "json"
      ? `${JSON.stringify([...explanations, ...latticeExplanations, ...nlbExplanations], null, 2)}\n`
      : `${explanations.length ? renderText(explanations) : ""}${renderLatticeText(latticeExplanations)}${renderNlbText(nlbExplanations)}`,
  );
  return 0;
}
