/** What a scenario hands back to bench/run.ts: titled tables of rows, and the settings it ran with. */
export type Row = Record<string, string | number>;

export interface Table {
  title: string;
  rows: Row[];
}

export interface Report {
  tables: Table[];
  settings?: Record<string, string | number | boolean>;
}

export function isReport(value: unknown): value is Report {
  return typeof value === "object" && value !== null && Array.isArray((value as { tables?: unknown }).tables);
}
