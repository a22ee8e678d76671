/**
 * The visitor's configuration as the service's /widget.js wrote it into the
 * one-request tag's script, in place of the one identifier __CONFIG__ (the
 * template is static/js/consent-embed.js). The two-request tag has none.
 */
/* global __EMBEDDED__, __CONFIG__ */
export const GIVEN = __EMBEDDED__ ? __CONFIG__ : null;
