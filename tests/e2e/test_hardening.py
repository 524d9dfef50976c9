"""Bad input, faults and long use, end to end in JupyterLab: nothing breaks, nothing is lost."""

from __future__ import annotations

import json

from notebook import in_kernel, open_and_run, record, shown, slider, synced, widget
from playwright.sync_api import Page, expect

HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def test_hardening(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, jupyter.open_url("hardening.ipynb"))
    hostile, faults, twin_1, twin_2, soak, big = (widget(page, i) for i in range(6))

    # Labels are text: nothing injected, nothing run, every label shown as written.
    expect(record(hostile, HOSTILE)).to_have_count(1)
    for root in (hostile, faults):
        assert root.locator("img, script, b, iframe").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    # A record shows the value's display name, which Python cuts to 24 characters.
    assert record(hostile, HOSTILE).locator("text").first.text_content() == HOSTILE[:23] + "…"
    expect(record(hostile, "</text><b>bold?</b>").locator("text").first).to_have_text("</text><b>bold?</b>")
    expect(record(hostile, '| { } < > " \\ ').locator("text").first).to_have_text('| { } < > " \\ ')
    uni_name = in_kernel(
        page,
        "from livegrad.graph import Graph, display_names;"
        " print(display_names(Graph.of(h).order)[Graph.of(h).order.index(uni)], end='')",
    )
    assert uni_name.startswith("ünïcødé ∂L/∂w 🙂\nsecond") and uni_name.endswith("…")
    expect(record(hostile, "ünïcødé ∂L/∂w 🙂\nsecond line").locator("text").first).to_have_text(
        uni_name.replace("\n", " ")
    )
    expect(hostile.locator(".lg-slider-label").first).to_have_text(HOSTILE)

    # A malformed message reaching the kernel is refused, shown in the widget, and the widget goes on.
    in_kernel(page, "hostile._handle_custom_msg({'type': 'set', 'values': [[999, 'x']]}, [])")
    expect(hostile.get_by_role("alert")).to_contain_text("999 is not the id of a leaf with a slider")
    box = hostile.get_by_role("spinbutton", name="ünïcødé ∂L/∂w 🙂\nsecond line value")
    box.fill("1.5")
    box.press("Enter")
    expect(hostile.get_by_role("alert")).to_be_hidden()
    synced(hostile)
    assert float(in_kernel(page, "print(uni.data)")) == 1.5

    # Math faults from a slider: flagged where they happen, finite again when dragged back.
    x_box = faults.get_by_role("spinbutton", name="x value")
    log_node = faults.locator("g.lg-value").nth(1)  # x.log(), unlabelled
    x_box.fill("-1")
    x_box.press("Enter")
    expect(log_node).to_contain_text("data nan")
    expect(log_node).to_have_class("node lg-value lg-nonfinite")
    # The rest stays correct: x's gradient, 1/x - 1/x² + 300 exp(300 x), is finite at -1.
    expect(record(faults, "x")).to_contain_text("grad -2.0000")
    expect(record(faults, "x")).not_to_have_class("node lg-value lg-nonfinite")
    x_box.fill("0")
    x_box.press("Enter")
    expect(log_node).to_contain_text("data -inf")
    expect(record(faults, "x")).to_contain_text("grad nan")  # inf - inf, as PyTorch gives
    x_box.fill("3")
    x_box.press("Enter")  # exp(900) overflows to inf
    expect(record(faults, "y")).to_contain_text("data inf")
    page.screenshot(path=screenshots / "faults-lab.png")
    x_box.fill("2")
    x_box.press("Enter")
    expect(faults.locator(".lg-nonfinite")).to_have_count(0)  # the page's own replay: the kernel may lag
    synced(faults)
    y = float(in_kernel(page, "print(repr(y.data))"))
    expect(record(faults, "y")).to_contain_text(f"data {shown(y)}")

    # Two views of one widget stay in sync.
    twin_1_box = twin_1.get_by_role("spinbutton", name="a value")
    twin_1_box.fill("0.5")
    twin_1_box.press("Enter")
    expect(record(twin_2, "a")).to_contain_text("data 0.5000")
    expect(record(twin_2, "s")).to_contain_text("data 0.2449")
    expect(slider(twin_2, "a")).to_have_value("0.5")

    # A graph too large to draw: refused with its size, and the page stays responsive.
    expect(big.locator(".lg-too-large")).to_contain_text("too many to send to the page")
    assert big.locator("svg").count() == 0
    twin_1_box.fill("1")
    twin_1_box.press("Enter")
    expect(record(twin_2, "a")).to_contain_text("data 1.0000")

    # A soak: 10,000 slider updates sent faster than the kernel can take them, first in one burst,
    # then as a long fast drag (the page yields every 20 updates, so acks interleave).
    for phase, (start, step, yield_every) in enumerate(((0, 1, 0), (9999, -1, 20))):
        report = soak_slider(page, soak, start, step, 10_000, yield_every)
        print(f"\nsoak phase {phase + 1}: {json.dumps(report)}")
        assert report["python_u"] == report["last_sent"]  # the last value sent wins, in Python too
        assert report["in_order"]  # what reached the kernel came in the order it was sent
        assert report["dom_after"] == report["dom_before"]
        assert report["python_bytes_growth"] < 200_000
    assert report["messages"] > 50  # the drag really went through the kernel many times


SOAK = """async ({ start, step, count, yieldEvery }) => {
  const root = document.querySelectorAll('.livegrad[data-ready]')[4];
  const input = root.querySelector('input[type=range]');
  // The widgets' own DOM must stay flat; JupyterLab's (status bar, tooltips) moves on its own.
  const widgetNodes = () =>
    [...document.querySelectorAll('.livegrad')].reduce((n, w) => n + w.getElementsByTagName('*').length, 0);
  const domBefore = widgetNodes();
  const pageBefore = document.getElementsByTagName('*').length;
  for (let i = 0; i < count; i++) {
    input.value = String(start + step * i);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    if (yieldEvery && i % yieldEvery === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await new Promise((resolve) => {
    const done = () => root.dataset.synced === 'true';
    if (done()) return resolve();
    new MutationObserver((_, observer) => { if (done()) { observer.disconnect(); resolve(); } })
      .observe(root, { attributes: true, attributeFilter: ['data-synced'] });
  });
  const domAfter = widgetNodes();
  const pageAfter = document.getElementsByTagName('*').length;
  return { domBefore, domAfter, pageBefore, pageAfter, shown: root.querySelector('g.lg-value').textContent };
}"""

WATCH = """
import gc, tracemalloc
seen = []
if "watching" not in globals():
    watching = soak.observe(lambda change: seen.append(change.new["data"][0]), "values")
gc.collect()
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
"""

REPORT = """
import json
gc.collect()
after = tracemalloc.get_traced_memory()[0]
tracemalloc.stop()
ordered = seen == sorted(seen, reverse=seen[0] > seen[-1])
print(json.dumps({"python_u": u.data, "messages": len(seen), "in_order": ordered and seen[-1] == u.data,
                  "python_bytes_growth": after - before}))
"""


def soak_slider(page: Page, root, start: int, step: int, count: int, yield_every: int) -> dict:
    in_kernel(page, WATCH)
    result = page.evaluate(SOAK, {"start": start, "step": step, "count": count, "yieldEvery": yield_every})
    report = json.loads(in_kernel(page, REPORT))
    last = start + step * (count - 1)
    assert f"data {shown(last)}" in result["shown"]
    return {
        **report,
        "last_sent": last,
        "dom_before": result["domBefore"],
        "dom_after": result["domAfter"],
        "page_dom_before": result["pageBefore"],
        "page_dom_after": result["pageAfter"],
        "updates": count,
    }
