import pytest

from consent.ledger.minimize import clean_page, ip_prefix, reduce_user_agent, site_of


@pytest.mark.parametrize("address, prefix", [
    ("85.214.132.117", "85.214.132.0/24"),
    ("2a01:4f8:1c1c:a9b2::1", "2a01:4f8:1c1c::/48"),
    ("::ffff:85.214.132.117", "85.214.132.0/24"),
    ("nonsense", None), (None, None),
])
def test_ip_is_cut_to_its_network(address, prefix):
    assert ip_prefix(address) == prefix


@pytest.mark.parametrize("agent, reduced", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36", "Chrome/Windows"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86", "Edge/Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari/iOS"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox/Linux"),
    ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet/Android"),
    ("curl/8.5.0", "Other/Other"), ("", "Other/Other"),
])
def test_user_agent_keeps_family_and_os_only(agent, reduced):
    assert reduce_user_agent(agent) == reduced


@pytest.mark.parametrize("url, page", [
    ("https://shop.example/rings?email=a@b.example#top", "https://shop.example/rings"),
    ("http://127.0.0.1:5000/", "http://127.0.0.1:5000/"),
    ("https://shop.example", "https://shop.example/"),
    ("javascript:alert(1)", None), ("https://shop.example:notaport/", None), (None, None),
])
def test_page_keeps_origin_and_path_only(url, page):
    assert clean_page(url) == page


def test_site_prefers_origin_then_page():
    assert site_of("https://shop.example", "https://other.example/x") == "shop.example"
    assert site_of(None, "https://other.example/x") == "other.example"
    assert site_of(None, None) is None
