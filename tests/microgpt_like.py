"""A GPT trained on names in plain Python, on a scalar autograd engine of its own: the shape of Karpathy's
microgpt (February 2026), written for livegrad's tests and benchmarks (not his file).

The engine is the `Value` class below: `__slots__`, each op storing its local derivatives as numbers,
`backward()` multiplying them along a topological order. The model code (`linear`, `softmax`, `rmsnorm`,
`gpt`, the loss and Adam) never names the engine: only `init_params` makes values, from the class it is
given. So the same code runs on livegrad's engine by replacing the class with ``from livegrad import
Value`` (the tests do exactly that to this file's source) or by passing ``livegrad.Value`` to `training`.

    python tests/microgpt_like.py               # 10 steps on this engine, printing the losses
    python tests/microgpt_like.py livegrad      # the same on livegrad's Value
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterator
from typing import Any, NamedTuple


class Value:
    """A scalar and its gradient; `_children` are its inputs, `_local_grads` d self / d each input."""

    __slots__ = ("_children", "_local_grads", "data", "grad")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, other):  # a constant exponent
        return Value(self.data**other, (self,), (other * self.data ** (other - 1),))

    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        return Value(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self):
        return Value(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


# The model: a stateless function of a token, its position, the cache of earlier keys and values,
# and the parameters. GPT-2 with rmsnorm for layernorm, no biases, relu for gelu, as microgpt has it.


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits):
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def gpt(token_id, pos_id, keys, values, state_dict, n_head):
    """The logits of the token after `token_id` at `pos_id`; appends this position's keys and values."""
    tok_emb = state_dict["wte"][token_id]
    pos_emb = state_dict["wpe"][pos_id]
    x = [t + p for t, p in zip(tok_emb, pos_emb)]
    x = rmsnorm(x)
    head_dim = len(x) // n_head
    for li in range(len(keys)):
        x_residual = x  # 1) multi-head attention
        x = rmsnorm(x)
        q = linear(x, state_dict[f"layer{li}.attn_wq"])
        k = linear(x, state_dict[f"layer{li}.attn_wk"])
        v = linear(x, state_dict[f"layer{li}.attn_wv"])
        keys[li].append(k)
        values[li].append(v)
        x_attn = []
        for h in range(n_head):
            hs = h * head_dim
            q_h = q[hs : hs + head_dim]
            k_h = [ki[hs : hs + head_dim] for ki in keys[li]]
            v_h = [vi[hs : hs + head_dim] for vi in values[li]]
            attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim**0.5 for t in range(len(k_h))]
            attn_weights = softmax(attn_logits)
            head_out = [sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(head_dim)]
            x_attn.extend(head_out)
        x = linear(x_attn, state_dict[f"layer{li}.attn_wo"])
        x = [a + b for a, b in zip(x, x_residual)]
        x_residual = x  # 2) MLP
        x = rmsnorm(x)
        x = linear(x, state_dict[f"layer{li}.mlp_fc1"])
        x = [xi.relu() for xi in x]
        x = linear(x, state_dict[f"layer{li}.mlp_fc2"])
        x = [a + b for a, b in zip(x, x_residual)]
    return linear(x, state_dict["lm_head"])


# Data, tokenizer, parameters, loss, Adam

NAMES = """emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth mila
ella avery sofia camila aria scarlett liam noah oliver elijah william james benjamin lucas henry alexander
mason michael ethan daniel jacob logan jackson levi sebastian mateo jack owen theodore aiden samuel""".split()
CHARS = "abcdefghijklmnopqrstuvwxyz"
BOS = len(CHARS)  # the token that starts and ends every name
VOCAB_SIZE = len(CHARS) + 1


class Config(NamedTuple):
    n_layer: int = 1
    n_embd: int = 16
    n_head: int = 4
    block_size: int = 16


def init_params(Value: type, config: Config, seed: int = 42) -> dict[str, list[list[Any]]]:
    """microgpt's `state_dict`: matrices (lists of rows of `Value`s), drawn from one seeded generator."""
    rng = random.Random(seed)

    def matrix(nout, nin, std=0.08):
        return [[Value(rng.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]

    n = config.n_embd
    state_dict = {"wte": matrix(VOCAB_SIZE, n), "wpe": matrix(config.block_size, n), "lm_head": matrix(VOCAB_SIZE, n)}
    for i in range(config.n_layer):
        state_dict[f"layer{i}.attn_wq"] = matrix(n, n)
        state_dict[f"layer{i}.attn_wk"] = matrix(n, n)
        state_dict[f"layer{i}.attn_wv"] = matrix(n, n)
        state_dict[f"layer{i}.attn_wo"] = matrix(n, n)
        state_dict[f"layer{i}.mlp_fc1"] = matrix(4 * n, n)
        state_dict[f"layer{i}.mlp_fc2"] = matrix(n, 4 * n)
    return state_dict


def parameters(state_dict: dict[str, list[list[Any]]]) -> list[Any]:
    return [p for mat in state_dict.values() for row in mat for p in row]


def tokens_of(name: str) -> list[int]:
    return [BOS, *(CHARS.index(ch) for ch in name), BOS]


def name_loss(state_dict: dict[str, list[list[Any]]], name: str, config: Config) -> Any:
    """The mean cross-entropy of predicting each next character of `name` (and the closing BOS)."""
    tokens = tokens_of(name)
    n = min(config.block_size, len(tokens) - 1)
    keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
    losses = []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        logits = gpt(token_id, pos_id, keys, values, state_dict, config.n_head)
        probs = softmax(logits)
        losses.append(-probs[target_id].log())
    return (1 / n) * sum(losses)


def training(
    Value: type,
    config: Config = Config(),  # noqa: B008
    seed: int = 42,
    num_steps: int = 1000,
    learning_rate: float = 0.01,
) -> Iterator[float]:
    """Train on one name a step with Adam (microgpt's: linear decay, betas 0.85 and 0.99); yields each loss."""
    state_dict = init_params(Value, config, seed)
    params = parameters(state_dict)
    docs = list(NAMES)
    random.Random(seed).shuffle(docs)
    beta1, beta2, eps_adam = 0.85, 0.99, 1e-8
    m = [0.0] * len(params)
    v = [0.0] * len(params)
    for step in range(num_steps):
        loss = name_loss(state_dict, docs[step % len(docs)], config)
        loss.backward()
        lr_t = learning_rate * (1 - step / num_steps)
        for i, p in enumerate(params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad**2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            p.data -= lr_t * m_hat / (v_hat**0.5 + eps_adam)
            p.grad = 0
        yield loss.data


if __name__ == "__main__":
    if sys.argv[1:] == ["livegrad"]:
        from livegrad import Value
    for k, loss in enumerate(training(Value, num_steps=10)):
        print(f"step {k + 1:2d} | loss {loss:.6f}")
