/**
 * Where this page's widget came from, read once from its script tag: the service
 * (`data-api`, or else the script's own origin), the cookie domain
 * (`data-cookie-domain`), the tag's CSP nonce (the lazily loaded part carries it
 * too), and the script's origin, where the lazy part is.
 */
/* global __EMBEDDED__ */
export const page = {};

export function readTag() {
  // /widget.js always runs as its tag's own script; consent.js may be found by its data-api.
  const script = __EMBEDDED__ ? document.currentScript :
    document.currentScript || document.querySelector("script[data-api]") || { dataset: {} };
  // The script's origin, "https://host:port", without starting the URL parser (a first use costs).
  page._origin = (script.src || location.href).split("/", 3).join("/");
  page._api = (script.dataset.api || page._origin).replace(/\/+$/, "");
  page._domain = script.dataset.cookieDomain;
  page._nonce = script.nonce;
}
