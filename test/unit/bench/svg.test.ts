import { describe, expect, it } from "vitest";
import { barChartSvg, escapeXml, linearTicks, lineChartSvg, logTicks, tickLabel } from "../../../bench/lib/svg.ts";

/** The numeric attribute `name` of every `<tag …>` element, in document order. */
function attributes(svg: string, tag: string, name: string): number[] {
  return [...svg.matchAll(new RegExp(`<${tag} [^>]*\\b${name}="([-0-9.]+)"`, "g"))].map((m) => Number(m[1]));
}

describe("axis ticks", () => {
  it("log ticks are 1-2-5 steps inside the range over few decades", () => {
    expect(logTicks(30, 8000)).toEqual([50, 100, 200, 500, 1000, 2000, 5000]);
  });

  it("log ticks are powers of ten alone over many decades", () => {
    expect(logTicks(1, 1e6)).toEqual([1, 10, 100, 1000, 10000, 100000, 1000000]);
  });

  it("a log axis refuses zero", () => {
    expect(() => logTicks(0, 10)).toThrow(RangeError);
  });

  it("linear ticks are round steps from 0", () => {
    expect(linearTicks(0, 75)).toEqual([0, 20, 40, 60, 80]);
    expect(linearTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it("labels thousands and millions short", () => {
    expect(tickLabel(1000)).toBe("1k");
    expect(tickLabel(2500)).toBe("2.5k");
    expect(tickLabel(3_000_000)).toBe("3M");
    expect(tickLabel(0.5)).toBe("0.5");
  });
});

describe("lineChartSvg", () => {
  const chart = {
    title: "a < b & c",
    xLabel: "routes",
    yLabel: "ms",
    xLog: true,
    yLog: true,
    series: [
      {
        name: "ALB",
        points: [
          { x: 100, y: 10 },
          { x: 10_000, y: 1000 },
        ],
      },
      {
        name: "Lattice",
        points: [
          { x: 100, y: 20 },
          { x: 1_000, y: 200 },
        ],
      },
    ],
  };
  const svg = lineChartSvg(chart);

  it("is one SVG document with an escaped title and a white background", () => {
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(svg).toContain("<title>a &lt; b &amp; c</title>");
    expect(svg).toContain('fill="#ffffff"');
  });

  it("draws one polyline per series and a point per sample, labels the axes as log", () => {
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain("routes (log)");
    expect(svg).toContain("ms (log)");
    expect(svg).toContain(">ALB<");
    expect(svg).toContain(">Lattice<");
  });

  it("places points by log scale: equal ratios are equal distances", () => {
    const xs = attributes(svg, "circle", "cx");
    // ALB at 100 and 10,000; Lattice at 100 and 1,000: 1,000 sits half way between 100 and 10,000.
    const [a100 = 0, a10k = 0, l100 = 0, l1k = 0] = xs;
    expect(l100).toBeCloseTo(a100, 1);
    expect(l1k - a100).toBeCloseTo((a10k - a100) / 2, 0);
    // A larger y is higher on the page (smaller SVG y).
    const ys = attributes(svg, "circle", "cy");
    expect(ys[1]).toBeLessThan(ys[0] ?? 0);
  });

  it("refuses a chart without points", () => {
    expect(() => lineChartSvg({ ...chart, series: [] })).toThrow(RangeError);
  });
});

describe("barChartSvg", () => {
  const chart = {
    title: "calls",
    yLabel: "calls",
    categories: ["create", "no-op"],
    series: [
      { name: "ALB", values: [40, 0] },
      { name: "Lattice", values: [80, 0] },
    ],
  };

  it("draws a bar per series per category, taller for larger values, zero bars flat", () => {
    const svg = barChartSvg(chart);
    const heights = attributes(svg, "rect", "height").slice(1); // the first rect is the background
    // bars come first in the order category × series, then the legend's two swatches (height 12)
    const [albCreate = 0, latticeCreate = 0, albNoop, latticeNoop] = heights;
    expect(latticeCreate).toBeCloseTo(albCreate * 2, 0);
    expect(albNoop).toBe(0);
    expect(latticeNoop).toBe(0);
    expect(heights.slice(4)).toEqual([12, 12]);
    expect(svg).toContain(">create<");
    expect(svg).toContain(">no-op<");
  });

  it("on a log scale, 10× the value is a constant step in height", () => {
    const svg = barChartSvg({
      ...chart,
      yLog: true,
      series: [{ name: "x", values: [10, 100] }],
      categories: ["a", "b"],
    });
    const [h10 = 0, h100 = 0] = attributes(svg, "rect", "height").slice(1);
    expect(h100).toBeCloseTo(h10 * 2, 0);
  });

  it("puts a category's parenthesised tail on a second line", () => {
    const svg = barChartSvg({ ...chart, categories: ["endpoint churn (10 changes)", "delete"] });
    expect(svg).toContain(">endpoint churn<");
    expect(svg).toContain(">(10 changes)<");
    expect(svg).toContain(">delete<");
  });

  it("refuses a series whose length differs from the categories'", () => {
    expect(() => barChartSvg({ ...chart, series: [{ name: "x", values: [1] }] })).toThrow(RangeError);
  });

  it("escapes XML in labels", () => {
    expect(escapeXml(`"<&>"`)).toBe("&quot;&lt;&amp;&gt;&quot;");
    expect(barChartSvg({ ...chart, categories: ["a&b", "c"] })).toContain(">a&amp;b<");
  });
});
