/**
 * Charts for bench/RESULTS.md as SVG text, pure (no I/O): a line chart with linear or log axes and
 * a grouped bar chart. bench/lib/plot.ts renders them to PNG. Every chart is drawn on a white
 * background with its title, axis labels, ticks and a legend, in a font the renderer finds on the
 * system (sans-serif).
 */

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xLog?: boolean;
  yLog?: boolean;
  width?: number;
  height?: number;
}

export interface BarChart {
  title: string;
  yLabel: string;
  /** One group of bars per category (x axis). */
  categories: string[];
  /** One bar per series in each group; `values[i]` belongs to `categories[i]`. */
  series: { name: string; values: number[] }[];
  /** Log scale for the values (bars start at 1; a 0 is drawn as an empty slot labelled 0). */
  yLog?: boolean;
  width?: number;
  height?: number;
}

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"] as const;

const MARGIN = { left: 80, right: 30, top: 50, bottom: 90 };

/** XML-escapes text for an SVG text node or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A short label for a tick value: 1,000 → "1k", 0.5 → "0.5". */
export function tickLabel(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}

function trim(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** Ticks for a log axis: 1, 2, 5 × powers of ten inside [min, max] (powers of ten alone if many). */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0 && max >= min)) throw new RangeError(`log axis needs 0 < min <= max, got ${min}, ${max}`);
  const from = Math.floor(Math.log10(min));
  const to = Math.ceil(Math.log10(max));
  const steps = to - from > 3 ? [1] : [1, 2, 5];
  const ticks: number[] = [];
  for (let e = from; e <= to; e++) {
    for (const m of steps) {
      const t = m * 10 ** e;
      if (t >= min * 0.999 && t <= max * 1.001) ticks.push(Number(t.toPrecision(3)));
    }
  }
  return ticks;
}

/** About five round ticks for a linear axis from 0 (or `min`) to the first round value ≥ `max`. */
export function linearTicks(min: number, max: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  const end = Math.ceil(max / step - 1e-9) * step;
  for (let t = Math.ceil(min / step) * step; t <= end + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(6)));
  return ticks;
}

interface Axis {
  toPixel: (value: number) => number;
  ticks: number[];
}

function axis(values: number[], log: boolean, from: number, to: number): Axis {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (log) {
    const ticks = logTicks(lo, hi);
    const a = Math.log10(Math.min(lo, ticks[0] ?? lo));
    const b = Math.log10(Math.max(hi, ticks.at(-1) ?? hi));
    const span = b - a || 1;
    return { ticks, toPixel: (v) => from + ((Math.log10(v) - a) / span) * (to - from) };
  }
  const ticks = linearTicks(Math.min(0, lo), hi);
  const a = Math.min(0, lo);
  const b = Math.max(hi, ticks.at(-1) ?? hi);
  const span = b - a || 1;
  return { ticks, toPixel: (v) => from + ((v - a) / span) * (to - from) };
}

function frame(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="28" font-size="18" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
    ...body,
    "</svg>",
  ].join("\n");
}

function legend(names: string[], x: number, y: number): string[] {
  return names.flatMap((name, i) => [
    `<rect x="${x}" y="${y + i * 20 - 10}" width="14" height="12" fill="${PALETTE[i % PALETTE.length]}"/>`,
    `<text x="${x + 20}" y="${y + i * 20}" font-size="13">${escapeXml(name)}</text>`,
  ]);
}

export function lineChartSvg(chart: LineChart): string {
  const width = chart.width ?? 800;
  const height = chart.height ?? 500;
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom + 30;
  const points = chart.series.flatMap((s) => s.points);
  if (points.length === 0) throw new RangeError("a line chart needs at least one point");
  const x = axis(
    points.map((p) => p.x),
    chart.xLog ?? false,
    left,
    right,
  );
  const y = axis(
    points.map((p) => p.y),
    chart.yLog ?? false,
    bottom,
    top,
  );
  const body: string[] = [
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#000"/>`,
    `<line x1="${left}" y1="${bottom}" x2="${left}" y2="${top}" stroke="#000"/>`,
  ];
  for (const t of x.ticks) {
    const px = x.toPixel(t).toFixed(1);
    body.push(`<line x1="${px}" y1="${top}" x2="${px}" y2="${bottom}" stroke="#e0e0e0"/>`);
    body.push(`<text x="${px}" y="${bottom + 18}" font-size="12" text-anchor="middle">${tickLabel(t)}</text>`);
  }
  for (const t of y.ticks) {
    const py = y.toPixel(t).toFixed(1);
    body.push(`<line x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="#e0e0e0"/>`);
    body.push(
      `<text x="${left - 8}" y="${py}" font-size="12" text-anchor="end" dominant-baseline="middle">${tickLabel(t)}</text>`,
    );
  }
  body.push(
    `<text x="${(left + right) / 2}" y="${bottom + 45}" font-size="14" text-anchor="middle">${escapeXml(chart.xLabel)}${chart.xLog ? " (log)" : ""}</text>`,
    `<text x="20" y="${(top + bottom) / 2}" font-size="14" text-anchor="middle" transform="rotate(-90 20 ${(top + bottom) / 2})">${escapeXml(chart.yLabel)}${chart.yLog ? " (log)" : ""}</text>`,
  );
  chart.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    const path = sorted.map((p) => `${x.toPixel(p.x).toFixed(1)},${y.toPixel(p.y).toFixed(1)}`).join(" ");
    body.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of sorted)
      body.push(`<circle cx="${x.toPixel(p.x).toFixed(1)}" cy="${y.toPixel(p.y).toFixed(1)}" r="4" fill="${color}"/>`);
  });
  body.push(
    ...legend(
      chart.series.map((s) => s.name),
      left + 15,
      top + 15,
    ),
  );
  return frame(width, height, chart.title, body);
}

export function barChartSvg(chart: BarChart): string {
  const width = chart.width ?? 900;
  const height = chart.height ?? 520;
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top + 10 + chart.series.length * 20;
  const bottom = height - MARGIN.bottom;
  for (const s of chart.series)
    if (s.values.length !== chart.categories.length)
      throw new RangeError(`series ${s.name} has ${s.values.length} values for ${chart.categories.length} categories`);
  const values = chart.series.flatMap((s) => s.values);
  const log = chart.yLog ?? false;
  const y = axis(log ? [1, ...values.filter((v) => v >= 1)] : [0, ...values], log, bottom, top);
  const base = log ? y.toPixel(1) : y.toPixel(0);
  const group = (right - left) / Math.max(1, chart.categories.length);
  const bar = (group * 0.8) / Math.max(1, chart.series.length);
  const body: string[] = [];
  for (const t of y.ticks) {
    const py = y.toPixel(t).toFixed(1);
    body.push(`<line x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="#e0e0e0"/>`);
    body.push(
      `<text x="${left - 8}" y="${py}" font-size="12" text-anchor="end" dominant-baseline="middle">${tickLabel(t)}</text>`,
    );
  }
  chart.categories.forEach((category, c) => {
    const gx = left + c * group + group * 0.1;
    chart.series.forEach((s, i) => {
      const v = s.values[c] ?? 0;
      const bx = gx + i * bar;
      const top = v > 0 && (!log || v >= 1) ? y.toPixel(v) : base;
      body.push(
        `<rect x="${bx.toFixed(1)}" y="${top.toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(base - top).toFixed(1)}" fill="${PALETTE[i % PALETTE.length]}"/>`,
        `<text x="${(bx + bar / 2 - 1).toFixed(1)}" y="${(top - 4).toFixed(1)}" font-size="10" text-anchor="middle">${tickLabel(v)}</text>`,
      );
    });
    // A parenthesised tail goes on a second line, so long labels of neighbouring groups do not run into each other.
    const [head = category, tail] = category.split(/ (?=\()/, 2);
    body.push(
      `<text x="${(gx + group * 0.4).toFixed(1)}" y="${bottom + 18}" font-size="12" text-anchor="middle">${escapeXml(head)}</text>`,
    );
    if (tail !== undefined)
      body.push(
        `<text x="${(gx + group * 0.4).toFixed(1)}" y="${bottom + 33}" font-size="12" text-anchor="middle">${escapeXml(tail)}</text>`,
      );
  });
  body.push(
    `<line x1="${left}" y1="${base}" x2="${right}" y2="${base}" stroke="#000"/>`,
    `<line x1="${left}" y1="${bottom}" x2="${left}" y2="${top}" stroke="#000"/>`,
    `<text x="20" y="${(top + bottom) / 2}" font-size="14" text-anchor="middle" transform="rotate(-90 20 ${(top + bottom) / 2})">${escapeXml(chart.yLabel)}${log ? " (log)" : ""}</text>`,
    ...legend(
      chart.series.map((s) => s.name),
      left + 15,
      MARGIN.top + 10,
    ),
  );
  return frame(width, height, chart.title, body);
}
