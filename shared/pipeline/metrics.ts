/**
 * The pipeline's metrics as a port: the handlers count through it, the Lambdas back it with
 * Powertools Metrics (EMF, namespace `switchyard`, flushed by the logMetrics middleware), tests
 * with a recorder they can read.
 */
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export const METRICS_NAMESPACE = "switchyard";

export interface PipelineMetrics {
  count(name: string, value: number, dimensions?: Readonly<Record<string, string>>): void;
  milliseconds(name: string, value: number): void;
}

/** Metrics as EMF through Powertools; a dimensioned count is its own EMF record (singleMetric). */
export function powertoolsMetrics(metrics: Metrics): PipelineMetrics {
  return {
    count(name, value, dimensions) {
      if (!dimensions || Object.keys(dimensions).length === 0) {
        metrics.addMetric(name, MetricUnit.Count, value);
        return;
      }
      const single = metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
      single.addMetric(name, MetricUnit.Count, value);
    },
    milliseconds(name, value) {
      metrics.addMetric(name, MetricUnit.Milliseconds, value);
    },
  };
}

export interface RecordedMetric {
  name: string;
  value: number;
  dimensions?: Readonly<Record<string, string>>;
}

/** Keeps every metric, for tests and local runs. */
export class RecordingMetrics implements PipelineMetrics {
  readonly recorded: RecordedMetric[] = [];

  count(name: string, value: number, dimensions?: Readonly<Record<string, string>>): void {
    this.recorded.push({ name, value, ...(dimensions ? { dimensions } : {}) });
  }

  milliseconds(name: string, value: number): void {
    this.recorded.push({ name, value });
  }

  /** The sum of a metric, optionally only where a dimension has a value. */
  total(name: string, where?: Readonly<Record<string, string>>): number {
    return this.recorded
      .filter((m) => m.name === name)
      .filter((m) => !where || Object.entries(where).every(([k, v]) => m.dimensions?.[k] === v))
      .reduce((sum, m) => sum + m.value, 0);
  }
}
