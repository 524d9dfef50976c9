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
