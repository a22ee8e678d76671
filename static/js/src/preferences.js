/**
 * The preference dialog as the first layer sees it: {_open, _close}.
 * static/js/consent.js has it built in (./dialog/), so that it opens on the
 * built-in configuration when the service is down. The one-request tag's
 * first layer fetches it the first time it is wanted (./later.js); when it
 * cannot be fetched there is none, and the caller offers the banner again.
 */
import { closeDialog, openDialog } from "./dialog/dialog.js";
import { later } from "./later.js";

/* global __EMBEDDED__ */
const builtIn = { _open: openDialog, _close: closeDialog };
let loaded = null;

export const preferences = async () => __EMBEDDED__ ? (loaded = await later()) : builtIn;

export const closePreferences = () => (__EMBEDDED__ ? loaded : builtIn)?._close();
