/** Naive fine-tuning: the narrow task alone, the reference every reduction is measured against. */
import { type Method, noSettings, plainSetup } from "./method.ts";

export const NAIVE: Method = {
  name: "naive",
  group: "reference",
  summary: "the narrow fine-tune alone",
  settings: noSettings,
  inputs: () => [],
  setup: () => Promise.resolve(plainSetup({})),
};
