"""Navigation on big graphs in a saved page (Chromium, no kernel): search, paths, + slider, stepping by element."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from livegrad import GraphWidget, Value
from livegrad.datasets import svm_loss, two_moons
from livegrad.nn import MLP

FIND = "Find a value by name or label"


def open_saved(page: Page, path: Path, width: int = 1400) -> Locator:
    expect.set_options(timeout=60_000)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path.as_uri())
    root = page.locator(".livegrad[data-ready]")
    expect(root).to_be_visible()
    return root


def card(root: Locator, label: str) -> Locator:
    return root.locator(f'g.lg-value[data-label="{label}"]')


def hit_at_centre(page: Page, target: Locator) -> str | None:
    """The data-label of the value card that `elementFromPoint` finds at `target`'s centre."""
    box = target.bounding_box()
    assert box is not None
    return page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('g.lg-value')?.dataset.label ?? null",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )


def find(root: Locator, text: str) -> None:
    search = root.get_by_role("searchbox", name=FIND)
    search.fill(text)
    search.press("Enter")


@pytest.fixture(scope="module")
def mlp_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1)
    out = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    out.label = "out"
    return GraphWidget(out).save_html(tmp_path_factory.mktemp("navigate") / "mlp.html")


def test_search_reveals_centres_and_offers_a_slider(page: Page, mlp_page: Path, screenshots: Path) -> None:
    root = open_saved(page, mlp_page, width=420)
    expect(root.locator("input[type=range]")).to_have_count(12)
    expect(card(root, "L1.N3.b")).to_have_count(0)  # folded away at first
    find(root, "L1.N3.b")
    found = card(root, "L1.N3.b")
    expect(found).to_have_class(re.compile(r"\blg-found\b"))
    assert hit_at_centre(page, found) == "L1.N3.b"
    expect(root.locator(".lg-search-status")).to_have_text("1 match: L1.N3.b")
    root.get_by_role("button", name="Add a slider for L1.N3.b").click()
    expect(root.get_by_role("slider", name="L1.N3.b")).to_be_visible()
    page.screenshot(path=screenshots / "navigate-found-420.png", full_page=True)

    find(root, "no such value")
    expect(root.locator(".lg-search-status")).to_have_text("No value is named or labelled “no such value”.")


def test_click_shows_paths_and_stepping_names_the_element(page: Page, mlp_page: Path, screenshots: Path) -> None:
    root = open_saved(page, mlp_page)
    find(root, "L1.N3.w0")
    card(root, "L1.N3.w0").click()
    expect(root.locator("svg.lg-path-on")).to_have_count(1)
    expect(root.locator(".lg-navbar")).to_contain_text("L1.N3.w0 reaches out through")
    page.screenshot(path=screenshots / "navigate-paths-1400.png")
    root.locator(".lg-graph").press("Escape")
    expect(root.locator("svg.lg-path-on")).to_have_count(0)

    root.get_by_role("button", name="Step backward pass").click()
    root.get_by_role("button", name="Next step").click()
    counter = root.locator(".lg-step-count")
    expect(counter).to_contain_text("Backward pass: step 1 of")
    for _ in range(3):
        root.get_by_role("button", name="Next step").click()
    expect(counter).to_contain_text(" · in ")
    expect(root.get_by_test_id("step-panel")).not_to_contain_text("#")


def test_demo_loss_search_finds_a_parameter_inside_the_stack(page: Page, tmp_path: Path, screenshots: Path) -> None:
    model = MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1337)
    loss = svm_loss(model, *two_moons(100))
    loss.label = "loss"
    root = open_saved(page, GraphWidget(loss).save_html(tmp_path / "demo.html"))
    find(root, "L1.N3.b")
    found = card(root, "L1.N3.b")
    expect(found).to_have_count(1)
    assert hit_at_centre(page, found) == "L1.N3.b"
    found.click(modifiers=["Alt"])
    expect(root.locator(".lg-navbar")).to_contain_text("L1.N3.b is a leaf: it depends on no other value")
    page.screenshot(path=screenshots / "navigate-demo-1400.png")
