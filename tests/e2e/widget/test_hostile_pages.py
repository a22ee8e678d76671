"""Pages that make life hard: a strict CSP, hostile CSS, late markup, careless API calls."""

from playwright.sync_api import expect

from .conftest import banner, dialog, in_region, poll, ran, receipt_posted, serve_page

NONCE = "r4nd0m-n0nce"
CSP = f"default-src 'self'; script-src 'self' 'nonce-{NONCE}'"
VIOLATIONS = """
window.violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.violations.push([e.violatedDirective, e.blockedURI, e.sample]));
"""


def test_strict_csp_banner_works_and_a_nonced_gated_script_runs(visitor, shop):
    page = visitor(bypass_csp=False)
    page.add_init_script(VIOLATIONS)
    in_region(page, shop, "DE")
    head = f"""
<script type="text/plain" data-category="analytics" nonce="{NONCE}">window.nonced = true;</script>
<script type="text/plain" data-category="analytics">window.unnonced = true;</script>
<script type="text/plain" data-category="analytics" src="/static/demo/analytics.js"></script>"""
    page.goto(serve_page(page, f"{shop.url}/csp", head=head,
                         headers={"Content-Security-Policy": CSP}))
    expect(banner(page)).to_be_visible()
    # The stylesheet applied although style-src forbids inline styles: the banner is laid out.
    assert banner(page).evaluate("el => getComputedStyle(el).position") == "fixed"
    assert page.evaluate("window.violations") == []
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Accept all").click()
    # Not wait_for_function: its polling evaluates a string in the page, which this strict
    # CSP (no 'unsafe-eval') refuses whenever the condition is not already true.
    poll(page, "window.nonced === true && (window.demoRan || []).length === 1")
    # The policy is really in force: the gated script without the nonce is refused.
    assert page.evaluate("window.unnonced") is None
    assert [v[0] for v in page.evaluate("window.violations")] == ["script-src-elem"]
    assert page.errors == []


HOSTILE = """<style>
*:not(html):not(body) { display: none !important; visibility: hidden !important; opacity: 0 !important; }
* { font: italic 40px/0.5 "Comic Sans MS", fantasy !important; color: red !important;
    letter-spacing: 1em !important; text-transform: uppercase !important; }
div { position: absolute !important; left: -9999px !important; transform: scale(0) !important;
      z-index: -1 !important; pointer-events: none !important; }
</style>"""


def test_a_hostile_stylesheet_does_not_break_the_banner(visitor, shop):
    page = visitor()
    in_region(page, shop, "DE")
    page.goto(serve_page(page, f"{shop.url}/hostile", head=HOSTILE))
    section = banner(page)
    expect(section).to_be_visible()
    button = section.get_by_role("button", name="Accept all")
    style = button.evaluate("""b => { const s = getComputedStyle(b);
        return [s.fontFamily.includes('Comic'), s.fontSize, s.letterSpacing, s.textTransform, s.color] }""")
    assert style[:4] == [False, "15px", "normal", "none"] and style[4] != "rgb(255, 0, 0)"
    box, viewport = section.bounding_box(), page.viewport_size
    assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"]
    assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"]
    with page.expect_response(receipt_posted):
        button.click()
    expect(section).to_have_count(0)


def test_scripts_frames_and_links_added_later_are_gated_too(visitor, shop):
    page = visitor(reduced_motion="reduce")
    in_region(page, shop, "DE")
    page.goto(serve_page(page, f"{shop.url}/single-page-app"))
    expect(banner(page)).to_be_visible()
    page.evaluate("""() => {
        const tag = document.createElement('script');
        tag.type = 'text/plain'; tag.dataset.category = 'marketing';
        tag.text = 'window.lateRuns = (window.lateRuns || 0) + 1';
        const frame = document.createElement('iframe');
        frame.dataset.category = 'personalization'; frame.dataset.src = '/static/demo/lookbook.html';
        frame.title = 'Lookbook';
        const open = document.createElement('button');
        open.textContent = 'Privacy settings'; open.dataset.cmOpen = '';
        document.querySelector('main').append(tag, frame, open);
    }""")
    placeholder = page.locator(".cm-placeholder")
    expect(placeholder).to_contain_text("This content is blocked until you allow Personalized shopping cookies.")
    assert page.evaluate("window.lateRuns") is None
    assert page.locator("iframe").get_attribute("src") is None

    page.get_by_role("button", name="Privacy settings").click()
    dialog(page).get_by_role("switch", name="Marketing").check()
    with page.expect_response(receipt_posted):
        dialog(page).get_by_role("button", name="Save my choices").click()
    page.wait_for_function("window.lateRuns === 1")
    # A script inserted after consent runs at once; the first never runs twice.
    page.evaluate("""() => {
        const tag = document.createElement('script');
        tag.type = 'text/plain'; tag.dataset.category = 'marketing';
        tag.text = 'window.laterStill = true';
        document.body.append(tag);
    }""")
    page.wait_for_function("window.laterStill === true")
    assert page.evaluate("window.lateRuns") == 1

    # The placeholder's own button allows its category and loads the frame.
    with page.expect_response(receipt_posted):
        placeholder.get_by_role("button", name="Load content").click()
    expect(placeholder).to_have_count(0)
    frame = page.locator("iframe")
    expect(frame).to_have_attribute("src", "/static/demo/lookbook.html")
    expect(frame).to_be_visible()
    page.wait_for_function("document.cookie.includes('sg_reco_lookbook=')")    # set inside the frame

    # Withdrawing unloads it again and clears what it set.
    with page.expect_response(receipt_posted):
        page.evaluate("ConsentManager.withdraw()")
    expect(placeholder).to_be_visible()
    expect(frame).to_be_hidden()
    assert "sg_reco_lookbook" not in {c["name"] for c in page.context.cookies()}


def test_careless_pages_get_no_exceptions_from_the_widget(visitor, shop):
    page = visitor()
    in_region(page, shop, "DE")
    twice = f'<script src="{shop.url}/static/js/consent.js" data-api="{shop.url}"></script>'
    page.goto(serve_page(page, f"{shop.url}/careless", head=twice))
    expect(banner(page)).to_have_count(1)
    page.evaluate("""() => {
        ConsentManager.on('change', () => { throw new Error('a listener of the page'); });
        ConsentManager.on();
        ConsentManager.has();
        ConsentManager.set(null);
        ConsentManager.set({analytics: 'yes', necessary: false, unknown: true});
    }""")
    assert page.evaluate("ConsentManager.get().choices") == {
        "analytics": False, "personalization": False, "marketing": False}
    assert page.evaluate("ConsentManager.has('necessary')") is True
    assert page.errors == []

    broken = visitor()                                 # a data-api where nothing answers
    broken.goto(serve_page(broken, f"{shop.url}/nowhere", api="http://127.0.0.1:9"))
    expect(banner(broken).get_by_role("button")).to_have_text(["Accept all", "Reject all", "Customize"])
    assert broken.errors == [] and ran(broken) == []
