"""Sharing a widget (issue 13): the saved page, the text fallback, and refresh() coalesced for live training."""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from livegrad import GraphWidget, Value
from livegrad.export import script_json
from livegrad.graph import Graph
from livegrad.widget import REFRESH_INTERVAL
from records import node_records
from seeds import seed_neuron

T = TypeVar("T")
STATE = re.compile(r'<script type="application/json" id="livegrad-state">(.*?)</script>', re.S)


def saved_state(path: Path) -> dict:
    (block,) = STATE.findall(path.read_text(encoding="utf-8"))
    return json.loads(block)


def test_save_html_embeds_the_state_and_the_bundle_once(tmp_path: Path) -> None:
    seed = seed_neuron()
    w = GraphWidget(seed["o"], ranges={"x1": (-3, 3)}, rankdir="TB")
    w.set(x1=0.5)
    path = w.save_html(tmp_path / "page.html")
    assert path == tmp_path / "page.html"
    state = saved_state(path)
    assert state["topology"] == w.topology
    assert state["values"] == w.values
    assert state["sliders"] == w.sliders
    assert state["rankdir"] == "TB"
    assert {"mode", "step", "check_gradients", "gradient_check", "error"} <= state.keys()
    assert not any(name.startswith("_") for name in state)  # not the bundle a second time
    text = path.read_text(encoding="utf-8")
    static = Path(__file__).parents[1] / "src" / "livegrad" / "static"
    for bundle in ("widget.js", "standalone.js"):  # the widget's own bundle, once, and the small page script
        assert text.count((static / bundle).read_text(encoding="utf-8")) == 1
    assert "http://" not in text.replace("http://www.w3.org", "")  # SVG namespaces only, never a fetch
    assert "<title>livegrad: o</title>" in text


def test_save_html_labels_cannot_break_out(tmp_path: Path) -> None:
    hostile = '</script><script>alert(1)</script><!-- & "x"'
    a = Value(1.0, label=hostile)
    out = a * 2
    out.label = "</title><b>"
    path = GraphWidget(out).save_html(str(tmp_path / "hostile.html"))
    text = path.read_text(encoding="utf-8")
    assert text.count("</script>") == 3  # the ends of the state, the widget's bundle and the page script
    assert "<title>livegrad: &lt;/title&gt;&lt;b&gt;</title>" in text
    state = saved_state(path)
    assert [node["label"] for node in node_records(state["topology"])] == [hostile, "", "</title><b>"]


def test_script_json_is_strict_and_escapes_markup() -> None:
    assert script_json({"a": "<&>"}) == '{"a":"\\u003c\\u0026\\u003e"}'
    assert json.loads(script_json({"a": "<&>"})) == {"a": "<&>"}
    with pytest.raises(ValueError):
        script_json({"a": math.nan})


def test_save_html_refuses_a_bad_path() -> None:
    w = GraphWidget(seed_neuron()["o"])
    with pytest.raises(TypeError, match="path must be a str or path-like"):
        w.save_html(3)  # type: ignore[arg-type]
    w.close()
    with pytest.raises(ValueError, match="this widget is closed"):
        w.save_html("closed.html")


def test_text_fallback_summarises_the_graph() -> None:
    seed = seed_neuron()
    seed["o"].backward()
    w = GraphWidget(seed["o"])
    assert repr(w) == "GraphWidget(o: data 0.7071, grad 1.0000, 10 values)"
    data, _metadata = w._repr_mimebundle_()
    assert data["text/plain"] == repr(w)
    assert "application/vnd.jupyter.widget-view+json" in data  # the live widget still displays
    held = Value(2.0) * Value(3.0)
    assert repr(GraphWidget(held)) == "GraphWidget(held: data 6.0000, grads not computed, 3 values)"  # its variable
    assert repr(GraphWidget(Value(2.0) * Value(3.0))) == "GraphWidget(2·3: data 6.0000, grads not computed, 3 values)"
    w.close()
    assert repr(w) == "GraphWidget (closed)"


def in_fresh_thread(work: Callable[[], T]) -> T:
    """Run `work` in a thread with no event loop of its own (pytest's thread may hold Playwright's)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def training_step(seed: dict[str, Value], i: int) -> None:
    """An optimiser's step on the neuron's weights, as a training loop would take it."""
    seed["w1"].data -= 0.001 * seed["w1"].grad
    seed["b"].data += 0.0001 * math.sin(i)


def test_refresh_is_coalesced_and_the_last_state_wins() -> None:
    seed = seed_neuron()
    order = Graph.of(seed["o"]).order

    async def train() -> tuple[GraphWidget, list[dict], float]:
        w = GraphWidget(seed["o"])
        sent: list[dict] = []
        w.observe(lambda change: sent.append(change["new"]), "values")
        started = time.monotonic()
        for i in range(1000):
            training_step(seed, i)
            w.refresh()
            assert seed["o"].data == math.tanh(seed["n"].data)  # Python's Values are current at once
        elapsed = time.monotonic() - started
        while w._refresh_scheduled:  # the trailing send runs on the event loop, once the loop yields
            await asyncio.sleep(REFRESH_INTERVAL / 4)
        return w, sent, elapsed

    w, sent, elapsed = in_fresh_thread(lambda: asyncio.run(train()))
    assert 1 <= len(sent) <= 2 + elapsed / REFRESH_INTERVAL  # one per interval at most, plus the trailing one
    assert len(sent) < 1000
    assert sent[-1]["data"] == [v.data for v in order]
    assert sent[-1]["grad"] == [v.grad for v in order]
    assert w.values == sent[-1]


def test_refresh_without_an_event_loop_sends_every_time() -> None:
    seed = seed_neuron()
    w = GraphWidget(seed["o"])
    sent: list[dict] = []
    w.observe(lambda change: sent.append(change["new"]), "values")

    def train() -> None:
        for i in range(5):
            training_step(seed, i)
            w.refresh()

    in_fresh_thread(train)
    assert len(sent) == 5  # nothing could send the last state later, so nothing is held back
    assert sent[-1]["data"] == [v.data for v in Graph.of(seed["o"]).order]


def test_a_widget_closed_before_its_trailing_send_sends_nothing() -> None:
    seed = seed_neuron()

    async def refresh_then_close() -> list[dict]:
        w = GraphWidget(seed["o"])
        w.check_gradients = True  # its check would need the graph the close lets go of
        sent: list[dict] = []
        w.observe(lambda change: sent.append(change["new"]), "values")
        w.refresh()  # within the interval of the first send: held for the trailing send
        assert w._refresh_scheduled
        w.close()
        while w._refresh_scheduled:
            await asyncio.sleep(REFRESH_INTERVAL / 4)
        return sent

    assert in_fresh_thread(lambda: asyncio.run(refresh_then_close())) == []
