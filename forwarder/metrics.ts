/** A small Prometheus registry: counters and gauges with labels, rendered in the text format. */

type Labels = Readonly<Record<string, string>>;

interface Family {
  help: string;
  type: "counter" | "gauge";
  values: Map<string, { labels: Labels; value: number }>;
  collect?: () => number;
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  private family(name: string, type: Family["type"], help: string): Family {
    let family = this.families.get(name);
    if (family === undefined) {
      family = { help, type, values: new Map() };
      this.families.set(name, family);
    }
    return family;
  }

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const family = this.family(name, "counter", help);
    return (labels = {}, by = 1) => {
      const key = labelKey(labels);
      const entry = family.values.get(key) ?? { labels, value: 0 };
      entry.value += by;
      family.values.set(key, entry);
    };
  }

  /** A gauge read when scraped. */
  gauge(name: string, help: string, collect: () => number): void {
    this.family(name, "gauge", help).collect = collect;
  }

  /** The value of a counter or gauge series (for tests and readiness). */
  value(name: string, labels: Labels = {}): number {
    const family = this.families.get(name);
    if (family?.collect) return family.collect();
    return family?.values.get(labelKey(labels))?.value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      if (family.collect) lines.push(`${name} ${family.collect()}`);
      for (const { labels, value } of family.values.values()) {
        const key = labelKey(labels);
        lines.push(key === "" ? `${name} ${value}` : `${name}{${key}} ${value}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }
}

/** The forwarder's metric names, in one place. */
export const METRIC = {
  eventsSent: "switchyard_forwarder_events_sent_total",
  sendErrors: "switchyard_forwarder_send_errors_total",
  relists: "switchyard_forwarder_relists_total",
  claimChecks: "switchyard_forwarder_claim_checks_total",
  bufferDepth: "switchyard_forwarder_buffer_depth",
  watchLag: "switchyard_forwarder_watch_lag_seconds",
  coalescedHeld: "switchyard_forwarder_endpointslices_held",
  statusWrites: "switchyard_forwarder_status_writes_total",
  statusMessages: "switchyard_forwarder_status_messages_total",
  statusRejected: "switchyard_forwarder_status_messages_rejected_total",
  statusErrors: "switchyard_forwarder_status_errors_total",
  statusQueueReachable: "switchyard_forwarder_status_queue_reachable",
} as const;
