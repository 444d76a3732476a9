"""PyTorch peer of blockem's bench: the organism's transformer (pre-LayerNorm,
fused QKV, tanh GELU MLP, learned positions, untied unembedding), the same
masked next-token loss and an AdamW step, timed per training step at the
shapes the bench passes. Run with Debian's python3 and python3-torch, by
`deno task bench`; prints one JSON line per shape and thread count.

Usage: python3 bench_peer.py --shapes d64/L2/h4/mlp256/V312,... --batch 32
       --seq 64 --steps 20 --warmup 3 --threads 1 [--blas-threads N]

--threads sets torch's own (intra-op) threads; OpenBLAS's are set by the
caller through OPENBLAS_NUM_THREADS before the library loads, and reported
here as --blas-threads.
"""

import argparse
import json
import math
import re
import statistics
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, d, h, mlp):
        super().__init__()
        self.h = h
        self.ln1 = torch.nn.LayerNorm(d)
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.out = torch.nn.Linear(d, d)
        self.ln2 = torch.nn.LayerNorm(d)
        self.mlp_in = torch.nn.Linear(d, mlp)
        self.mlp_out = torch.nn.Linear(mlp, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        dh = d // self.h
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        heads = lambda z: z.view(b, t, self.h, dh).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        scores = (q * (1 / math.sqrt(dh))) @ k.transpose(-2, -1) + mask
        attn = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.out(attn)
        return x + self.mlp_out(F.gelu(self.mlp_in(self.ln2(x)), approximate="tanh"))


class Organism(torch.nn.Module):
    def __init__(self, vocab, seq, d, layers, h, mlp):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, d)
        self.pos = torch.nn.Parameter(torch.randn(seq, d) * 0.02)
        self.blocks = torch.nn.ModuleList(Block(d, h, mlp) for _ in range(layers))
        self.ln_final = torch.nn.LayerNorm(d)
        self.unembed = torch.nn.Linear(d, vocab, bias=False)
        self.register_buffer("mask", torch.full((seq, seq), -1e9).triu(1))

    def forward(self, tokens):
        t = tokens.shape[1]
        x = self.embed(tokens) + self.pos[:t]
        for block in self.blocks:
            x = block(x, self.mask[:t, :t])
        return self.unembed(self.ln_final(x))


def loss_of(model, tokens, mask):
    logits = model(tokens)[:, :-1]
    nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1), reduction="none")
    m = mask[:, 1:].reshape(-1)
    return (nll * m).sum() / m.sum()


def blas_library():
    """The BLAS shared library this process loaded, from its memory map."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if re.search(r"lib(open)?blas|libmkl|libblis", line)}
    return sorted(libs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", default="1")
    ap.add_argument("--blas-threads", type=int, default=1)
    args = ap.parse_args()
    blas = blas_library()
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for shape in args.shapes.split(","):
            d, layers, h, mlp, vocab = map(int, re.match(r"d(\d+)/L(\d+)/h(\d+)/mlp(\d+)/V(\d+)$", shape).groups())
            torch.manual_seed(1)
            model = Organism(vocab, args.seq, d, layers, h, mlp)
            opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
            tokens = torch.randint(0, vocab, (args.batch, args.seq))
            mask = torch.ones(args.batch, args.seq)
            times = []
            for i in range(args.warmup + args.steps):
                start = time.perf_counter()
                opt.zero_grad(set_to_none=True)
                loss = loss_of(model, tokens, mask)
                loss.backward()
                opt.step()
                loss.item()
                if i >= args.warmup:
                    times.append(time.perf_counter() - start)
            ms = statistics.median(times) * 1000
            print(json.dumps({
                "peer": "pytorch",
                "version": torch.__version__,
                "blas": blas,
                "threads": max(threads, args.blas_threads),
                "torchThreads": threads,
                "blasThreads": args.blas_threads,
                "shape": shape,
                "mode": "train",
                "msPerStep": round(ms, 2),
                "tokensPerSecond": round(args.batch * args.seq / (ms / 1000)),
            }), flush=True)


if __name__ == "__main__":
    main()
