/**
 * The widget's stable hooks, for tools that drive it (the leak scanner, a site's
 * own tests, tag managers). They are documented in README.md ("Hooks for other
 * tools") and never renamed; anything a tool may rely on is set here and only here.
 *
 *   [data-cm-host]            the element that holds the widget's shadow root
 *   [data-cm="banner"]        the first layer
 *   [data-cm="dialog"]        the preference dialog
 *   [data-cm-action="..."]    every button: accept_all, reject_all, customize, save, ok,
 *                             do_not_sell, close, download, delete, load_content (a
 *                             blocked frame's placeholder); its text is the configuration's
 *                             text of the same name
 */
import { h } from "./dom.js";
import { state } from "./state.js";

export const HOST = "data-cm-host";

/** The attributes that name a part of the widget: banner or dialog. */
export const part = (name) => ({ "data-cm": name });

/** A button for `action`, labelled with the configuration's text of that name; never a submit button. */
export const button = (action, onclick) =>
  h("button", { type: "button", "data-cm-action": action, onclick }, state._config.texts[action]);
