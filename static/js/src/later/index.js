/**
 * The lazily loaded part's entry (static/js/consent-dialog.js). It hands itself
 * to the first layer that fetched it, through the script element that first
 * layer made for it (../later.js), with the id of this build: a first layer
 * built with another lazy part ignores it. Its styles join the shadow root the
 * first time the dialog opens (the root may not exist before).
 */
import { addDetails } from "./details.js";
import { adopt, borrow } from "./lent.js";

/* global __CSS__, __LATER_ID__ */
let styled = false;

document.currentScript?._hand?.(__LATER_ID__, (kit) => {
  borrow(kit);
  return {
    _add(dialog, gpcHonored, root) {
      if (!styled) adopt(__CSS__);
      styled = true;
      addDetails(dialog, gpcHonored, root);
    },
  };
});
