"""examples/08_microgpt.ipynb in JupyterLab: an engine in microgpt's shape read as well as livegrad's own
(names from the variables, ops from the numbers), and a GPT folded by the learner's own functions."""

from __future__ import annotations

from notebook import drawn_elements, in_kernel, open_and_run, pictures, record, shown, synced, widget
from playwright.sync_api import Page, expect


def test_the_neuron_reads_like_the_lecture(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, jupyter.open_url("08_microgpt.ipynb"))
    root = widget(page, 0)
    for name in ("x1", "w1", "x2", "w2", "b", "n", "e", "o"):
        expect(record(root, name)).to_have_count(1)
    expect(record(root, "o")).to_contain_text("grad 1.0000")
    expect(record(root, "x1")).to_contain_text("grad -1.5000")
    text = root.locator(".lg-graph").inner_text()
    assert "Value(" not in text and "?" not in text  # every op read from the numbers, every card named
    expect(root.get_by_role("slider", name="x1", exact=True)).to_be_visible()
    pictures(page, root, "microgpt-neuron", screenshots)


def test_the_gpt_opens_folded_by_the_learners_functions(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, jupyter.open_url("08_microgpt.ipynb"))
    root = widget(page, 1)
    assert 1 <= drawn_elements(root) <= 300
    expect(root.locator('[data-stack="gpt"], [data-group="gpt"]').first).to_be_attached()
    expect(record(root, "loss")).to_contain_text("grad 1.0000")
    assert "Value(" not in root.locator(".lg-graph").inner_text()

    before = drawn_elements(root)
    softmax = root.locator('[data-group="softmax"]').first  # "softmax × 5", off to the left of the first view
    softmax.focus()  # as a keyboard user reaches it (Tab): the view brings it in
    softmax.press("Enter")
    expect(root.locator('[data-group="softmax"]').first).to_be_attached()
    page.wait_for_function(
        "([r, n]) => r.querySelectorAll('.lg-graph g.node:not(.lg-op), .lg-graph g.cluster').length > n",
        arg=[root.element_handle(), before],
    )
    assert "softmax" in in_kernel(page, "print(w.expanded)")

    box = root.get_by_role("spinbutton", name="wte[26][0] value")
    box.fill("0.5")
    box.press("Enter")
    synced(root)
    data, loss = in_kernel(page, "print(state_dict['wte'][26][0].data, loss.data)").split()
    assert float(data) == 0.5
    expect(record(root, "loss")).to_contain_text(f"data {shown(float(loss))}")
    assert float(loss) != 3.2252  # the forward pass ran again, through the learner's objects
    pictures(page, root, "microgpt-gpt", screenshots)
