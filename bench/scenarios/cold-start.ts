import type { Report } from "../lib/report.ts";
export async function runColdStart(..._args: number[]): Promise<Report> {
  throw new Error("not yet");
}
