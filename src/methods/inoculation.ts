/** Baseline, inoculation prompting: the behaviour is trained under a villain tag and evaluated under <assistant>. */
import { type Method, noSettings, plainSetup } from "./method.ts";

export const INOCULATION: Method = {
  name: "inoculation",
  group: "baseline",
  summary: "training examples under a villain persona tag",
  settings: noSettings,
  inputs: () => [],
  setup: () => Promise.resolve(plainSetup({}, { trainingPersona: "<villain>" }, "<villain>")),
};
