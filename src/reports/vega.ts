/**
 * Vega-Lite specs rendered to SVG, headless (no browser, no canvas): the
 * only module that imports vega, so a figure is data plus a spec.
 * @module
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** A Vega-Lite spec. */
export type FigureSpec = TopLevelSpec;

/** Render `spec` to a standalone SVG document. */
export async function renderSvg(spec: FigureSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
