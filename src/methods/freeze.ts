/** Baseline: every parameter after the block layer held at the base's values. */
import { paramsAfter } from "../models/model.ts";
import { type Method, noSettings, plainSetup } from "./method.ts";

export const FREEZE: Method = {
  name: "freeze",
  group: "baseline",
  summary: "every parameter after the block layer frozen",
  settings: noSettings,
  inputs: () => [],
  setup(ctx) {
    const frozen = paramsAfter(ctx.model, ctx.run.config.discover.layer);
    return Promise.resolve(plainSetup({ frozen }, { frozen }));
  },
};
