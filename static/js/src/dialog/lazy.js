/**
 * The entry of the lazily loaded static/js/consent-dialog.js (the one-request
 * tag's dialog). It hands itself to the first layer that fetched it, through
 * the script element that first layer made for it (../later.js), with the id
 * of this build: a first layer built with another lazy part ignores it.
 */
import { borrow } from "./borrowed.js";
import { closeDialog, openDialog } from "./dialog.js";

/* global __LATER_ID__ */
document.currentScript?._hand?.(__LATER_ID__, (kit) => {
  borrow(kit);
  return { _open: openDialog, _close: closeDialog };
});
