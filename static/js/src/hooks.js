/**
 * The widget's stable hooks, for tools that drive it (the leak scanner, a site's
 * own tests, tag managers). They are documented in README.md ("Hooks for other
 * tools") and never renamed; every one is named here and set from here:
 *
 *   [data-cm-host]            the element that holds the widget's shadow root (ui.js)
 *   [data-cm="banner"]        the first layer (banner.js)
 *   [data-cm="dialog"]        the preference dialog (dialog/dialog.js)
 *   [data-cm-action="..."]    every button: accept_all, reject_all, customize, save, ok,
 *                             do_not_sell, close, download, delete, load_content (a
 *                             blocked frame's placeholder); its text is the configuration's
 *                             text of the same name (ui.js, button)
 *
 * Constants only, with no imports: the lazily loaded dialog takes them from here too.
 */
export const HOST = "data-cm-host";
export const PART = "data-cm";
export const ACTION = "data-cm-action";
