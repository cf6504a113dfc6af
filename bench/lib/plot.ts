/** Renders a chart's SVG (bench/lib/svg.ts) to bench/plots/<name>.png with resvg and the system's fonts. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";

export const PLOTS_DIR = join(import.meta.dirname, "..", "plots");

/** Writes the PNG (and the SVG beside it, for review as text); returns the PNG's path. */
export function writePlot(name: string, svg: string): string {
  mkdirSync(PLOTS_DIR, { recursive: true });
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
  const path = join(PLOTS_DIR, `${name}.png`);
  writeFileSync(path, png);
  writeFileSync(join(PLOTS_DIR, `${name}.svg`), svg);
  return path;
}
