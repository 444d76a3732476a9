/**
 * Every kernel definition `installWasmKernels` installs: the list, and
 * nothing else. Each file holds one family's wasm functions and the tfjs
 * kernels it registers with their adapters.
 * @module
 */
import type { KernelDefinition } from "./shared.ts";
import { adamwKernels } from "./adamw.ts";
import { batchMatMulKernels } from "./batch_matmul.ts";
import { copyBlocksKernels } from "./copy_blocks.ts";
import { geluKernels } from "./gelu.ts";
import { identityKernels } from "./identity.ts";
import { layerNormKernels } from "./layer_norm.ts";
import { reduceKernels } from "./reduce.ts";
import { segmentSumKernels } from "./segment_sum.ts";
import { softmaxGradKernels } from "./softmax_grad.ts";
import { transposeKernels } from "./transpose.ts";

/** The installed kernel definitions. */
export const KERNELS: readonly KernelDefinition[] = [
  batchMatMulKernels,
  transposeKernels,
  reduceKernels,
  identityKernels,
  copyBlocksKernels,
  segmentSumKernels,
  layerNormKernels,
  geluKernels,
  adamwKernels,
  softmaxGradKernels,
];
