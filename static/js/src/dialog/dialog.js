/**
 * The preference dialog: a labelled switch per category with its description
 * and services, and, once the visitor has a stored choice, "Download my consent
 * record" and "Delete my consent record". A native modal <dialog> (the page
 * behind is inert): Esc closes it, Tab wraps inside it, and focus returns to
 * where it was when it closes. Being modal, it has its own polite live region:
 * the one outside it is inert while it is open. Its styles join the widget's
 * shadow root the first time it opens.
 */
import { PART } from "../hooks.js";
import { adopt, button, h, state, uiRoot } from "./lent.js";
import { recordControls } from "./rights.js";

/* global __DIALOG_CSS__ */
let dialog = null;
let styled = false;

/** act(action, picked): accept_all, reject_all or save, with the switches' state. */
export function openDialog(act, gpcHonored) {
  closeDialog();
  const root = uiRoot();
  if (!styled) adopt(__DIALOG_CSS__);
  styled = true;
  const opener = root.activeElement || document.activeElement;
  const { texts, categories, lang } = state._config;
  const switches = {};
  const rows = categories.map(({ id, required, title, description, services }) => h("li", null,
    h("label", { class: "row" }, h("b", null, title), required
      ? h("span", null, texts.dialog_always_on)
      : switches[id] = h("input", {
        type: "checkbox", role: "switch", checked: state._choices[id], "aria-describedby": description && `cm-${id}`,
      })),
    description && h("p", { id: `cm-${id}` }, description),
    services.length > 0 && h("p", null, `${texts.dialog_services}: ${services.join(", ")}`)));
  const picked = () => Object.fromEntries(Object.entries(switches).map(([id, input]) => [id, input.checked]));
  const choice = (action) => button(action, () => act(action, picked()));
  dialog = h("dialog", {
    class: "w d", lang, "aria-modal": "true", "aria-labelledby": "cm-dt", [PART]: "dialog",
    "aria-describedby": texts.dialog_description && "cm-dd",
    onclose() {
      this.remove();
      if (dialog === this) dialog = null;
      opener?.focus();   // a no-op when it has left the page
    },
    onkeydown(event) {
      // Tab from the last stop goes to the first, Shift+Tab from the first to the last.
      const stops = [...this.querySelectorAll("input,button")];
      if (event.shiftKey) stops.reverse();
      if (event.key === "Tab" && root.activeElement === stops.at(-1)) {
        event.preventDefault();
        stops[0].focus();
      }
    },
  },
  h("h2", { id: "cm-dt" }, texts.dialog_title),
  texts.dialog_description && h("p", { id: "cm-dd" }, texts.dialog_description),
  gpcHonored && h("p", null, texts.dialog_gpc_honored),
  h("ul", null, rows),
  h("div", { class: "act" }, choice("reject_all"), choice("accept_all"), choice("save"),
    button("close", closeDialog)),
  // Only the service can answer these: the built-in configuration (the service unreachable) has no such texts.
  state._record && texts.download && recordControls());
  root.append(dialog);
  dialog.showModal();
}

export function closeDialog() {
  dialog?.close();
}
