/**
 * `deno task report`: every table (Markdown, CSV, LaTeX) and figure (SVG,
 * rendered with Vega-Lite) of the paper from the recorded experiment
 * reports, and the one page `results/report.html`.
 */
import { paperReportStage } from "../src/pipeline/report.ts";
import { stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(stageUsage("report"), (e) => paperReportStage(e.root));
