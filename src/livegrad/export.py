"""A widget's page as one self-contained HTML file: the bundle, its stylesheet and the state inlined.

The page needs no kernel, no server and no network: the widget's own bundle (widget.js) is
inlined once as text and imported from a blob: URL, and `js/standalone.ts` (a few KB) stands in
for the kernel by replaying the graph's ops. The state travels as JSON inside a non-script block, with ``<``,
``>`` and ``&`` written as JSON escapes, so no label can end the block or become markup.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

STATIC = Path(__file__).parent / "static"

# Everything the page may load is in the page; only data: and blob: URLs (the exports) are allowed.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval' blob:; style-src 'unsafe-inline'; "
    "img-src data: blob:; connect-src data: blob:"
)

# Jupyter's theme variables, which the widget's stylesheet reads, for a page outside Jupyter.
PAGE_CSS = """
:root { color-scheme: light dark; --jp-layout-color0: #fff; --jp-layout-color1: #fff; --jp-layout-color2: #eee;
  --jp-ui-font-color1: #1a1a1a; --jp-ui-font-color2: #666; --jp-border-color1: #ccc; }
@media (prefers-color-scheme: dark) { :root { --jp-layout-color0: #111; --jp-layout-color1: #1b1b1b;
  --jp-layout-color2: #333; --jp-ui-font-color1: #e6e6e6; --jp-ui-font-color2: #aaa; --jp-border-color1: #555; } }
body { margin: 16px; background: var(--jp-layout-color0); color: var(--jp-ui-font-color1);
  font-family: system-ui, sans-serif; }
header { color: var(--jp-ui-font-color2); font-size: 13px; margin-bottom: 8px; }
.livegrad .lg-needs-python { flex: 1 1 auto; font-size: 0.9em; color: var(--jp-ui-font-color2); cursor: help; }
"""


def script_json(state: dict) -> str:
    """`state` as JSON safe inside an HTML block: strict (no NaN), and no ``<``, ``>`` or ``&``."""
    text = json.dumps(state, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def inline(text: str, tag: str) -> str:
    """`text` between ``<tag>`` and ``</tag>``, refused if it could end the block early."""
    if f"</{tag}" in text.lower() or "<!--" in text:
        raise ValueError(f"the bundled {tag} holds '</{tag}' or '<!--' and cannot be inlined")
    return text


def standalone_html(state: dict, title: str) -> str:
    """The page: `state` is the widget's synced traits (topology, values, sliders, ...)."""
    widget = inline((STATIC / "widget.js").read_text(encoding="utf-8"), "script")
    script = inline((STATIC / "standalone.js").read_text(encoding="utf-8"), "script")
    style = inline((STATIC / "widget.css").read_text(encoding="utf-8"), "style")
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{PAGE_CSS}</style>\n<style>{style}</style>\n</head>\n<body>\n"
        "<header>Saved from livegrad: this page replays the graph itself, with no Python and no network.</header>\n"
        '<main id="livegrad"></main>\n'
        f'<script type="application/json" id="livegrad-state">{script_json(state)}</script>\n'
        f'<script type="text/plain" id="livegrad-esm">{widget}</script>\n'
        f"<script>{script}</script>\n</body>\n</html>\n"
    )
