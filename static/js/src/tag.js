/**
 * Where this page's widget came from, read once from its script tag: the service
 * (`data-api`, or else the script's own origin), the cookie domain
 * (`data-cookie-domain`), the tag's CSP nonce (the lazily loaded part carries it
 * too), and the script's URL, against which the lazy part's path resolves.
 */
/* global __EMBEDDED__ */
export const page = {};

export function readTag() {
  // /widget.js always runs as its tag's own script; consent.js may be found by its data-api.
  const script = __EMBEDDED__ ? document.currentScript :
    document.currentScript || document.querySelector("script[data-api]") || { dataset: {} };
  const src = new URL(script.src || location.href);
  page._api = (script.dataset.api || src.origin).replace(/\/+$/, "");
  page._domain = script.dataset.cookieDomain;
  page._nonce = script.nonce;
  page._src = src;
}
