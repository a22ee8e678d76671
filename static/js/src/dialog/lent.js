/**
 * What the preference dialog (this folder) uses of the first layer, in one
 * place. static/js/consent.js bundles the dialog, and these are the first
 * layer's own modules. In the lazily loaded static/js/consent-dialog.js the
 * build puts ./borrowed.js in this module's place: the same names, handed over
 * by the first layer that fetched it (../later.js), so that there is one
 * consent state, not a second, empty copy.
 */
export { writeConsent } from "../cookies.js";
export { h } from "../dom.js";
export { drop } from "../receipts.js";
export { apply, state } from "../state.js";
export { page } from "../tag.js";
export { adopt, announce, button, uiRoot } from "../ui.js";
export { ask } from "../visit.js";
