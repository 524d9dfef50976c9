"""livegrad's widget in VS Code's own ipywidgets renderer, `@vscode/jupyter-ipywidgets8` (pinned in
package.json), with a live kernel, in Chromium.

The page is built as VS Code's notebook webview builds it (vscode-jupyter's
src/webviews/webview-side/ipywidgets/): RequireJS, then the renderer's bundle as an ES module whose
`activate` and `vscIPyWidgets8.load()` define `@jupyter-widgets/*` for RequireJS, then its
`WidgetManager` given a kernel, a script loader and an output element (tests/e2e/vscode/host.ts).
Files reach the page as webview resources, `https://file+.vscode-resource.vscode-cdn.net/<path>`,
answered here from disk; any other request outside the Jupyter server is aborted and recorded.

- The kernel: a `@jupyterlab/services` KernelConnection, the class VS Code's webview uses, connected
  straight to a Jupyter server the test starts. VS Code instead gives that connection a fake socket
  and relays its messages through the extension host to the kernel; that relay is not run here.
- anywidget's module: found as VS Code's extension host finds local widget scripts (vscode-jupyter's
  src/notebooks/controllers/ipywidgets/scriptSourceProvider/: localIPyWidgetScriptManager.node.ts and
  baseIPyWidgetScriptManager.ts): the kernel environment's `share/jupyter/nbextensions` is copied to a
  scripts folder, each `*/extension.js` is read for its `requirejs.config` map (`anywidget:
  "nbextensions/anywidget/index"`), and the renderer registers that path in RequireJS when the widget
  manager asks for the module. Never a CDN.
- The theme: VS Code's Dark Modern colours as the `--vscode-*` variables VS Code puts on a webview's
  `<html>`, the `vscode-dark` body class, and the output element's class
  `cell-output-ipywidget-background`, with vscode-jupyter's bridge from those variables to the
  `--jp-*` ones widgets read (renderer/jupyterlabThemeBridge.css), restated below for the variables
  livegrad uses.

Covers: the lecture neuron's cell from examples/01_neuron.ipynb runs in the kernel and its output
draws; a slider goes to the kernel and back; a backward step shows its arithmetic. Not covered: the
extension host itself, VS Code's message relay, its CDN fallback, or ipywidgets 7.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from notebook import drag_x1, first_backward_step, record
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect
from server import Server

ROOT = Path(__file__).resolve().parents[2]
RENDERER = ROOT / "node_modules" / "@vscode" / "jupyter-ipywidgets8" / "dist" / "ipywidgets.js"
REQUIREJS = ROOT / "node_modules" / "requirejs" / "require.js"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
HOST = Path(__file__).resolve().parent / "vscode" / "host.ts"
NBEXTENSIONS = Path(sys.prefix) / "share" / "jupyter" / "nbextensions"  # the kernel's environment
WEBVIEW = "https://file+.vscode-resource.vscode-cdn.net"  # VS Code's asWebviewUri for a local file

# VS Code's Dark Modern theme (its dark_modern.json), as the variables a webview's <html> carries.
DARK_MODERN = {
    "--vscode-font-family": "system-ui, 'Ubuntu', 'Droid Sans', sans-serif",
    "--vscode-font-size": "13px",
    "--vscode-editor-font-family": "'Droid Sans Mono', 'monospace', monospace",
    "--vscode-editor-font-size": "14px",
    "--vscode-editor-background": "#1f1f1f",
    "--vscode-editor-foreground": "#cccccc",
    "--vscode-input-background": "#313131",
    "--vscode-input-foreground": "#cccccc",
    "--vscode-input-border": "#3c3c3c",
    "--vscode-focusBorder": "#0078d4",
    "--vscode-button-background": "#0078d4",
    "--vscode-button-foreground": "#ffffff",
    "--vscode-textLink-foreground": "#4daafc",
    "--vscode-panel-border": "#2b2b2b",
}

# vscode-jupyter's bridge (renderer/jupyterlabThemeBridge.css) for the --jp-* variables livegrad reads.
THEME_BRIDGE = """
body { margin: 0; padding: 12px; background: var(--vscode-editor-background);
       color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); }
.cell-output-ipywidget-background {
  color: var(--vscode-editor-foreground);
  --jp-ui-font-family: var(--vscode-editor-font-family);
  --jp-code-font-family: var(--vscode-editor-font-family);
  --jp-ui-font-size1: var(--vscode-font-size, 13px);
  --jp-content-font-color0: var(--vscode-editor-foreground);
  --jp-content-font-color1: var(--vscode-editor-foreground);
  --jp-ui-font-color0: var(--vscode-editor-foreground);
  --jp-ui-font-color1: var(--vscode-editor-foreground);
  --jp-ui-font-color2: var(--vscode-editor-foreground);
  --jp-ui-font-color3: var(--vscode-editor-foreground);
  --jp-ui-inverse-font-color1: var(--vscode-button-foreground);
  --jp-brand-color0: var(--vscode-button-background);
  --jp-brand-color1: var(--vscode-textLink-foreground, var(--vscode-focusBorder));
  --jp-brand-color2: var(--vscode-focusBorder);
  --jp-border-color1: var(--vscode-panel-border);
  --jp-border-color2: var(--vscode-panel-border);
  --jp-widgets-color: var(--vscode-editor-foreground);
  --jp-widgets-input-color: var(--vscode-input-foreground);
  --jp-widgets-input-border-color: var(--vscode-input-border);
}
.vscode-dark .cell-output-ipywidget-background {
  --jp-layout-color0: var(--vscode-input-background);
  --jp-layout-color1: var(--vscode-input-background);
  --jp-layout-color2: var(--vscode-input-background);
  --jp-layout-color3: var(--vscode-input-background);
  --jp-widgets-input-background-color: var(--vscode-input-background);
}
"""

# The spellings of `requirejs.config({` VS Code looks for in a widget's extension.js, in its order.
REQUIRE_PATTERNS = [
    "require.config({",
    "requirejs?.config({",
    "window.requirejs?.config({",
    "requirejs.config({",
    '["require"].config({',
    "['require'].config({",
    '["requirejs"].config({',
    "['requirejs'].config({",
    '["require"]["config"]({',
    "['require']['config']({",
    '["requirejs"]["config"]({',
    "['requirejs']['config']({",
]
BUNDLED_IN_RENDERER = {
    "jupyter-js-widgets",
    "@jupyter-widgets/base",
    "@jupyter-widgets/controls",
    "@jupyter-widgets/output",
}


def webview_uri(path: Path) -> str:
    return f"{WEBVIEW}{path.as_posix()}"


def require_config(contents: str) -> dict[str, str]:
    """The module -> path map of an extension.js, read as baseIPyWidgetScriptManager.ts
    `extractRequireConfigFromWidgetEntry` reads it (text search, never evaluated)."""
    at = 0
    for patterns in (REQUIRE_PATTERNS, [p[:-2] for p in REQUIRE_PATTERNS]):
        for pattern in reversed(patterns):
            at = contents.find(pattern)
            if at > 0:
                break
        if at > 0:
            break
    if at <= 0:
        return {}
    config = contents[contents.find("{", at) : contents.find(")", at)]
    config = re.sub(r"/\*.*?\*/|//[^\n]*", "", config, flags=re.S)
    config = "".join(line.strip() for line in config.splitlines() if line.strip())
    entries = [e.strip() for e in config.split("{")[-1].split("}")[0].split(",") if ":" in e]
    return {
        k.strip().strip("'\"").strip(): v.strip().strip("'\"").strip() for k, v in (e.split(":", 1) for e in entries)
    }


def local_widget_sources(scripts: Path) -> tuple[str, list[dict[str, str]]]:
    """Copy the kernel environment's nbextensions into `scripts/jupyter/nbextensions` and list each widget
    module's script there, as localIPyWidgetScriptManager.node.ts and localWidgetScriptSourceProvider do."""
    base = scripts / "jupyter"
    shutil.copytree(NBEXTENSIONS, base / "nbextensions")
    config: dict[str, str] = {}
    for entry in sorted((base / "nbextensions").glob("*/extension.js")):
        config.update(require_config(entry.read_text(encoding="utf-8")))
    sources = [
        {"moduleName": name, "scriptUri": webview_uri(base / path), "source": "local"}
        for name, path in config.items()
        if name not in BUNDLED_IN_RENDERER
    ]
    return webview_uri(base), sources


def webview_page(host_js: Path) -> str:
    theme = "; ".join(f"{name}: {value}" for name, value in DARK_MODERN.items())
    return f"""<!doctype html>
<html style="{theme}">
<head><meta charset="utf-8"><title>VS Code notebook output</title>
<style>{THEME_BRIDGE}</style>
<script src="{webview_uri(REQUIREJS)}"></script>
<script src="{webview_uri(host_js)}"></script>
<script type="module">
  import {{ activate }} from "{webview_uri(RENDERER)}";
  activate();
  window.rendererActivated = true;
</script>
</head>
<body class="vscode-dark" data-vscode-theme-kind="vscode-dark" data-vscode-theme-name="Dark Modern">
<div id="widgets"></div><div id="outputs"></div>
</body></html>"""


def test_vscode_renderer_draws_the_neuron_and_answers_sliders_and_steps(
    page: Page, jupyter: Server, tmp_path: Path, screenshots: Path
) -> None:
    if not RENDERER.exists() or not ESBUILD.exists() or not (NBEXTENSIONS / "anywidget").exists():
        pytest.skip("the VS Code renderer or esbuild (npm ci), or anywidget's nbextension (pip install), missing")
    host_js = tmp_path / "host.js"
    subprocess.run(
        [ESBUILD, HOST, "--bundle", "--format=iife", f"--outfile={host_js}", "--log-level=warning"], check=True
    )
    base_url, sources = local_widget_sources(tmp_path / "scripts")
    assert [s["moduleName"] for s in sources] == ["anywidget"]
    readable = [tmp_path, ROOT / "node_modules"]  # a webview's localResourceRoots
    # The page is a real answer from the server (a page the route made up has no address, and Chromium's
    # local-network checks then refuse its websocket to 127.0.0.1).
    (jupyter.notebooks / "vscode-webview.html").write_text(webview_page(host_js), encoding="utf-8")
    page_url = f"{jupyter.url}/files/vscode-webview.html?token={jupyter.token}"
    refused: list[str] = []

    def answer(route: Route) -> None:
        url = route.request.url
        if url.startswith(WEBVIEW):
            path = Path(url.removeprefix(WEBVIEW).split("?")[0])
            if any(path.is_relative_to(root) for root in readable) and path.is_file():
                kind = "text/javascript" if path.suffix == ".js" else "application/octet-stream"
                return route.fulfill(path=path, content_type=kind, headers={"Access-Control-Allow-Origin": "*"})
        elif url.startswith(jupyter.url):
            return route.continue_()
        refused.append(url)
        route.abort()

    page.route("**/*", answer)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    expect.set_options(timeout=30_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(page_url)
    page.wait_for_function("() => window.rendererActivated && window.livegradHost")
    cell = json.loads((ROOT / "examples" / "01_neuron.ipynb").read_text(encoding="utf-8"))["cells"][1]
    code = "".join(cell["source"])
    assert "GraphWidget(o)" in code
    options = {"serverUrl": jupyter.url, "token": jupyter.token, "baseUrl": base_url, "sources": sources, "code": code}
    # Not awaited here (evaluate has no time limit): a failure shows as no widget, with the page's console.
    page.evaluate("options => { window.livegradHost.run(options).catch(e => console.error('run: ' + e)); }", options)
    root = page.locator(".cell-output-ipywidget-background .livegrad[data-ready]")
    try:
        root.wait_for(timeout=60_000)
    except PlaywrightError:
        log = page.evaluate("() => window.livegradHost.log")
        raise AssertionError(f"no widget drawn; console: {console}; renderer: {log}; refused: {refused}") from None
    log = page.evaluate("() => window.livegradHost.log")
    assert f"script registered: anywidget at {sources[0]['scriptUri']}" in log, log
    expect(record(root, "o")).to_contain_text("data 0.7071")
    expect(record(root, "x1")).to_contain_text("grad -1.5000")

    # A slider: the page replays at once, then the kernel's acknowledged answer holds Python's values.
    seed = drag_x1(root, 25)
    first_backward_step(root, seed)  # stepping: n gets its gradient, with its arithmetic
    page.screenshot(path=screenshots / "vscode-dark-neuron-1400.png")
    assert refused == []
