/**
 * Building the widget's elements: h("p", {class: "x", onclick: fn}, "text", child).
 * A falsy attribute value leaves the attribute out; listeners run through guard.
 */
import { guard } from "./guard.js";

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const key in props) {
    const value = props[key];
    if (key.startsWith("on")) el.addEventListener(key.slice(2), guard(value));
    else if (value) el.setAttribute(key, value);
  }
  el.append(...children.flat().filter(Boolean));
  return el;
}
