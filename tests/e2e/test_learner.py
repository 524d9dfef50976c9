"""A learner's own engine in JupyterLab: sliders drive their objects, the records show their gradients,
and Check gradients points at the node whose backward is wrong."""

from __future__ import annotations

import math

from notebook import in_kernel, open_and_run, pictures, record, shown, widget
from playwright.sync_api import Page, expect

READ = 'print(f"{a.data!r} {b.data!r} {a.grad!r} {b.grad!r} {f.data!r}")'


def learner_values(page: Page, want_b: float) -> tuple[float, float, float, float, float]:
    """The learner's objects once the kernel has applied the slider's last position."""
    for _ in range(100):
        values = tuple(map(float, in_kernel(page, READ).split()))
        if values[1] == want_b:
            return values  # type: ignore[return-value]
        page.wait_for_timeout(50)
    raise AssertionError(f"the kernel never saw b = {want_b}: {in_kernel(page, READ)}")


def test_a_learners_engine_live(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, jupyter.open_url("learner.ipynb"))
    root = widget(page)
    # f = a*b + a. Their * assigns, so a.grad keeps only b (d's backward runs after f's): -2, where d f/d a is -1.
    expect(record(root, "a")).to_contain_text("grad -2.0000")
    expect(record(root, "f")).to_contain_text("data -3.0000")

    box = root.get_by_role("spinbutton", name="b value")
    box.fill("1.5")
    box.press("Enter")
    a, _, a_grad, b_grad, f = learner_values(page, 1.5)
    assert (a, a_grad, b_grad) == (3.0, 1.5, 3.0) and f == 3.0 * 1.5 + 3.0  # their engine's numbers
    expect(record(root, "f")).to_contain_text(f"data {shown(f)}")
    expect(record(root, "a")).to_contain_text(f"grad {shown(a_grad)}")  # theirs, not livegrad's 2.5
    expect(record(root, "b")).to_contain_text(f"grad {shown(b_grad)}")
    expect(box).to_have_value("1.5")

    root.get_by_role("button", name="Check gradients").click()
    a_mark = root.get_by_test_id("slider-a").locator(".lg-check")
    expect(a_mark).to_have_attribute("data-ok", "false")
    expect(a_mark).to_contain_text("✗ numeric 2.5000")  # d f / d a = b + 1
    expect(root.get_by_test_id("slider-b").locator(".lg-check")).to_have_attribute("data-ok", "true")
    report = in_kernel(page, "from livegrad import gradcheck; print([n.label for n in gradcheck(f).faulty_nodes])")
    assert report.strip() == "['d']"
    # On the graph: the node whose backward assigns is marked, the one whose backward adds is not.
    expect(record(root, "d")).to_have_attribute("data-gradcheck", "fail")
    expect(record(root, "f")).not_to_have_attribute("data-gradcheck", "fail")
    assert root.locator('[data-gradcheck="fail"]').count() == 1
    pictures(page, root, "learner-lab", screenshots)


def test_from_function_lays_out_a_new_shape(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, jupyter.open_url("learner.ipynb"))
    root = widget(page, 1)
    expect(root.locator("g.lg-value")).to_have_count(3)  # x, x·x, y = tanh(x·x)
    expect(record(root, "y")).to_contain_text(f"data {shown(math.tanh(0.5 * 0.5))}")
    box = root.get_by_role("spinbutton", name="k value")
    box.fill("3")
    box.press("Enter")
    expect(root.locator("g.lg-value")).to_have_count(5)  # two more products: laid out again
    expect(record(root, "y")).to_contain_text(f"data {shown(math.tanh(0.5 * 0.5 * 0.5 * 0.5))}")
    expect(root.get_by_role("spinbutton", name="k value")).to_have_value("3")
    x = root.get_by_role("spinbutton", name="x value")
    x.fill("0.9")
    x.press("Enter")
    expect(record(root, "y")).to_contain_text(f"data {shown(math.tanh(0.9 * 0.9 * 0.9 * 0.9))}")
    assert in_kernel(page, "print(t.root.data)").strip() == repr(math.tanh(0.9 * 0.9 * 0.9 * 0.9))
    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "from-function-lab.png")
