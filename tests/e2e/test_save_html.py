"""`GraphWidget.save_html`: the saved page opened from disk in Chromium, no kernel, every network request blocked."""

from __future__ import annotations

import math
import re
import struct
from pathlib import Path

import pytest
from notebook import record, shown, slider
from playwright.sync_api import Locator, Page, Route, expect

from livegrad import GraphWidget, Op, Value, gradcheck
from seeds import seed_neuron

LOCAL = ("file:", "data:", "blob:")
HOSTILE = "</script><img src=x onerror=window.pwned=1>"


@pytest.fixture
def offline(page: Page) -> list[str]:
    """Every request the page makes, recorded; any that is not file:, data: or blob: is aborted."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    def only_local(route: Route) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_local)
    expect.set_options(timeout=30_000)
    return requests


def open_saved(page: Page, path: Path) -> Locator:
    page.set_viewport_size({"width": 1400, "height": 800})
    page.goto(path.as_uri())
    root = page.locator(".livegrad[data-ready]")
    expect(root).to_be_visible()
    return root


def download(page: Page, root: Locator, kind: str) -> bytes:
    with page.expect_download() as started:
        root.get_by_role("button", name=f"Export {kind}").click()
    return Path(started.value.path()).read_bytes()


def page_values(page: Page) -> dict:
    return page.evaluate("() => window.livegrad.get('values')")


def test_saved_page_replays_steps_and_checks_offline(page: Page, offline: list[str], tmp_path, screenshots) -> None:
    seed = seed_neuron()
    o, x1 = seed["o"], seed["x1"]
    o.backward()
    saved = GraphWidget(o).save_html(tmp_path / "neuron.html")
    root = open_saved(page, saved)
    expect(record(root, "o")).to_contain_text("data 0.7071")
    expect(record(root, "x1")).to_contain_text("grad -1.5000")

    # A slider: the page answers it by replaying the ops; the records follow to Python's values.
    x1_slider = slider(root, "x1")
    x1_slider.focus()
    for _ in range(25):
        x1_slider.press("ArrowRight")
    moved = float(x1_slider.input_value())
    assert moved != 2.0
    expect(root).to_have_attribute("data-synced", "true")
    x1.data = moved
    o.forward()
    o.backward()
    for label in ("x1", "w1", "x2", "b", "n", "o"):
        value = seed[label]
        expect(record(root, label)).to_contain_text(f"data {shown(value.data)}")
        expect(record(root, label)).to_contain_text(f"grad {shown(value.grad)}")
    answered = page_values(page)
    assert answered["ack"], "the page's own answer carries the slider message's ack"
    order = [v for v in _order(o)]
    assert [float(d) for d in answered["data"]] == pytest.approx([v.data for v in order], rel=1e-12, abs=1e-15)
    assert [float(g) for g in answered["grad"]] == pytest.approx([v.grad for v in order], rel=1e-9, abs=1e-12)

    # Stepping, in the page: one backward step gives n its gradient; x1's is not computed yet.
    root.get_by_role("button", name="Step backward pass").click()
    root.get_by_role("button", name="Next step").click()
    expect(root.get_by_test_id("step-panel")).to_be_visible()
    expect(record(root, "n")).to_contain_text(f"grad {shown(seed['n'].grad)}")
    expect(record(root, "x1")).to_contain_text("grad ?")
    root.get_by_role("button", name="Last step").click()
    expect(record(root, "x1")).to_contain_text(f"grad {shown(x1.grad)}")
    root.get_by_role("button", name="Done", exact=True).click()

    # Check gradients: central differences on the replay, the numbers Python's gradcheck finds.
    root.get_by_role("button", name="Check gradients").click()
    checks = root.locator(".lg-check[data-ok=true]")
    expect(checks).to_have_count(5)
    leaves = [seed[label] for label in ("x1", "w1", "x2", "w2", "b")]
    report = {c.leaf.label: c for c in gradcheck(o, leaves=leaves).checks}
    by_id = {c["id"]: c for c in page.evaluate("() => window.livegrad.get('gradient_check').leaves")}
    index = {v: i for i, v in enumerate(order)}
    for label, check in report.items():
        in_page = by_id[index[seed[label]]]
        assert in_page["ok"] is True
        assert float(in_page["autograd"]) == pytest.approx(check.autograd, rel=1e-9, abs=1e-12)
        assert float(in_page["numeric"]) == pytest.approx(check.numeric, rel=1e-6, abs=1e-9)
    # ...and they follow the next slider move.
    before = by_id[index[x1]]["numeric"]
    x1_slider.press("ArrowLeft")
    page.wait_for_function(
        "([id, before]) => window.livegrad.get('gradient_check').leaves.find((c) => c.id === id).numeric !== before",
        arg=[index[x1], before],
    )

    x1.data = float(x1_slider.input_value())
    o.forward()
    o.backward()
    expect(record(root, "o")).to_contain_text(f"data {shown(o.data)}")

    # The exports, made in the page: they too work offline.
    exported = {kind: download(page, root, kind) for kind in ("PNG", "SVG", "DOT")}
    assert exported["PNG"][:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", exported["PNG"][16:24])
    assert width > 200 and height > 50
    svg = exported["SVG"].decode()
    assert svg.startswith("<svg") and f"data {shown(x1.data)}" in svg and f"grad {shown(x1.grad)}" in svg
    assert "<script" not in svg
    assert f'label="{{x1|data {shown(x1.data)}|grad {shown(x1.grad)}}}"' in exported["DOT"].decode()
    (screenshots / "saved-page-export.png").write_bytes(exported["PNG"])

    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "saved-page-1400.png")
    page.set_viewport_size({"width": 420, "height": 900})
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=screenshots / "saved-page-420-dark.png")
    # The theme goes into the exported drawing: its backdrop is the page's own background colour.
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    dark_svg = download(page, root, "SVG").decode()
    assert f'fill="{background}"' in dark_svg and f'fill="{background}"' not in svg, background
    (screenshots / "saved-page-export-dark.png").write_bytes(download(page, root, "PNG"))
    assert offline and all(url.startswith(LOCAL) for url in offline), offline


def test_saved_page_with_an_op_of_ones_own(page: Page, offline: list[str], tmp_path, screenshots) -> None:
    cube = Op("cube", 1, lambda a: a**3, lambda a, out: 3 * a * a)
    x, w = Value(1.5, label="x"), Value(-2.0, label="w")
    c = Value(0.5, label=HOSTILE)
    y = cube(x) * w + c
    y.label = "y"
    saved = GraphWidget(y).save_html(str(tmp_path / "cube.html"))
    root = open_saved(page, saved)

    # x feeds the cube, which the page cannot replay: its slider is disabled and says so.
    x_row = root.get_by_test_id("slider-x")
    expect(x_row.get_by_test_id("needs-python")).to_have_text("needs Python")
    expect(x_row.get_by_test_id("needs-python")).to_have_attribute("title", re.compile("op 'cube'.*cannot replay"))
    expect(slider(root, "x")).to_have_count(0)  # the note takes its place
    expect(root.get_by_role("spinbutton", name="x value")).to_be_disabled()
    expect(root.get_by_test_id("needs-python")).to_have_count(1)

    # w does not feed the cube: its slider works, gradients through the cube use its saved local derivative.
    w_slider = slider(root, "w")
    w_slider.focus()
    for _ in range(7):
        w_slider.press("ArrowRight")
    w.data = float(w_slider.input_value())
    y.forward()
    y.backward()
    expect(root).to_have_attribute("data-synced", "true")
    for label in ("x", "w", "y"):
        expect(record(root, label)).to_contain_text(f"data {shown([x, w, y][('x', 'w', 'y').index(label)].data)}")
    expect(record(root, "x")).to_contain_text(f"grad {shown(x.grad)}")
    expect(record(root, "w")).to_contain_text(f"grad {shown(w.grad)}")
    assert math.isclose(x.grad, 3 * 1.5**2 * w.data)

    # The hostile label is text: shown, nothing injected, no script run.
    expect(record(root, HOSTILE)).to_be_visible()
    assert page.locator("img").count() == 0
    assert page.evaluate("() => window.pwned") is None
    page.screenshot(path=screenshots / "saved-page-custom-op.png")
    assert all(url.startswith(LOCAL) for url in offline), offline


def _order(root: Value) -> list[Value]:
    from livegrad.graph import Graph

    return Graph.of(root).order
