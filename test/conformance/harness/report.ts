/**
 * What a run leaves behind: the baseline (every case's outcome, committed, so a case that passed
 * can never silently stop passing) and docs/conformance.md (generated, for people).
 */
import { type ConformanceRun, emptyTally, type Tally, tally } from "./harness.ts";
import type { CaseResult, Outcome, TestResult } from "./runner.ts";

export interface Baseline {
  schemaVersion: 1;
  suite: string;
  /** test short name → case id → outcome. */
  tests: Record<string, Record<string, Outcome>>;
}

export function baselineOf(run: ConformanceRun): Baseline {
  const tests: Baseline["tests"] = {};
  for (const r of [...run.results].sort((a, b) => a.shortName.localeCompare(b.shortName))) {
    tests[r.shortName] = Object.fromEntries(
      [...r.cases].sort((a, b) => a.id.localeCompare(b.id)).map((c) => [c.id, c.outcome]),
    );
  }
  return { schemaVersion: 1, suite: run.suite, tests };
}

export interface BaselineComparison {
  /** Cases that passed in the baseline and do not pass now (or are gone). */
  regressions: string[];
  /** Cases that pass now and did not before. */
  newPasses: string[];
  /** Any other change of outcome, and cases new to the run. */
  otherChanges: string[];
}

export function compareWithBaseline(baseline: Baseline, run: ConformanceRun): BaselineComparison {
  const out: BaselineComparison = { regressions: [], newPasses: [], otherChanges: [] };
  const now = new Map<string, CaseResult>();
  for (const r of run.results) for (const c of r.cases) now.set(`${r.shortName} ${c.id}`, c);
  const before = new Map<string, Outcome>();
  for (const [test, cases] of Object.entries(baseline.tests)) {
    for (const [id, outcome] of Object.entries(cases)) before.set(`${test} ${id}`, outcome);
  }
  for (const [key, was] of before) {
    const current = now.get(key);
    if (was === "pass" && current?.outcome !== "pass") {
      out.regressions.push(`${key}: was pass, now ${current ? `${current.outcome}: ${current.reason}` : "gone"}`);
    } else if (current && current.outcome !== was) {
      (current.outcome === "pass" ? out.newPasses : out.otherChanges).push(`${key}: ${was} → ${current.outcome}`);
    } else if (!current) {
      out.otherChanges.push(`${key}: ${was} → gone`);
    }
  }
  for (const [key, c] of now) {
    if (before.has(key)) continue;
    (c.outcome === "pass" ? out.newPasses : out.otherChanges).push(`${key}: new case, ${c.outcome}`);
  }
  return out;
}

// ---------- docs/conformance.md ----------

function counts(t: Tally): string {
  return `${t.pass} / ${t.fail} / ${t.unsupported} / ${t.na}`;
}

function caseTally(cases: readonly CaseResult[], group: "status" | "request", probe = false): Tally {
  const t = emptyTally();
  for (const c of cases) {
    if (c.group !== group) continue;
    const outcome = probe && c.probe ? c.probe.outcome : c.outcome;
    t[outcome]++;
  }
  return t;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** A Markdown table with padded columns, as biome formats one (so `biome check` stays clean). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows].map((r) => r.map(escapeCell));
  const width = (text: string) => [...text].length;
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => width(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c + " ".repeat((widths[i] ?? 0) - width(c))).join(" | ")} |`;
  const [head, ...body] = all;
  return [line(head ?? []), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)];
}

function level(r: TestResult): string {
  if (r.mesh) return "mesh";
  const kind = r.core ? "core" : "extended";
  return r.provisional ? `${kind}, provisional` : kind;
}

function caseLabel(c: CaseResult): string {
  const sub = c.subtest.length > 0 ? c.subtest.join(" › ") : "(top level)";
  return `${sub} — \`${c.helper}\` at ${c.position}`;
}

/** Failures and unsupported cases of one class's run, under headings naming the class. */
function outcomeSections(run: ConformanceRun, push: (...l: string[]) => void): void {
  const { label } = run.cls;
  const applicable = run.results.filter((r) => !r.notApplicable);
  push(`## Failures (${label})`, "");
  const failing = applicable.filter((r) => r.cases.some((c) => c.outcome === "fail"));
  if (failing.length === 0) push("None.");
  for (const r of failing) {
    push(`### ${r.shortName}`, "");
    for (const c of r.cases.filter((x) => x.outcome === "fail")) push(`- ${caseLabel(c)}: ${escapeCell(c.reason)}`);
    push("");
  }
  push(`## Unsupported by ${label}`, "");
  const unsupported = applicable.filter((r) => r.cases.some((c) => c.outcome === "unsupported"));
  if (unsupported.length === 0) push("None.");
  for (const r of unsupported) {
    push(`### ${r.shortName}`, "");
    for (const c of r.cases.filter((x) => x.outcome === "unsupported")) {
      push(`- ${caseLabel(c)}${c.limit ? ` [${c.limit}]` : " [no cannot-express entry]"}: ${escapeCell(c.reason)}`);
    }
    push("");
  }
}

function featureSections(run: ConformanceRun, push: (...l: string[]) => void): void {
  const { cls } = run;
  push(
    `## Claimed features (${cls.label})`,
    "",
    ...table(["Feature", `Why ${cls.label} can`], [...cls.claimed]),
    "",
    `## Features not claimed (${cls.label})`,
    "",
    ...table(["Feature", "Why not"], [...cls.unclaimed]),
    "",
    `## What ${cls.label} cannot express`,
    "",
    `A case is unsupported-by-${cls.label} only when the route's status says so; the message is matched`,
    "against this list. Entries without a status message are differences the core does not report:",
    "their cases show as failures, unless the entry says how the harness recognises a case that no",
    `configuration of ${cls.label} could pass.`,
    "",
    ...table(
      ["Limit", "What", "Why", "Reported in status"],
      cls.cannotExpress.map((l) => [
        l.id,
        l.what,
        l.why,
        l.statusMessage ? "yes" : l.recognisedBy ? `no; recognised by the harness: ${l.recognisedBy}` : "no",
      ]),
    ),
    "",
  );
}

/** The page for the ALB run, with a column per other class's run (VPC Lattice, NLB). */
export function renderMarkdown(run: ConformanceRun, ...others: ConformanceRun[]): string {
  const nlb = others.find((o) => o.cls.dataPlane === "nlb");
  const results = [...run.results];
  const applicable = results.filter((r) => !r.notApplicable);
  const core = results.filter((r) => r.coreGatewayHttp);
  const status = tally(results, "status");
  const requests = tally(results, "request");
  const coreStatus = tally(core, "status");
  const coreRequests = tally(core, "request");
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);

  push(
    `# Gateway API conformance, offline (${[run, ...others].map((r) => r.cls.label).join(", ")})`,
    "",
    `<!-- Generated by test/conformance/conformance.test.ts from ${run.suite}. Do not edit. -->`,
    "",
    `switchyard's translators run against every test of \`${run.suite}\`, without a cluster and`,
    "without AWS: the suite's manifests and the expectations its Go code asserts (extracted by",
    "`test/conformance/extract.sh`) are replayed through `translate()`, the computed statuses are",
    "checked with the suite's own comparison rules, and every request is evaluated against the",
    "desired Application Load Balancer listener rules by the pure ALB evaluator. The same run is",
    "made for a VPC Lattice class (controllerName `switchyard.dev/lattice`): requests go through the",
    "desired Lattice model by the pure Lattice rule evaluator (`shared/lattice/evaluate.ts`).",
    ...(nlb
      ? [
          "It is made a third time for a Network Load Balancer class (controllerName `switchyard.dev/nlb`):",
          "TCP, UDP and TLS connections go through the desired NLB model by the pure NLB evaluator",
          "(`shared/elb/nlb-evaluate.ts`), which runs the suite's TCPRoute, UDPRoute and TLSRoute tests.",
        ]
      : []),
    "",
    "The suite itself, run live against the whole pipeline (the ALB class through `switchyard dev`,",
    "moto and an ALB data-plane emulator), is in [conformance-live.md](conformance-live.md), with",
    "what differs from these offline results and why.",
    "",
    `Regenerate this file, \`test/conformance/baseline.json\`${others.map((o) => `, \`test/conformance/baseline-${o.cls.dataPlane}.json\``).join("")}:`,
    "",
    "```sh",
    "SWITCHYARD_UPDATE_CONFORMANCE=1 npx vitest run --project unit test/conformance",
    "```",
    "",
    "## Totals",
    "",
    "Counts are pass / fail / unsupported-by-the-data-plane / not applicable.",
    "",
    ...table(
      ["", "Tests", "Status checks", "Request cases"],
      [
        [
          "All tests",
          `${results.length} (${applicable.length} run on ALB, ${results.length - applicable.length} n/a)`,
          counts(status),
          counts(requests),
        ],
        ["Core GATEWAY-HTTP", String(core.length), counts(coreStatus), counts(coreRequests)],
        ...others.flatMap(classTotals),
      ],
    ),
    "",
    "- **pass**: the check holds, or every response the request can get passes the suite's comparison.",
    "- **fail**: it does not; the reason is listed below.",
    "- **unsupported**: the route the case needs is rejected with `Accepted=False` reason",
    "  `UnsupportedValue` or `IncompatibleFilters`, because the data plane (an ALB, VPC Lattice)",
    "  cannot express it (see below).",
    "- **n/a**: the test needs a feature switchyard does not claim for the class (or is a mesh test); such",
    "  tests are still run, and their would-be outcomes appear in the _probe_ column, uncounted.",
    "",
    "## Offline assumptions",
    "",
    "- **No AWS.** Every Gateway of the class under test is reported to `translate()` as a",
    "  `DataPlaneObservation` with `programmed: true` and the address `<gateway-name>.elb.example`, as",
    "  if its load balancer were active. Programmed and addresses in status are therefore as good as",
    "  the observation, not proven.",
    "- **The class under test** is `switchyard-conformance` with controllerName `switchyard.dev/alb`;",
    "  every Gateway and GatewayClass in the manifests is prepared as the suite's Applier prepares it",
    "  (class name, controller name, address pools).",
    "- **Secrets are imported into ACM.** The TLS Secrets the suite creates at setup, and manifest",
    "  Secrets of type `kubernetes.io/tls` whose `tls.crt`/`tls.key` hold PEM, carry a fake",
    "  `acmCertificateArn`, as after the forwarder's import. Other Secrets have none.",
    "- **Every Service has a ready endpoint.** Each Deployment in the manifests is one ready pod",
    "  (named `<deployment>-<hash>-<id>`, so the suite's pod-name prefix checks apply) with its own",
    "  IP; EndpointSlices list the pods a Service selects. Manifest EndpointSlices are kept.",
    "- **API server behaviour.** Objects are defaulted and validated as the v1.6.1 CRDs say, get",
    "  `generation: 1` and creationTimestamps one second apart in manifest order; a spec change",
    "  bumps the generation. Statuses are written back after every reconcile and read from there.",
    "- **The ALB evaluator models documented ALB behaviour**: rules by priority, host/path/header/",
    "  query/method conditions with ALB's case rules, weighted forwards, redirects (the Location",
    "  always carries a port), fixed responses, host and URL rewrite transforms. A forward to a",
    "  target group without targets — including the sink group that carries invalid backends' share",
    "  — answers **503**, as an ALB does when a target group has no registered targets.",
    "- **Transport.** HTTPS needs an HTTPS listener with a certificate; which certificate the SNI",
    "  name selects is not modelled. Cleartext HTTP/2 (h2c, used by every gRPC test and the H2C",
    "  test) is refused, as ALB speaks HTTP/2 only over TLS. A Gateway address the suite took",
    "  without its port (`usePort: false`) is dialled on the scheme's default port.",
    "- **Weights are compared exactly**: each backend's share of a weighted forward must equal the",
    "  expected fraction.",
    "- **Steps are judged independently.** Unlike the Go suite, a failing step does not stop the",
    "  test, so every case has an outcome.",
    "- **VPC Lattice.** Every Gateway of the Lattice class is observed programmed at",
    "  `<gateway-name>.lattice.example`, standing for the DNS name its status publishes: its Gateway",
    "  service, merging every route without a hostname. Any other Host reaches the service whose custom domain",
    "  name it is, in the Gateway's service network, or nothing. TLS passthrough listeners forward",
    "  HTTPS requests to the backend by their default action; cleartext HTTP/2 is refused.",
    ...(nlb
      ? [
          "- **NLB.** Every Gateway of the NLB class is observed programmed at `<gateway-name>.nlb.example`.",
          "  A connection meets the listener on its port; one the listener does not carry, or one with no",
          "  listener, is dropped unanswered (NLB resets nothing). TCP and passthrough listeners deliver",
          "  the client's bytes unchanged, so a TLS backend sees the SNI; TLS listeners terminate with the",
          "  certificate SNI selects and forward the same way whatever the name. Every target answers",
          "  with its pod (the echo servers report pod, namespace and, over UDP, SERVICE_NAME); a share",
          "  falling on a target group without targets is not answered. Weighted forwards are compared",
          "  exactly. The suite's base Gateways have HTTP listeners, which an NLB refuses: checks that",
          "  need every Gateway of a namespace Accepted fail on this class (see the NLB failures).",
        ]
      : []),
    "",
  );
  featureSections(run, push);
  for (const other of others) featureSections(other, push);
  push(
    "## Per test",
    "",
    "Status checks and request cases as pass / fail / unsupported / n/a; for n/a tests, the probe",
    "columns give what running them anyway yields (pass / fail / unsupported). The Lattice and NLB",
    "columns are the same run on the VPC Lattice and NLB classes (n/a: a feature the class does not claim).",
    "",
  );
  const byClass = others.map((o) => new Map(o.results.map((r) => [r.shortName, r])));
  const perTest = [...results]
    .sort((a, b) => a.shortName.localeCompare(b.shortName))
    .map((r) => {
      const probed = r.notApplicable !== undefined && r.cases.some((c) => c.probe);
      const probe = (group: "status" | "request") => {
        if (!probed) return "";
        const t = caseTally(r.cases, group, true);
        return `${t.pass} / ${t.fail} / ${t.unsupported}`;
      };
      const otherCells = byClass.flatMap((m) => {
        const o = m.get(r.shortName);
        return [
          o?.notApplicable ? "n/a" : o ? counts(caseTally(o.cases, "status")) : "",
          o?.notApplicable ? "n/a" : o ? counts(caseTally(o.cases, "request")) : "",
        ];
      });
      return [
        r.shortName,
        r.profile ?? "—",
        level(r),
        counts(caseTally(r.cases, "status")),
        counts(caseTally(r.cases, "request")),
        probe("status"),
        probe("request"),
        ...otherCells,
      ];
    });
  push(
    ...table(
      [
        "Test",
        "Profile",
        "Level",
        "Status checks",
        "Request cases",
        "Probe status",
        "Probe requests",
        ...others.flatMap((o) => {
          const short = o.cls.dataPlane === "lattice" ? "Lattice" : o.cls.label;
          return [`${short} status`, `${short} requests`];
        }),
      ],
      perTest,
    ),
  );
  push("");
  outcomeSections(run, push);
  for (const other of others) outcomeSections(other, push);
  push(`## Not applicable (${run.cls.label})`, "");
  for (const r of results.filter((x) => x.notApplicable))
    push(`- **${r.shortName}**: ${escapeCell(r.notApplicable ?? "")}`);
  const naInRun = applicable.flatMap((r) => r.cases.filter((c) => c.outcome === "na").map((c) => ({ r, c })));
  if (naInRun.length > 0) {
    push("", "Cases not applicable within tests that run:", "");
    for (const { r, c } of naInRun) push(`- ${r.shortName}: ${caseLabel(c)}: ${escapeCell(c.reason)}`);
  }
  push("");
  return lines.join("\n");
}

/** Totals rows of another class's run. */
function classTotals(other: ConformanceRun): string[][] {
  const results = other.results;
  const applicable = results.filter((r) => !r.notApplicable);
  // A class not run under GATEWAY-HTTP gets the core tests of the profiles it is run under.
  const http = other.cls.profiles.includes("GATEWAY-HTTP");
  const core = http
    ? results.filter((r) => r.coreGatewayHttp)
    : results.filter(
        (r) => r.core && !r.provisional && r.profile !== undefined && other.cls.profiles.includes(r.profile),
      );
  return [
    [
      `All tests (${other.cls.label})`,
      `${results.length} (${applicable.length} run on ${other.cls.label}, ${results.length - applicable.length} n/a)`,
      counts(tally(results, "status")),
      counts(tally(results, "request")),
    ],
    [
      `Core ${http ? "GATEWAY-HTTP" : other.cls.profiles.join(", ")} (${other.cls.label})`,
      String(core.length),
      counts(tally(core, "status")),
      counts(tally(core, "request")),
    ],
  ];
}
