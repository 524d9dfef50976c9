"""A GPT in the shape of Karpathy's microgpt (2026), written for livegrad's tests: its own scalar engine,
a character-level GPT on names, Adam. Not Karpathy's file: the same shapes, so that livegrad is tried on
what learners now write and run.

The engine is the class passed in (``Value`` below by default, or ``livegrad.Value``): the model's code
only builds leaves with it and runs ops, so the same code runs unchanged on either.

    python tests/microgpt_like.py [steps] [livegrad]   # train, printing each step's loss
"""

from __future__ import annotations

import math
import random
import sys


class Value:
    """A scalar that remembers its children and the local derivative of each, as numbers."""

    __slots__ = ("data", "grad", "_children", "_local_grads")  # noqa: RUF023  (microgpt's order)

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

    def __pow__(self, other):
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
        topo, visited = [], set()

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


NAMES = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]
CHARS = sorted(set("".join(NAMES)) | set("abcdefghijklmnopqrstuvwxyz"))
BOS = len(CHARS)  # the token that starts and ends a name
VOCAB = len(CHARS) + 1  # 27
N_EMBD, N_HEAD, N_LAYER, BLOCK = 16, 4, 1, 16
HEAD_DIM = N_EMBD // N_HEAD


def make_state_dict(engine=Value, seed=42):
    """The parameters: embeddings, one block's attention and MLP matrices, the output head."""
    rng = random.Random(seed)

    def matrix(nout, nin, std=0.08):
        return [[engine(rng.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]

    state_dict = {"wte": matrix(VOCAB, N_EMBD), "wpe": matrix(BLOCK, N_EMBD), "lm_head": matrix(VOCAB, N_EMBD)}
    for i in range(N_LAYER):
        for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo"):
            state_dict[f"layer{i}.{name}"] = matrix(N_EMBD, N_EMBD)
        state_dict[f"layer{i}.mlp_fc1"] = matrix(4 * N_EMBD, N_EMBD)
        state_dict[f"layer{i}.mlp_fc2"] = matrix(N_EMBD, 4 * N_EMBD)
    return state_dict


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


def gpt(state_dict, token_id, pos_id, keys, values):
    """The logits for the next token, the keys and values of the positions so far cached in `keys`, `values`."""
    x = [t + p for t, p in zip(state_dict["wte"][token_id], state_dict["wpe"][pos_id])]
    x = rmsnorm(x)
    for li in range(N_LAYER):
        x_residual = x
        x = rmsnorm(x)
        q = linear(x, state_dict[f"layer{li}.attn_wq"])
        k = linear(x, state_dict[f"layer{li}.attn_wk"])
        v = linear(x, state_dict[f"layer{li}.attn_wv"])
        keys[li].append(k)
        values[li].append(v)
        x_attn = []
        for h in range(N_HEAD):
            hs = h * HEAD_DIM
            q_h = q[hs : hs + HEAD_DIM]
            k_h = [ki[hs : hs + HEAD_DIM] for ki in keys[li]]
            v_h = [vi[hs : hs + HEAD_DIM] for vi in values[li]]
            attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(HEAD_DIM)) / HEAD_DIM**0.5 for t in range(len(k_h))]
            attn_weights = softmax(attn_logits)
            x_attn.extend(sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(HEAD_DIM))
        x = linear(x_attn, state_dict[f"layer{li}.attn_wo"])
        x = [a + b for a, b in zip(x, x_residual)]
        x_residual = x
        x = rmsnorm(x)
        x = linear(x, state_dict[f"layer{li}.mlp_fc1"])
        x = [xi.relu() for xi in x]
        x = linear(x, state_dict[f"layer{li}.mlp_fc2"])
        x = [a + b for a, b in zip(x, x_residual)]
    return linear(x, state_dict["lm_head"])


def loss_of(state_dict, name):
    """The mean cross-entropy of predicting each next character of `name` (one position per token)."""
    tokens = [BOS] + [CHARS.index(ch) for ch in name] + [BOS]
    n = min(BLOCK, len(tokens) - 1)
    keys, values = [[] for _ in range(N_LAYER)], [[] for _ in range(N_LAYER)]
    losses = []
    for pos_id in range(n):
        logits = gpt(state_dict, tokens[pos_id], pos_id, keys, values)
        probs = softmax(logits)
        losses.append(-probs[tokens[pos_id + 1]].log())
    return (1 / n) * sum(losses)


def training(engine=Value, steps=3, seed=42, learning_rate=0.01):
    """Train with Adam on one name a step, yielding each step's loss as the step ends."""
    state_dict = make_state_dict(engine, seed)
    params = [p for mat in state_dict.values() for row in mat for p in row]
    m, v = [0.0] * len(params), [0.0] * len(params)
    beta1, beta2, eps = 0.85, 0.99, 1e-8
    for step in range(steps):
        loss = loss_of(state_dict, NAMES[step % len(NAMES)])
        loss.backward()
        lr = learning_rate * (1 - step / steps)
        for i, p in enumerate(params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad**2
            m_hat, v_hat = m[i] / (1 - beta1 ** (step + 1)), v[i] / (1 - beta2 ** (step + 1))
            p.data -= lr * m_hat / (v_hat**0.5 + eps)
            p.grad = 0
        yield loss.data


def train(engine=Value, steps=3, seed=42, learning_rate=0.01):
    """The losses of `training`, step by step."""
    return list(training(engine, steps, seed, learning_rate))


if __name__ == "__main__":
    if sys.argv[2:] == ["livegrad"]:
        from livegrad import Value as engine
    else:
        engine = Value
    for step, loss in enumerate(train(engine, int(sys.argv[1]) if len(sys.argv) > 1 else 3)):
        print(f"step {step}: loss {loss:.6f}")
