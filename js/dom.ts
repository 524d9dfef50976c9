/** Small DOM helpers shared by the widget's parts. */

/** A button; `label` names it for assistive tools when its text is a glyph such as "◀". */
export function button(text: string, title: string, onClick: () => void, label?: string): HTMLButtonElement {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = text;
  element.title = title;
  if (label) element.setAttribute("aria-label", label);
  element.addEventListener("click", onClick);
  return element;
}

/**
 * Resolves in a new task, so the browser can paint and handle input between two long pieces of
 * work (a first render of a big graph: folds, layout, drawing). A message, not a timer: timers in
 * a background tab wait a second or more.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
