/**
 * The part of VS Code's notebook webview that `@vscode/jupyter-ipywidgets8` needs around it, for
 * tests/e2e/test_vscode.py: a kernel connection, a script loader that registers widget scripts in
 * requirejs, and a renderer that shows a cell's widget output. Each follows vscode-jupyter's webview
 * code (src/webviews/webview-side/ipywidgets/kernel/: manager.ts, scriptManager.ts,
 * requirejsRegistry.ts), named at each step. What differs: VS Code's kernel connection is a
 * `@jupyterlab/services` KernelConnection whose socket is proxied by the extension host; here the same
 * class talks to the Jupyter server's websocket directly.
 */
import { KernelManager, KernelMessage, ServerConnection } from "@jupyterlab/services";

/** A widget module's script, as the extension host sends it (IPyWidgets_WidgetScriptSourceResponse). */
interface WidgetScriptSource {
  moduleName: string;
  scriptUri: string;
  source: "local";
}

interface HostOptions {
  /** The Jupyter server, with its token. */
  serverUrl: string;
  token: string;
  /** The webview URI of the copied `share/jupyter` folder (IPyWidgets_BaseUrlResponse). */
  baseUrl: string;
  sources: WidgetScriptSource[];
  code: string;
}

interface ViewLike {
  luminoWidget: unknown;
}
interface VSCodeWidgetManager {
  get_model(id: string): Promise<unknown> | undefined;
  create_view(model: unknown, options: { el: HTMLElement }): Promise<ViewLike>;
  display_view(data: unknown, view: ViewLike, options: { node: HTMLElement }): Promise<unknown>;
}
interface ScriptLoader {
  widgetsRegisteredInRequireJs: Set<string>;
  loadWidgetScript(moduleName: string, moduleVersion: string): Promise<void>;
  successHandler(className: string, moduleName: string, moduleVersion: string): void;
  errorHandler(className: string, moduleName: string, moduleVersion: string, error: unknown): void;
}
interface RequireJs {
  config(config: { baseUrl?: string; paths?: Record<string, string>; map?: object }): void;
}
type ManagerCtor = new (
  kernel: unknown,
  el: HTMLElement,
  loader: ScriptLoader,
  logger: (message: string) => void,
  widgetState: undefined,
) => VSCodeWidgetManager;

const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
const host = window as unknown as {
  requirejs: RequireJs;
  vscIPyWidgets8: { load(): void };
  vscIPyWidgets: { WidgetManager: ManagerCtor };
  livegradHost: { run(options: HostOptions): Promise<void>; log: string[] };
};
const log: string[] = [];

/** scriptManager.ts `loadWidgetScript` + requirejsRegistry.ts `registerScriptsInRequireJs`. */
function scriptLoader(options: HostOptions): ScriptLoader {
  const registered = new Set<string>();
  document.body.dataset.baseUrl = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
  return {
    widgetsRegisteredInRequireJs: registered,
    async loadWidgetScript(moduleName) {
      log.push(`script requested: ${moduleName}`);
      const source = options.sources.find((s) => s.moduleName.toLowerCase() === moduleName.toLowerCase());
      if (!source) return;
      const uri = source.scriptUri.toLowerCase().endsWith(".js") ? source.scriptUri.slice(0, -3) : source.scriptUri;
      host.requirejs.config({ map: { "*": { "jupyter-js-widgets": "@jupyter-widgets/base" } } });
      host.requirejs.config({ baseUrl: options.baseUrl, paths: { [moduleName]: uri } });
      registered.add(moduleName);
      log.push(`script registered: ${moduleName} at ${uri}`);
    },
    successHandler: (className, moduleName) => log.push(`loaded: ${moduleName}.${className}`),
    errorHandler: (className, moduleName, _version, error) =>
      log.push(`failed: ${moduleName}.${className}: ${String(error)}`),
  };
}

/** Start a kernel, run `code` as a cell, render its widget output as manager.ts `renderWidget` does. */
async function run(options: HostOptions): Promise<void> {
  host.vscIPyWidgets8.load(); // renderer/index.ts, on 'ipywidget-renderer-init' with version 8
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: options.serverUrl,
    wsUrl: options.serverUrl.replace(/^http/, "ws"),
    token: options.token,
    appendToken: true,
  });
  const kernel = await new KernelManager({ serverSettings }).startNew({ name: "python3" });
  const container = document.getElementById("widgets") as HTMLElement;
  const manager = new host.vscIPyWidgets.WidgetManager(
    kernel,
    container,
    scriptLoader(options),
    (m) => log.push(m),
    undefined,
  );
  const outputs = document.getElementById("outputs") as HTMLElement;
  const rendered: Promise<unknown>[] = [];
  const future = kernel.requestExecute({ code: options.code });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    if (!KernelMessage.isDisplayDataMsg(msg) && !KernelMessage.isExecuteResultMsg(msg)) return;
    const data = msg.content.data[WIDGET_VIEW] as { model_id: string } | undefined;
    if (!data) return;
    const element = document.createElement("div");
    element.className = "cell-output-ipywidget-background"; // renderer/index.ts renderOutputItem
    outputs.appendChild(element);
    rendered.push(
      (async () => {
        const model = await manager.get_model(data.model_id);
        const view = await manager.create_view(model, { el: element });
        await manager.display_view(data, view, { node: element });
      })(),
    );
  };
  const reply = await future.done;
  if (reply.content.status !== "ok") throw new Error(`the cell failed: ${JSON.stringify(reply.content)}`);
  await Promise.all(rendered);
}

host.livegradHost = { run, log };
