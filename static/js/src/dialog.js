/**
 * The preference dialog: a labelled switch per category with its description
 * and services. A native modal <dialog> (the page behind is inert): Esc closes
 * it, Tab wraps inside it, and focus returns to where it was when it closes.
 */
import { h } from "./dom.js";
import { state } from "./state.js";
import { uiRoot } from "./ui.js";

let dialog = null;

/** act(action, picked): accept_all, reject_all or save, with the switches' state. */
export function openDialog(act, gpcHonored) {
  closeDialog();
  const root = uiRoot();
  const opener = root.activeElement || document.activeElement;
  const { texts, categories, lang } = state._config;
  const switches = {};
  const rows = categories.map(({ id, required, title, description, services }) => h("li", null,
    h("label", { class: "row" }, h("b", null, title), required
      ? h("span", null, texts.dialog_always_on)
      : switches[id] = h("input", { type: "checkbox", role: "switch", "aria-describedby": description && `cm-${id}` })),
    description && h("p", { id: `cm-${id}` }, description),
    services.length > 0 && h("p", { class: "svc" }, `${texts.dialog_services}: ${services.join(", ")}`)));
  for (const id in switches) switches[id].checked = state._choices[id];
  const picked = () => Object.fromEntries(Object.entries(switches).map(([id, input]) => [id, input.checked]));
  const button = (action) => h("button", { type: "button", onclick: () => act(action, picked()) }, texts[action]);
  dialog = h("dialog", {
    class: "w d", lang, "aria-modal": "true", "aria-labelledby": "cm-dt",
    "aria-describedby": texts.dialog_description && "cm-dd",
    onclose() {
      this.remove();
      if (dialog === this) dialog = null;
      if (opener?.isConnected) opener.focus();
    },
    onkeydown(event) {
      if (event.key !== "Tab") return;
      const stops = this.querySelectorAll("input,button");
      const [first, last] = [stops[0], stops[stops.length - 1]];
      if (root.activeElement === (event.shiftKey ? first : last)) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      }
    },
  },
  h("h2", { id: "cm-dt" }, texts.dialog_title),
  texts.dialog_description && h("p", { id: "cm-dd" }, texts.dialog_description),
  gpcHonored && h("p", { class: "gpc" }, texts.dialog_gpc_honored),
  h("ul", null, rows),
  h("div", { class: "act" }, button("reject_all"), button("accept_all"), button("save"),
    h("button", { type: "button", onclick: closeDialog }, texts.close)));
  root.append(dialog);
  dialog.showModal();
}

export function closeDialog() {
  dialog?.close();
}
