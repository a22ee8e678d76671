/**
 * ./lent.js in the lazily loaded static/js/consent-dialog.js (the build
 * substitutes this module for it): the same names, bound once, when the first
 * layer that fetched the script hands its own over (../later.js).
 */
export let h, button, drop, state, apply, writeConsent, page, adopt, announce, uiRoot, ask;

export function borrow(kit) {
  ({ _h: h, _button: button, _drop: drop, _state: state, _apply: apply, _writeConsent: writeConsent,
    _page: page, _adopt: adopt, _announce: announce, _uiRoot: uiRoot, _ask: ask } = kit);
}
