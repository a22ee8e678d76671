"""Reads and validates the shipped rules: regions, categories and texts under data/.

The law lives in these files, not in code. A broken file stops start-up with a
message naming the file and the field, e.g.
``data/regions.json: regions.3.model: Must be one of: opt-in, opt-out, notice.``
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..config.messages import flatten

MODELS = ("opt-in", "opt-out", "notice")
# Google Consent Mode v2 storage types.
CONSENT_MODE_TYPES = ("ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
                      "functionality_storage", "personalization_storage", "security_storage")
REFERENCE_LANG = "en"
# The largest banner revision: what any database's integer column holds, and then some.
MAX_REVISION = 2**31 - 1
_COUNTRY = validate.Regexp(r"^[A-Z]{2}\Z", error="Not an ISO 3166-1 alpha-2 code.")
_SUBDIVISION = validate.Regexp(r"^[A-Z]{2}-[A-Z0-9]{1,3}\Z", error="Not an ISO 3166-2 code.")
_CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,31}\Z", error="Use lower-case letters, digits and '-'.")


class PolicyDataError(Exception):
    """A data file is missing or invalid; str() names the file and field."""


# ---- file schemas -----------------------------------------------------------

class RegionSchema(Schema):
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1))
    model = fields.String(required=True, validate=validate.OneOf(MODELS))
    lifetime_days = fields.Integer(required=True, strict=True, validate=validate.Range(1, 400))
    default_lang = fields.String(required=True)
    countries = fields.List(fields.String(validate=_COUNTRY), load_default=list)
    subdivisions = fields.List(fields.String(validate=_SUBDIVISION), load_default=list)
    categories = fields.List(fields.String(), load_default=None)
    sale_share_categories = fields.List(fields.String(), load_default=list)

    @validates_schema
    def _opt_out_only(self, data, **kwargs):
        if data.get("sale_share_categories") and data.get("model") != "opt-out":
            raise ValidationError("Only opt-out regions have sale/share categories.",
                                  "sale_share_categories")


class RegionsFileSchema(Schema):
    revision = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=MAX_REVISION))
    rest_of_world = fields.String(required=True)
    unknown = fields.String(required=True)
    regions = fields.List(fields.Nested(RegionSchema), required=True,
                          validate=validate.Length(min=1))


class CategorySchema(Schema):
    id = fields.String(required=True, validate=_CODE)
    required = fields.Boolean(load_default=False)
    consent_mode = fields.List(fields.String(validate=validate.OneOf(CONSENT_MODE_TYPES)),
                               required=True)
    services = fields.List(fields.String(), required=True)


class ServiceSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    cookies = fields.List(fields.String(validate=validate.Regexp(r"^[^\s;,=]+\Z")), required=True)


class CategoriesFileSchema(Schema):
    categories = fields.List(fields.Nested(CategorySchema), required=True,
                             validate=validate.Length(min=1))
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceSchema), required=True)


def _texts(*names):
    return Schema.from_dict({n: fields.String(required=True, validate=validate.Length(min=1))
                             for n in names})


class LocaleSchema(Schema):
    name = fields.String(required=True)
    banner = fields.Dict(keys=fields.String(validate=validate.OneOf(MODELS)),
                         values=fields.Nested(_texts("title", "description")), required=True)
    buttons = fields.Nested(_texts("accept_all", "reject_all", "customize", "save", "ok", "close",
                                   "do_not_sell", "load_content", "download", "delete"),
                            required=True)
    dialog = fields.Nested(_texts("title", "description", "always_on", "services", "gpc_honored",
                                  "placeholder", "saved", "deleted", "unavailable"), required=True)
    categories = fields.Dict(keys=fields.String(),
                             values=fields.Nested(_texts("title", "description")), required=True)


# ---- what the rest of the package sees ------------------------------------

@dataclass(frozen=True)
class Category:
    id: str
    required: bool
    consent_mode: tuple[str, ...]
    services: tuple[str, ...]       # display names
    cookies: tuple[str, ...]        # name patterns, '*' as wildcard


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    model: str
    lifetime_days: int
    default_lang: str
    countries: tuple[str, ...]
    subdivisions: tuple[str, ...]
    categories: tuple[str, ...]
    sale_share_categories: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    revision: int
    regions: dict[str, Region]
    rest_of_world: str
    unknown: str
    categories: dict[str, Category]
    locales: dict[str, dict]
    source: Path | None = None      # the data directory it was read from

    @property
    def optional_categories(self) -> tuple[str, ...]:
        """The categories a visitor chooses, in catalogue order (the receipt's and the widget's)."""
        return tuple(c.id for c in self.categories.values() if not c.required)

    def category_title(self, category_id: str, lang: str = REFERENCE_LANG) -> str:
        """A category's name for people; a category the data no longer has keeps its id."""
        texts = self.locales.get(lang, self.locales[REFERENCE_LANG])["categories"]
        return texts.get(category_id, {}).get("title", category_id)


def load_catalog(data_dir: Path) -> Catalog:
    """Read and cross-check every data file.

    :raise PolicyDataError: naming the file and field of the first problem.
    """
    data_dir = Path(data_dir)
    categories_file = data_dir / "categories.json"
    raw_categories = _load(categories_file, CategoriesFileSchema())
    categories = _categories(categories_file, raw_categories)

    regions_file = data_dir / "regions.json"
    raw_regions = _load(regions_file, RegionsFileSchema())

    locales_dir = data_dir / "locales"
    locales = {}
    for path in sorted(locales_dir.glob("*.json")):
        locale = _load(path, LocaleSchema())
        for field in ("banner", "categories"):
            needed = MODELS if field == "banner" else categories
            for key in needed:
                if key not in locale[field]:
                    _fail(path, f"{field}.{key}", "Missing text.")
        if "{category}" not in locale["dialog"]["placeholder"]:
            _fail(path, "dialog.placeholder", "Must contain {category}.")
        locales[path.stem] = locale
    if REFERENCE_LANG not in locales:
        _fail(locales_dir / f"{REFERENCE_LANG}.json", "_file", "The reference language is missing.")

    regions = _regions(regions_file, raw_regions, categories, locales)
    return Catalog(
        revision=raw_regions["revision"],
        regions=regions,
        rest_of_world=raw_regions["rest_of_world"],
        unknown=raw_regions["unknown"],
        categories=categories,
        locales=locales,
        source=data_dir,
    )


def _load(path: Path, schema: Schema) -> dict:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(path, "_file", "File not found.")
    except (OSError, UnicodeDecodeError) as error:
        _fail(path, "_file", f"Cannot read: {error}.")
    except json.JSONDecodeError as error:
        _fail(path, f"line {error.lineno} column {error.colno}", f"Not valid JSON: {error.msg}.")
    try:
        return schema.load(raw)
    except ValidationError as error:
        field, messages = next(iter(sorted(flatten(error.messages).items())))
        _fail(path, field, " ".join(messages))


def _fail(path: Path, field: str, message: str):
    raise PolicyDataError(f"{path}: {field}: {message}")


def _categories(path: Path, raw: dict) -> dict[str, Category]:
    categories: dict[str, Category] = {}
    claimed: dict[str, str] = {}
    for i, item in enumerate(raw["categories"]):
        if item["id"] in categories:
            _fail(path, f"categories.{i}.id", f"Duplicate category {item['id']!r}.")
        for gcm in item["consent_mode"]:
            if gcm in claimed:
                _fail(path, f"categories.{i}.consent_mode",
                      f"{gcm} is already mapped to {claimed[gcm]!r}.")
            claimed[gcm] = item["id"]
        for j, service in enumerate(item["services"]):
            if service not in raw["services"]:
                _fail(path, f"categories.{i}.services.{j}", f"Unknown service {service!r}.")
        services = [raw["services"][s] for s in item["services"]]
        categories[item["id"]] = Category(
            id=item["id"],
            required=item["required"],
            consent_mode=tuple(item["consent_mode"]),
            services=tuple(s["name"] for s in services),
            cookies=tuple(dict.fromkeys(c for s in services for c in s["cookies"])),
        )
    if not any(c.required for c in categories.values()):
        _fail(path, "categories", "One category must be required (necessary).")
    return categories


def _regions(path: Path, raw: dict, categories: dict, locales: dict) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    owner: dict[str, str] = {}
    for i, item in enumerate(raw["regions"]):
        where = f"regions.{i}"
        if item["code"] in regions:
            _fail(path, f"{where}.code", f"Duplicate region {item['code']!r}.")
        if item["default_lang"] not in locales:
            _fail(path, f"{where}.default_lang", f"No texts for {item['default_lang']!r}.")
        region_categories = item["categories"] or list(categories)
        for j, category in enumerate(region_categories):
            if category not in categories:
                _fail(path, f"{where}.categories.{j}", f"Unknown category {category!r}.")
        for j, category in enumerate(item["sale_share_categories"]):
            if category not in region_categories or categories[category].required:
                _fail(path, f"{where}.sale_share_categories.{j}",
                      f"{category!r} is not an optional category of this region.")
        for key in ("countries", "subdivisions"):
            for j, place in enumerate(item[key]):
                if place in owner:
                    _fail(path, f"{where}.{key}.{j}", f"{place} already belongs to {owner[place]!r}.")
                owner[place] = item["code"]
        regions[item["code"]] = Region(
            code=item["code"],
            name=item["name"],
            model=item["model"],
            lifetime_days=item["lifetime_days"],
            default_lang=item["default_lang"],
            countries=tuple(item["countries"]),
            subdivisions=tuple(item["subdivisions"]),
            categories=tuple(region_categories),
            sale_share_categories=tuple(item["sale_share_categories"]),
        )
    for key in ("rest_of_world", "unknown"):
        if raw[key] not in regions:
            _fail(path, key, f"Names no region: {raw[key]!r}.")
    if regions[raw["unknown"]].model != "opt-in":
        _fail(path, "unknown", "An unknown location must get the strictest (opt-in) model.")
    return regions
