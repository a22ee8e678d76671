/**
 * The preference dialog's details, added to the frame the first layer built
 * (../dialog.js) just before it opens: the dialog's description, the note that
 * Global Privacy Control was honored, each category's description (which its
 * switch is described by) and services, the visitor's-record actions, and the
 * keyboard refinements.
 */
import { keyboard } from "./keyboard.js";
import { h, state } from "./lent.js";
import { recordControls } from "./rights.js";

export function addDetails(dialog, gpcHonored, root) {
  keyboard(dialog, root);
  const { texts, categories } = state._config;
  const [heading, list] = dialog.children;
  if (texts.dialog_description) {
    heading.after(h("p", { id: "cm-dd" }, texts.dialog_description));
    dialog.setAttribute("aria-describedby", "cm-dd");
  }
  if (gpcHonored) list.before(h("p", null, texts.dialog_gpc_honored));
  categories.forEach(({ id, description, services }, i) => {
    const row = list.children[i];
    if (description) {
      row.append(h("p", { id: `cm-${id}` }, description));
      row.querySelector("input")?.setAttribute("aria-describedby", `cm-${id}`);
    }
    if (services.length) row.append(h("p", null, `${texts.dialog_services}: ${services.join(", ")}`));
  });
  // Only the service can answer these: the built-in configuration (the service unreachable) has no such texts.
  if (state._record && texts.download) dialog.append(...recordControls());
}
