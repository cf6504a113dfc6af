import type { Report } from "../lib/report.ts";
export async function runIngestThroughput(..._args: number[]): Promise<Report> {
  throw new Error("not yet");
}
