/**
 * Check lines: the machine-checked form of a golden case's `# Expected:` prose.
 *
 * A case's in.yaml opens with comment lines `# Rule: …` and `# Expected: …` (prose that may wrap);
 * directly under them come `# Check: …` lines, each one claim about the translation's output:
 *
 *     # Check: <subject> <assertion>
 *
 * Subjects (what the claim is about):
 *
 *     <Kind> [<ns>/]<name>                      a status entry of out.yaml (`HTTPRoute apps/web`,
 *                                                `GatewayClass alb`)
 *       … parent [<ns>/]<name> [section <s>] [port <n>]   one route parents[] entry, by its parentRef
 *                                                (namespace defaults to the route's)
 *       … listener <name>                        one listener of a Gateway or ListenerSet status
 *       … ancestor [<ns>/]<name>                 one ancestors[] entry of a policy status
 *     graph gateway <ns>/<name> [listener <id>]  a Gateway (or its listener) in the graph summary
 *     graph route <Kind>/<ns>/<name>             a route in the graph summary
 *     rejected                                   the list of rejected-manifest messages
 *     model <ns>/<gw> [listener <id>] [targetGroup <id>]   the ELB model (model.yaml) of a Gateway
 *     plan <ns>/<gw>                             the empty-account plan (plan.yaml) of a Gateway
 *     lattice <ns>/<gw> [service <route-key>] [listener <id>] [targetGroup <id>]
 *                                               the VPC Lattice model (lattice.yaml) of a Gateway;
 *                                               a listener is looked up within the service
 *
 * Assertions (a word starting upper-case is a condition type, a lower-case one a field path):
 *
 *     <Type>=<True|False|Unknown> [reason=<R>] [generation=<n>] [message ~ "<text>"]
 *                                               a condition of the subject (generation: its
 *                                               observedGeneration)
 *     <Type> absent                             the subject has no condition of that type
 *     absent                                    the subject does not exist
 *     [<path>] = <value>                        the field equals value (a string compares as
 *                                               written; anything else as YAML, e.g. `[a, b]`, `3`)
 *     [<path>] ~ "<text>"                       the field contains text (non-strings as JSON)
 *     [<path>] !~ "<text>"                      the field does not contain text
 *     <path> absent                             the field is not set
 *
 * A path is dotted keys with `[n]` (an index) or `[*]` (every element); a final `length` on a list
 * is its length: `listeners[*].name`, `rules.length`, `parentRef.sectionName`.
 *
 * A `# Known-wrong: <why>` line directly above a check marks a claim the code is known to break:
 * the check must fail (the suite stays green and the case says so); once it passes, the mark goes.
 */
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";

/** The computed output of one case, as parsed YAML documents. */
export interface CaseDocs {
  out: unknown;
  model: unknown;
  plan: unknown;
  lattice?: unknown;
}

type Subject =
  | {
      kind: "status";
      objectKind: string;
      namespace: string | undefined;
      name: string;
      parent?: { namespace: string | undefined; name: string; section?: string; port?: number };
      listener?: string;
      ancestor?: { namespace: string | undefined; name: string };
    }
  | { kind: "graph-gateway"; key: string; listener?: string }
  | { kind: "graph-route"; key: string }
  | { kind: "rejected" }
  | { kind: "model"; key: string; listener?: string; targetGroup?: string }
  | { kind: "plan"; key: string }
  | { kind: "lattice"; key: string; service?: string; listener?: string; targetGroup?: string };

type PathSegment = { key: string } | { index: number } | { every: true } | { length: true };

type Assertion =
  | { kind: "condition"; type: string; status: string; reason?: string; generation?: number; message?: string }
  | { kind: "no-condition"; type: string }
  | { kind: "subject-absent" }
  | { kind: "equals"; path: PathSegment[]; pathText: string; raw: string }
  | { kind: "contains"; path: PathSegment[]; pathText: string; text: string; negated: boolean }
  | { kind: "field-absent"; path: PathSegment[]; pathText: string };

export interface Check {
  /** 1-based line in in.yaml. */
  line: number;
  /** The check as written, after `# Check:`. */
  text: string;
  subject: Subject;
  assertion: Assertion;
  /** Set by a `# Known-wrong:` line directly above: the check is expected to fail. */
  knownWrong?: string;
}

/** A malformed check, naming the column (1-based, within the check text) and what was expected. */
export class CheckSyntaxError extends Error {
  readonly column: number;
  readonly problem: string;
  constructor(column: number, problem: string) {
    super(`column ${column}: ${problem}`);
    this.column = column;
    this.problem = problem;
  }
}

interface Token {
  text: string;
  /** Unquoted value (the text itself unless quoted). */
  value: string;
  quoted: boolean;
  /** 0-based offset in the check text. */
  start: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i] ?? "")) {
      i++;
      continue;
    }
    const start = i;
    if (text[i] === '"') {
      let value = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new CheckSyntaxError(start + 1, "unterminated quoted text");
      i++;
      tokens.push({ text: text.slice(start, i), value, quoted: true, start });
      continue;
    }
    while (i < text.length && !/\s/.test(text[i] ?? "")) i++;
    const t = text.slice(start, i);
    tokens.push({ text: t, value: t, quoted: false, start });
  }
  return tokens;
}

class Cursor {
  private i = 0;
  private readonly tokens: Token[];
  private readonly text: string;
  constructor(tokens: Token[], text: string) {
    this.tokens = tokens;
    this.text = text;
  }
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(what: string): Token {
    const t = this.tokens[this.i];
    if (!t) throw new CheckSyntaxError(this.text.length + 1, `expected ${what}, got end of line`);
    this.i++;
    return t;
  }
  accept(word: string): boolean {
    if (this.tokens[this.i]?.text === word) {
      this.i++;
      return true;
    }
    return false;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
}

function splitRef(t: Token, what: string, requireNamespace: boolean): { namespace: string | undefined; name: string } {
  const parts = t.value.split("/");
  if (parts.length > 2 || parts.some((p) => p === "") || (requireNamespace && parts.length !== 2)) {
    throw new CheckSyntaxError(
      t.start + 1,
      `expected ${what} as ${requireNamespace ? "<namespace>/<name>" : "[<namespace>/]<name>"}, got '${t.text}'`,
    );
  }
  return parts.length === 2
    ? { namespace: parts[0], name: parts[1] as string }
    : { namespace: undefined, name: t.value };
}

function parseSubject(c: Cursor): Subject {
  const head = c.next("a subject (a status kind, graph, rejected, model, lattice or plan)");
  switch (head.text) {
    case "rejected":
      return { kind: "rejected" };
    case "model": {
      const key = c.next("the Gateway <namespace>/<name> of the model");
      splitRef(key, "the Gateway", true);
      const s: Subject = { kind: "model", key: key.value };
      if (c.accept("listener")) s.listener = c.next("a model listener id (e.g. HTTP:80)").value;
      if (c.accept("targetGroup")) s.targetGroup = c.next("a target group id").value;
      return s;
    }
    case "lattice": {
      const key = c.next("the Gateway <namespace>/<name> of the Lattice model");
      splitRef(key, "the Gateway", true);
      const s: Subject = { kind: "lattice", key: key.value };
      if (c.accept("service")) s.service = c.next("a service id (the route key, e.g. HTTPRoute/apps/web)").value;
      if (c.accept("listener")) s.listener = c.next("a Lattice listener id (e.g. HTTP:80)").value;
      if (c.accept("targetGroup")) s.targetGroup = c.next("a target group id").value;
      return s;
    }
    case "plan": {
      const key = c.next("the Gateway <namespace>/<name> of the plan");
      splitRef(key, "the Gateway", true);
      return { kind: "plan", key: key.value };
    }
    case "graph": {
      const what = c.next("'gateway' or 'route'");
      if (what.text === "gateway") {
        const key = c.next("the Gateway <namespace>/<name>");
        splitRef(key, "the Gateway", true);
        const s: Subject = { kind: "graph-gateway", key: key.value };
        if (c.accept("listener")) s.listener = c.next("a listener id").value;
        return s;
      }
      if (what.text === "route") {
        const key = c.next("the route as <Kind>/<namespace>/<name>");
        if (key.value.split("/").length !== 3) {
          throw new CheckSyntaxError(
            key.start + 1,
            `expected the route as <Kind>/<namespace>/<name>, got '${key.text}'`,
          );
        }
        return { kind: "graph-route", key: key.value };
      }
      throw new CheckSyntaxError(what.start + 1, `expected 'gateway' or 'route' after 'graph', got '${what.text}'`);
    }
  }
  if (!/^[A-Z][A-Za-z]*$/.test(head.text)) {
    throw new CheckSyntaxError(
      head.start + 1,
      `expected a subject (a status kind such as HTTPRoute, or graph, rejected, model, lattice, plan), got '${head.text}'`,
    );
  }
  const ref = splitRef(c.next(`the ${head.text}'s [<namespace>/]<name>`), `the ${head.text}`, false);
  const s: Subject & { kind: "status" } = { kind: "status", objectKind: head.text, ...ref };
  if (c.accept("parent")) {
    s.parent = splitRef(c.next("the parent's [<namespace>/]<name>"), "the parent", false);
    if (c.accept("section")) s.parent.section = c.next("a sectionName").value;
    if (c.accept("port")) {
      const p = c.next("a port number");
      if (!/^\d+$/.test(p.value)) throw new CheckSyntaxError(p.start + 1, `expected a port number, got '${p.text}'`);
      s.parent.port = Number(p.value);
    }
  } else if (c.accept("listener")) {
    s.listener = c.next("a listener name").value;
  } else if (c.accept("ancestor")) {
    s.ancestor = splitRef(c.next("the ancestor's [<namespace>/]<name>"), "the ancestor", false);
  }
  return s;
}

function parsePath(t: Token): PathSegment[] {
  const segments: PathSegment[] = [];
  let rest = t.value;
  let offset = t.start;
  while (rest.length > 0) {
    const key = rest.match(segments.length === 0 ? /^([a-z][\w-]*)/ : /^\.([A-Za-z][\w-]*)/);
    const index = rest.match(/^\[(\d+)\]/);
    const every = rest.match(/^\[\*\]/);
    const m = key ?? index ?? every;
    if (!m) {
      throw new CheckSyntaxError(
        offset + 1,
        `expected a field path (keys start lower-case, joined by '.', with [n] or [*]), got '${rest}'`,
      );
    }
    if (key) segments.push(key[1] === "length" ? { length: true } : { key: key[1] as string });
    else if (index) segments.push({ index: Number(index[1]) });
    else segments.push({ every: true });
    offset += m[0].length;
    rest = rest.slice(m[0].length);
  }
  return segments;
}

function parseAssertion(c: Cursor, text: string): Assertion {
  const t = c.next("an assertion (a condition Type=Status, absent, or a field path with =, ~ or absent)");
  if (t.text === "absent") return { kind: "subject-absent" };
  const cond = t.text.match(/^([A-Z][A-Za-z]*)(?:=(.*))?$/);
  if (cond) {
    const type = cond[1] as string;
    if (cond[2] === undefined) {
      if (c.accept("absent")) return { kind: "no-condition", type };
      throw new CheckSyntaxError(
        t.start + type.length + 1,
        `expected '=True', '=False' or '=Unknown' after condition type ${type} (or ' absent')`,
      );
    }
    const status = cond[2];
    if (!["True", "False", "Unknown"].includes(status)) {
      throw new CheckSyntaxError(
        t.start + type.length + 2,
        `condition status must be True, False or Unknown, got '${status}'`,
      );
    }
    const a: Assertion = { kind: "condition", type, status };
    const r = c.peek();
    if (r?.text.startsWith("reason=")) {
      c.next("reason");
      a.reason = r.text.slice("reason=".length);
      if (!a.reason) throw new CheckSyntaxError(r.start + 8, "expected a reason after 'reason='");
    }
    const g = c.peek();
    if (g?.text.startsWith("generation=")) {
      c.next("generation");
      const n = g.text.slice("generation=".length);
      if (!/^\d+$/.test(n))
        throw new CheckSyntaxError(g.start + 12, `expected a number after 'generation=', got '${n}'`);
      a.generation = Number(n);
    }
    if (c.accept("message")) {
      const op = c.next("'~' after message");
      if (op.text !== "~") throw new CheckSyntaxError(op.start + 1, `expected '~' after message, got '${op.text}'`);
      a.message = c.next("the text the message contains").value;
    }
    return a;
  }
  let pathText = "";
  let path: PathSegment[] = [];
  let op = t;
  if (!["=", "~", "!~"].includes(t.text)) {
    path = parsePath(t);
    pathText = t.text;
    op = c.next(`'=', '~', '!~' or 'absent' after ${t.text}`);
  }
  if (op.text === "absent" && pathText) return { kind: "field-absent", path, pathText };
  if (op.text === "~" || op.text === "!~") {
    return { kind: "contains", path, pathText, text: c.next("the text to look for").value, negated: op.text === "!~" };
  }
  if (op.text === "=") {
    const v = c.next("a value after '='");
    const raw = text.slice(v.start).trim();
    while (!c.done()) c.next("");
    return { kind: "equals", path, pathText, raw };
  }
  throw new CheckSyntaxError(op.start + 1, `expected '=', '~', '!~' or 'absent', got '${op.text}'`);
}

/** Parses the text of one check (what follows `# Check:`). */
export function parseCheck(text: string, line = 0): Check {
  const c = new Cursor(tokenize(text), text);
  const subject = parseSubject(c);
  const assertion = parseAssertion(c, text);
  const extra = c.peek();
  if (extra) throw new CheckSyntaxError(extra.start + 1, `unexpected '${extra.text}' after the assertion`);
  return { line, text: text.trim(), subject, assertion };
}

export interface CaseHeader {
  /** The Expected prose, joined into one line; undefined when the case has none. */
  expected: string | undefined;
  checks: Check[];
  /** Malformed check lines, each as `in.yaml:<line>:<column>: <problem>`. */
  errors: string[];
}

/** Reads the leading comment block of an in.yaml: the Expected prose and its Check lines. */
export function parseCaseHeader(source: string, file = "in.yaml"): CaseHeader {
  const lines = source.split("\n");
  let expected: string[] | undefined;
  let inExpected = false;
  let knownWrong: string | undefined;
  const checks: Check[] = [];
  const errors: string[] = [];
  for (const [i, raw] of lines.entries()) {
    if (!raw.startsWith("#")) break;
    const body = raw.replace(/^#\s?/, "");
    const check = body.match(/^Check:\s*(.*)$/);
    const wrong = body.match(/^Known-wrong:\s*(.*)$/);
    if (check) {
      inExpected = false;
      const text = check[1] as string;
      try {
        const parsed = parseCheck(text, i + 1);
        if (knownWrong !== undefined) parsed.knownWrong = knownWrong;
        checks.push(parsed);
      } catch (e) {
        if (!(e instanceof CheckSyntaxError)) throw e;
        const col = raw.length - text.length + e.column;
        errors.push(`${file}:${i + 1}:${col}: ${e.problem}\n    # Check: ${text}`);
      }
      knownWrong = undefined;
    } else if (wrong) {
      inExpected = false;
      if (knownWrong !== undefined)
        errors.push(`${file}:${i + 1}: a Known-wrong line must be followed by a Check line`);
      knownWrong = wrong[1] as string;
      if (!knownWrong) errors.push(`${file}:${i + 1}: a Known-wrong line must say why`);
    } else {
      if (knownWrong !== undefined) {
        errors.push(`${file}:${i + 1}: a Known-wrong line must be followed by a Check line`);
        knownWrong = undefined;
      }
      if (/^Expected\b/.test(body)) {
        expected = [body];
        inExpected = true;
      } else if (inExpected && !/^[A-Z][a-z]+:/.test(body)) expected?.push(body);
      else inExpected = false;
    }
  }
  if (knownWrong !== undefined) errors.push(`${file}: the last Known-wrong line has no Check line under it`);
  return { expected: expected?.join(" "), checks, errors };
}

// ---- evaluation ----

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const show = (v: unknown): string => (v === undefined ? "(not set)" : typeof v === "string" ? v : JSON.stringify(v));

/** The subject's node, or a description of why it was not found. */
type Found = { node: unknown } | { missing: string };

function findStatus(s: Subject & { kind: "status" }, out: unknown): Found {
  const statuses = list(isObj(out) ? out.statuses : undefined).filter(isObj);
  const label = `${s.objectKind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`;
  const entry = statuses.find(
    (e) => e.kind === s.objectKind && e.name === s.name && (e.namespace as string | undefined) === s.namespace,
  );
  if (!entry) {
    const have = statuses
      .filter((e) => e.kind === s.objectKind)
      .map((e) => (e.namespace ? `${e.namespace}/` : "") + e.name);
    return { missing: `no status for ${label} (${s.objectKind} statuses: ${have.join(", ") || "none"})` };
  }
  if (s.parent) {
    const p = s.parent;
    const parents = list(entry.parents).filter(isObj);
    const matches = parents.filter((e) => {
      const ref = isObj(e.parentRef) ? e.parentRef : {};
      return (
        ref.name === p.name &&
        ((ref.namespace as string | undefined) ?? s.namespace) === (p.namespace ?? s.namespace) &&
        (p.section === undefined || ref.sectionName === p.section) &&
        (p.port === undefined || ref.port === p.port)
      );
    });
    const refs = parents.map((e) => show(e.parentRef)).join("; ");
    if (matches.length === 0)
      return { missing: `${label} has no parents[] entry for that parentRef (has: ${refs || "none"})` };
    if (matches.length > 1)
      return { missing: `${label}: ${matches.length} parents[] entries match; add section/port (has: ${refs})` };
    return { node: matches[0] };
  }
  if (s.listener !== undefined) {
    const l = list(entry.listeners)
      .filter(isObj)
      .find((e) => e.name === s.listener);
    if (!l) {
      const have = list(entry.listeners)
        .filter(isObj)
        .map((e) => e.name);
      return { missing: `${label} has no listener ${s.listener} (has: ${have.join(", ") || "none"})` };
    }
    return { node: l };
  }
  if (s.ancestor) {
    const a = s.ancestor;
    const ancestors = list(isObj(entry.status) ? entry.status.ancestors : entry.ancestors).filter(isObj);
    const matches = ancestors.filter((e) => {
      const ref = isObj(e.ancestorRef) ? e.ancestorRef : {};
      return ref.name === a.name && (a.namespace === undefined || ref.namespace === a.namespace);
    });
    const refs = ancestors.map((e) => show(e.ancestorRef)).join("; ");
    if (matches.length !== 1)
      return { missing: `${label}: ${matches.length} ancestors[] entries match (has: ${refs || "none"})` };
    return { node: matches[0] };
  }
  return { node: entry };
}

function findByKey(items: unknown, field: string, key: string, what: string): Found {
  const all = list(items).filter(isObj);
  const hit = all.find((e) => e[field] === key);
  if (!hit) return { missing: `no ${what} ${key} (has: ${all.map((e) => show(e[field])).join(", ") || "none"})` };
  return { node: hit };
}

function findSubject(s: Subject, docs: CaseDocs): Found {
  switch (s.kind) {
    case "status":
      return findStatus(s, docs.out);
    case "rejected":
      return { node: list(isObj(docs.out) ? docs.out.rejected : undefined) };
    case "graph-gateway": {
      const g = findByKey(
        isObj(docs.out) && isObj(docs.out.graph) ? docs.out.graph.gateways : [],
        "gateway",
        s.key,
        "graph gateway",
      );
      if (!("node" in g) || s.listener === undefined) return g;
      return findByKey((g.node as Obj).listeners, "id", s.listener, `listener of graph gateway ${s.key}:`);
    }
    case "graph-route":
      return findByKey(
        isObj(docs.out) && isObj(docs.out.graph) ? docs.out.graph.routes : [],
        "route",
        s.key,
        "graph route",
      );
    case "model": {
      const m = findByKey(docs.model, "gatewayKey", s.key, "model for Gateway");
      if (!("node" in m)) return m;
      if (s.listener !== undefined)
        return findByKey((m.node as Obj).listeners, "id", s.listener, `model ${s.key} listener`);
      if (s.targetGroup !== undefined)
        return findByKey((m.node as Obj).targetGroups, "id", s.targetGroup, `model ${s.key} target group`);
      return m;
    }
    case "plan":
      return findByKey(docs.plan, "gateway", s.key, "plan for Gateway");
    case "lattice": {
      const m = findByKey(docs.lattice, "gatewayKey", s.key, "Lattice model for Gateway");
      if (!("node" in m)) return m;
      if (s.targetGroup !== undefined)
        return findByKey((m.node as Obj).targetGroups, "id", s.targetGroup, `Lattice model ${s.key} target group`);
      if (s.service === undefined) return m;
      const svc = findByKey((m.node as Obj).services, "id", s.service, `Lattice model ${s.key} service`);
      if (!("node" in svc) || s.listener === undefined) return svc;
      return findByKey((svc.node as Obj).listeners, "id", s.listener, `Lattice service ${s.service} listener`);
    }
  }
}

function walk(node: unknown, path: PathSegment[]): unknown {
  if (path.length === 0) return node;
  const [seg, ...rest] = path as [PathSegment, ...PathSegment[]];
  if ("every" in seg) return Array.isArray(node) ? node.map((e) => walk(e, rest)) : undefined;
  if ("length" in seg) return walk(Array.isArray(node) || typeof node === "string" ? node.length : undefined, rest);
  if ("index" in seg) return walk(Array.isArray(node) ? node[seg.index] : undefined, rest);
  return walk(isObj(node) ? node[seg.key] : undefined, rest);
}

function showCondition(c: Obj): string {
  return `${c.type}=${c.status} reason=${c.reason} generation=${c.observedGeneration} message "${c.message}"`;
}

/** Evaluates a check against a case's computed output: undefined when it holds, else what was found. */
export function evaluateCheck(check: Check, docs: CaseDocs): string | undefined {
  const found = findSubject(check.subject, docs);
  const a = check.assertion;
  if (a.kind === "subject-absent") return "missing" in found ? undefined : `it exists: ${show(found.node)}`;
  if ("missing" in found) return found.missing;
  const node = found.node;
  switch (a.kind) {
    case "condition":
    case "no-condition": {
      const conditions = list(isObj(node) ? node.conditions : undefined).filter(isObj);
      const c = conditions.find((e) => e.type === a.type);
      if (a.kind === "no-condition") return c ? `it has ${showCondition(c)}` : undefined;
      if (!c) return `no ${a.type} condition (has: ${conditions.map((e) => e.type).join(", ") || "none"})`;
      const ok =
        c.status === a.status &&
        (a.reason === undefined || c.reason === a.reason) &&
        (a.generation === undefined || c.observedGeneration === a.generation) &&
        (a.message === undefined || String(c.message).includes(a.message));
      return ok ? undefined : `actual: ${showCondition(c)}`;
    }
    case "field-absent": {
      const v = walk(node, a.path);
      return v === undefined ? undefined : `${a.pathText} is ${show(v)}`;
    }
    case "contains": {
      const v = walk(node, a.path);
      const hay = typeof v === "string" ? v : JSON.stringify(v);
      return (hay ?? "").includes(a.text) !== a.negated ? undefined : `${a.pathText || "value"} is ${show(v)}`;
    }
    case "equals": {
      const v = walk(node, a.path);
      let ok: boolean;
      if (typeof v === "string") ok = v === unquote(a.raw);
      else {
        let expected: unknown;
        try {
          expected = parseYaml(a.raw);
        } catch {
          return `cannot read '${a.raw}' as a YAML value; ${a.pathText || "value"} is ${show(v)}`;
        }
        ok = isDeepStrictEqual(v, expected);
      }
      return ok ? undefined : `${a.pathText || "value"} is ${show(v)}`;
    }
  }
}

function unquote(raw: string): string {
  const m = raw.match(/^"((?:[^"\\]|\\.)*)"$/) ?? raw.match(/^'(.*)'$/);
  return m ? (m[1] as string).replace(/\\(.)/g, "$1") : raw;
}

/**
 * Runs every check of a case; returns one message per failure, each quoting the check line and what
 * was actually found (a Known-wrong check fails when it passes).
 */
export function runChecks(checks: Check[], docs: CaseDocs, file = "in.yaml"): string[] {
  const failures: string[] = [];
  for (const check of checks) {
    const problem = evaluateCheck(check, docs);
    const where = `${file}:${check.line}: # Check: ${check.text}`;
    if (check.knownWrong !== undefined) {
      if (problem === undefined)
        failures.push(`${where}\n    now holds; remove its '# Known-wrong: ${check.knownWrong}' line`);
    } else if (problem !== undefined) failures.push(`${where}\n    ${problem}`);
  }
  return failures;
}
