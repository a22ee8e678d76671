/**
 * The visitor's rights from the preference dialog, by the consent_id in their
 * cookie: download what the service keeps (access, portability) and delete it
 * (erasure). Both are fetched, not followed as links: a failure (the service
 * down, or the receipt still queued so that nothing is stored yet: 404) keeps
 * the visitor on the page with a message instead of an error page, and a
 * cross-origin link's `download` attribute would be ignored anyway; the record
 * is saved from a blob URL, which is same-origin.
 */
import { closeDialog } from "./dialog.js";
import { announce, apply, ask, button, drop, h, page, state, writeConsent } from "./lent.js";

/** The dialog's live region by these controls, visible too: "Nothing has been deleted ...". */
let note = null;

/** The message line, then Download and Delete. */
export const recordControls = () => [note = h("p", { role: "status" }), h("div", { class: "act" },
  button("download", () => exercise()),
  button("delete", () => exercise("DELETE")))];

/**
 * After an erasure the service can no longer prove the visitor's choice: as after a
 * withdrawal, the cookie goes (Max-Age 0), optional categories are off (their cookies
 * cleared, Consent Mode denied), no queued choice may re-create the record, and the
 * banner asks again; the next choice gets a new id.
 */
function forget() {
  writeConsent(state._record, state._choices, 0);
  state._record = null;
  drop();
  apply({}, 1);   // (state.js's DEFAULT)
  closeDialog();
  ask();
}

/** No method: GET, download. DELETE: erase, then ask again as if the visitor had never chosen. */
async function exercise(method) {
  const { _id } = state._record;
  const { texts } = state._config;
  let message = texts.dialog_unavailable;   // unless it worked: the service down, an error, a 404
  try {
    const response = await fetch(`${page._api}/api/v1/consents/${_id}`, { method });
    if (response.ok) {
      if (method) {
        forget();
        announce(texts.dialog_deleted);
      } else {
        // The blob stays until the page goes: revoking it at once can cancel the download.
        h("a", { href: URL.createObjectURL(await response.blob()), download: `consent-record-${_id}.json` }).click();
      }
      message = "";
    }
  } catch {}
  note.textContent = message;
}
