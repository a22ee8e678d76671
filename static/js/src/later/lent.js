/**
 * What the first layer lends the lazily loaded part (../later.js hands it over):
 * bound once, when the part registers. The lazy modules import from here and
 * never from the first layer's own modules, which would bundle a second copy of
 * them, with a second, empty consent state.
 */
export let h, button, state, adopt, announce, page, drop, forget;

export function borrow(kit) {
  ({ _h: h, _button: button, _state: state, _adopt: adopt, _announce: announce, _page: page, _drop: drop,
    _forget: forget } = kit);
}
