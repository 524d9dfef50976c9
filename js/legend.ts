/** What the records' colours and outlines mean, in one line that wraps as a unit. */

const KEYS: [className: string, text: string, title: string][] = [
  ["lg-key-pos", "grad > 0", "Blue: a positive gradient (raising this value raises the output)"],
  ["lg-key-neg", "grad < 0", "Red: a negative gradient (raising this value lowers the output)"],
  ["lg-key-size", "weak → strong", "The stronger the colour, the larger the gradient, relative to the largest shown"],
  ["lg-key-zero", "0", "No colour: a gradient of exactly zero"],
  ["lg-key-bad", "inf / nan", "Dashed orange outline: an infinite or undefined (nan) data or grad"],
];

export function legend(): HTMLDivElement {
  const element = document.createElement("div");
  element.className = "lg-legend lg-group";
  element.dataset.testid = "legend";
  element.setAttribute("role", "note");
  element.setAttribute("aria-label", "Colour legend");
  for (const [className, text, title] of KEYS) {
    const key = document.createElement("span");
    key.className = `lg-key ${className}`;
    key.title = title;
    const swatch = document.createElement("span");
    swatch.className = "lg-swatch";
    key.append(swatch, text);
    element.append(key);
  }
  return element;
}
