"""Which banner a visitor gets: region resolution, language choice, banner configuration.

Everything static about a banner (per region and language) is built once at
start-up together with its hash. What a visitor is answered is a pure function
of (region, language, GPC) at this revision, never of the visitor's own place
or identity, so that it can be serialised once and cached by anyone keyed on
those three: this process, a browser, or a CDN keyed on its country header.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from ..storage.sealing import canonical_json
from .data import REFERENCE_LANG, Catalog, Region
from .geo import Location


@dataclass(frozen=True)
class Banner:
    """The static configuration one region shows in one language."""
    region: Region
    lang: str
    body: dict          # what the visitor is shown, hashed
    config_hash: str


class PolicyBook:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.revision = catalog.revision
        self.languages = tuple(sorted(catalog.locales))
        self._by_subdivision = {s: r for r in catalog.regions.values() for s in r.subdivisions}
        self._by_country = {c: r for r in catalog.regions.values() for c in r.countries}
        self._banners = {(code, lang): self._build(region, lang)
                         for code, region in catalog.regions.items() for lang in self.languages}
        self.snapshots = {b.config_hash: b.body for b in self._banners.values()}
        self._serialised = functools.lru_cache(maxsize=1024)(self._serialise)

    @property
    def longest_lifetime_days(self) -> int:
        """The longest any region keeps a consent (data/regions.json)."""
        return max(region.lifetime_days for region in self.catalog.regions.values())

    # ---- where -> which rules ---------------------------------------------

    def policy_for(self, location: Location) -> Region:
        """The region whose law applies; the most specific match wins."""
        if location.subdivision and location.subdivision in self._by_subdivision:
            return self._by_subdivision[location.subdivision]
        if location.country:
            return self._by_country.get(location.country,
                                        self.catalog.regions[self.catalog.rest_of_world])
        return self.catalog.regions[self.catalog.unknown]

    # ---- which language ---------------------------------------------------

    def negotiate(self, wanted: Iterable[str], region: Region) -> str:
        """First supported language among the wanted tags ('de-AT' -> 'de'), else the region's."""
        for tag in wanted:
            tag = tag.strip().lower().replace("_", "-")
            if tag in self.catalog.locales:
                return tag
            base = tag.split("-", 1)[0]
            if base in self.catalog.locales:
                return base
        return region.default_lang if region.default_lang in self.catalog.locales else REFERENCE_LANG

    # ---- the banner -------------------------------------------------------

    def banner(self, region: Region, lang: str) -> Banner:
        return self._banners[(region.code, lang)]

    def visitor_config_json(self, region: Region, lang: str, gpc: bool) -> bytes:
        """The config response serialised (compact JSON, UTF-8).

        Few distinct answers exist (region x language x GPC), so each is
        serialised once and then served from a bounded cache: a config request is
        the service's hottest path.
        """
        return self._serialised(region.code, lang, gpc)

    def _serialise(self, code: str, lang: str, gpc: bool) -> bytes:
        config = self.visitor_config(self.catalog.regions[code], lang, gpc)
        return json.dumps(config, ensure_ascii=False, separators=(",", ":")).encode()

    def visitor_config(self, region: Region, lang: str, gpc: bool) -> dict:
        """The config response: the static banner and what the visitor's GPC signal changes."""
        banner = self.banner(region, lang)
        honored = gpc and bool(region.sale_share_categories)
        categories = banner.body["categories"]
        if honored:
            off = set(region.sale_share_categories)
            categories = [dict(c, default=False) if c["id"] in off else c for c in categories]
        return {
            **banner.body,
            "categories": categories,
            "config_hash": banner.config_hash,
            "gpc": {"signal": gpc, "honored": honored,
                    "categories": list(region.sale_share_categories)},
        }

    def _build(self, region: Region, lang: str) -> Banner:
        locale = self.catalog.locales[lang]
        default_on = region.model != "opt-in"
        categories = []
        for category_id in region.categories:
            category = self.catalog.categories[category_id]
            texts = locale["categories"][category_id]
            categories.append({
                "id": category.id,
                "required": category.required,
                "default": category.required or default_on,
                "consent_mode": list(category.consent_mode),
                "cookies": list(category.cookies),
                "services": list(category.services),
                "title": texts["title"],
                "description": texts["description"],
            })
        texts = {**locale["banner"][region.model], **locale["buttons"]}
        texts.update({f"dialog_{key}": value for key, value in locale["dialog"].items()})
        body = {
            "region": region.code,
            "model": region.model,
            "revision": self.revision,
            "lang": lang,
            "lifetime_days": region.lifetime_days,
            "categories": categories,
            "texts": texts,
        }
        return Banner(region, lang, body, hashlib.sha256(canonical_json(body)).hexdigest())
