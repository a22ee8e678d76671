/**
 * The first layer, one per model. opt-in: Accept all / Reject all / Customize,
 * equal in weight. opt-out: "Do not sell or share my personal information", or
 * the news that Global Privacy Control was honored. notice: OK. It is a labelled
 * region, not a modal: the shop stays usable while it is open.
 */
import { h } from "./dom.js";
import { PART } from "./hooks.js";
import { state } from "./state.js";
import { button, uiRoot } from "./ui.js";

let banner = null;

/** act(action), the action named by its button: accept_all, reject_all, customize, ok, do_not_sell */
export function showBanner(act, gpcHonored) {
  hideBanner();
  const { texts, model, lang } = state._config;
  const choice = (action) => button(action, () => act(action));
  const buttons = model === "opt-in"
    ? [choice("accept_all"), choice("reject_all")]
    : [model === "opt-out" && !gpcHonored && choice("do_not_sell"), choice("ok")];
  banner = h("section", { class: "w b", "aria-labelledby": "cm-bt", lang, [PART]: "banner" },
    h("h2", { id: "cm-bt" }, texts.title),
    h("p", null, texts.description),
    gpcHonored && h("p", null, texts.dialog_gpc_honored),
    h("div", { class: "act" }, buttons, choice("customize")));
  uiRoot().append(banner);
}

export function hideBanner() {
  banner?.remove();
  banner = null;
}

export const bannerShown = () => !!banner;
