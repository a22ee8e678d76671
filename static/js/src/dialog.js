/**
 * The preference dialog. Its frame lives in the first layer: a labelled switch
 * per category and Reject all / Accept all / Save my choices / Close, in a
 * native modal <dialog>: the page behind is inert, Esc closes it, and the
 * browser returns focus to where it was. The details come with the lazily
 * loaded part (later/details.js): descriptions, services, the note that GPC was
 * honored, the visitor's record, Tab wrapping inside the dialog, and focus
 * restored by hand for browsers that do not. Without them (that part could not
 * be fetched) the frame alone still lets the visitor choose and withdraw, on
 * whatever configuration the widget has, the built-in one included.
 */
import { h } from "./dom.js";
import { guard } from "./guard.js";
import { button, part } from "./hooks.js";
import { state } from "./state.js";
import { uiRoot } from "./ui.js";

let dialog = null;

/** act(action, picked): accept_all, reject_all or save, with the switches' state; details: the lazy part, or null. */
export function openDialog(act, gpcHonored, details) {
  closeDialog();
  const { texts, categories, lang } = state._config;
  // Each switch is named by its category: the dialog's state is read from them when a button is pressed.
  const picked = () => Object.fromEntries([...dialog.querySelectorAll("input")].map((s) => [s.name, s.checked]));
  dialog = h("dialog", {
    class: "w d", lang, "aria-modal": "true", "aria-labelledby": "cm-dt", ...part("dialog"),
    onclose() {
      this.remove();   // (closing it again later does nothing)
    },
  },
  h("h2", { id: "cm-dt" }, texts.dialog_title),
  h("ul", null, categories.map(({ id, required, title }) => h("li", null,
    h("label", { class: "row" }, h("b", null, title), required
      ? h("span", null, texts.dialog_always_on)
      : h("input", { type: "checkbox", role: "switch", name: id, checked: state._choices[id] }))))),
  h("div", { class: "act" }, ["reject_all", "accept_all", "save"].map((action) =>
    button(action, () => act(action, picked()))), button("close", closeDialog)));
  const root = uiRoot();
  if (details) guard(details._add)(dialog, gpcHonored, root);   // a broken detail must not keep the dialog shut
  root.append(dialog);
  dialog.showModal();
}

export function closeDialog() {
  dialog?.close();
}
