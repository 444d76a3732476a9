import { assertEquals, assertOk } from "../core/assert.ts";
import { peerAvailable, peerRatio, type PeerResult, runPeer } from "./bench_peer.ts";

const peer = (threads: number, tokensPerSecond: number): PeerResult => ({
  peer: "pytorch",
  version: "x",
  blas: [],
  threads,
  torchThreads: threads,
  blasThreads: 1,
  shape: "d8/L1/h2/mlp16/V11",
  mode: "train",
  msPerStep: 1,
  tokensPerSecond,
});

Deno.test("peer ratio: ours over the peer's at the same shape and thread count", () => {
  const results = [peer(1, 400), peer(2, 800)];
  const ours = { shape: "d8/L1/h2/mlp16/V11", mode: "train", tokensPerSecond: 200 };
  assertEquals(peerRatio(ours, 1, results), 0.5);
  assertEquals(peerRatio(ours, 2, results), 0.25);
  assertEquals(peerRatio(ours, 4, results), null);
  assertEquals(peerRatio({ ...ours, shape: "other" }, 1, results), null);
});

Deno.test({
  name: "the PyTorch peer runs a tiny shape and names its BLAS",
  ignore: !(await peerAvailable()),
  async fn() {
    const [one, two] = await runPeer(["d8/L1/h2/mlp16/V11"], { batch: 2, seq: 8, steps: 2, threads: [1, 2] });
    assertEquals([one.shape, one.threads, one.mode], ["d8/L1/h2/mlp16/V11", 1, "train"]);
    // Two threads: the faster of the two splits, one of them on two threads.
    assertEquals([two.threads, Math.max(two.torchThreads, two.blasThreads)], [2, 2]);
    const r = one;
    assertOk(r.tokensPerSecond > 0 && r.blas.length > 0, JSON.stringify(r));
  },
});

Deno.test("a missing python is no peer", async () => {
  assertEquals(await peerAvailable("/nonexistent/python3"), false);
});
