"""PyTorch graphs in livegrad beside torchviz, on a GPT-2-sized block stack (CPU, random weights).

    PYTHONPATH=src python benchmarks/torch_graphs.py [--blocks 1 4 12] [--width 768] [--repeat 5]

For each graph (`blocks` GPT-2 blocks of width 768, 12 heads, batch 2, 16 tokens, and a loss; `--width`:
a narrower model, the same graph) it
prints the grad_fn nodes, then the median of `repeat` runs of:
- livegrad: what `GraphWidget(loss)` does in the kernel before sending: the walk, the replay with
  torch's ops and torch's hooked backward (`Graph.of`), the topology (names, groups) and the values
  (data, grads, marks and tensor summaries), and the JSON of both;
- torchviz: `make_dot(loss, params=dict(model.named_parameters())).source` on the same graph, the
  named reference (torchviz draws shapes only: no data, no gradients);
- torch f+b: the model's own forward and backward, the floor of livegrad's replay and hooked pass,
  and livegrad's time as a multiple of it (ratio).
The three take turns, `repeat` rounds, so that a shared machine's load falls on all of them alike.
It also prints how many ops livegrad could not replay (their leaves get no slider) and how many
nodes the replayed backward did not reach (their grad reads nan). It asserts nothing: machines are
shared and noisy. torchviz is imported from the environment (pip install torchviz).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

import livegrad
from livegrad.graph import Graph


class Attention(nn.Module):
    """nanoGPT's causal self-attention, written out: one projection to q, k, v, then per head."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.c_attn, self.c_proj = nn.Linear(width, 3 * width), nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        weights = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        return self.c_proj((weights @ v).transpose(1, 2).contiguous().view(b, t, c))


class Block(nn.Module):
    """A GPT-2 block: pre-norm attention and MLP with residuals."""

    def __init__(self, width: int = 768, heads: int = 12) -> None:
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


def build(blocks: int, width: int = 768) -> tuple[nn.Module, torch.Tensor]:
    torch.manual_seed(0)
    model = nn.Sequential(*(Block(width) for _ in range(blocks)))
    x = torch.randn(2, 16, width)
    with livegrad.record():
        loss = model(x).pow(2).mean()
    return model, loss


def snapshot(loss: torch.Tensor) -> tuple[Graph, int]:
    graph = Graph.of(loss)
    sent = json.dumps(graph.topology()) + json.dumps(graph.values(binary=False))
    return graph, len(sent)


def alternating_medians(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The median seconds of each run, the runs taking turns so that a shared machine's load falls on
    all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blocks", type=int, nargs="+", default=[1, 4, 12])
    parser.add_argument("--width", type=int, default=768, help="the model's width (a multiple of 12)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    try:
        from torchviz import make_dot
    except ImportError:
        make_dot = None
        print("torchviz not installed: its column is left out (pip install torchviz)")
    heads = ("nodes", "livegrad", "torchviz", "torch f+b", "ratio", "sent", "not replayed", "grad nan")
    print(f"{'graph':<16} " + " ".join(f"{h:>{max(len(h), 10)}}" for h in heads))
    for blocks in args.blocks:
        model, loss = build(blocks, args.width)
        graph, size = snapshot(loss)
        unknown = sum(1 for v in graph.order if not graph.engine.known(v))
        unreached = sum(1 for v in graph.order if math.isnan(v.grad))
        params = dict(model.named_parameters())
        x = torch.randn(2, 16, args.width)
        runs: dict[str, Callable[[], object]] = {
            "livegrad": lambda loss=loss: snapshot(loss),
            "torch f+b": lambda model=model, x=x: model(x).pow(2).mean().backward(),
        }
        if make_dot:
            runs["torchviz"] = lambda loss=loss, params=params: make_dot(loss, params=params).source
        took = alternating_medians(runs, args.repeat)
        ours, floor, theirs = took["livegrad"], took["torch f+b"], took.get("torchviz", math.nan)
        cells = (
            len(graph.order),
            f"{ours * 1000:.0f}ms",
            f"{theirs * 1000:.0f}ms",
            f"{floor * 1000:.0f}ms",
            f"{ours / floor:.1f}x",
            f"{size / 1e6:.2f}MB",
        )
        print(
            f"{f'{blocks} GPT-2 block(s)':<16} "
            + " ".join(f"{c:>10}" for c in cells)
            + f" {unknown:>12} {unreached:>10}"
        )


if __name__ == "__main__":
    main()
