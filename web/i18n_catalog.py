"""Keeping the Danish and English catalogues in step with the code (``makker i18n``)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

WEB = Path(__file__).parent
ROOT = WEB.parent
TRANSLATIONS = WEB / "translations"
LOCALES = ("da", "en")
SOURCE_DIRS = ("web", "models", "matching")


def extract() -> Catalog:
    """Every marked message of the code and templates."""
    with open(TRANSLATIONS / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog(project="Makker", charset="utf-8")
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "N_": None, "ngettext": (1, 2)}
    for folder in SOURCE_DIRS:
        for filename, lineno, message, comments, _context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=keywords
        ):
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments)
    return catalog


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="Makker", charset="utf-8")
    with open(path, "rb") as fh:
        return read_po(fh, locale=locale)


def update() -> dict[str, list[str]]:
    """Merge new messages into each catalogue; returns the untranslated msgids per locale."""
    template = extract()
    missing: dict[str, list[str]] = {}
    for locale in LOCALES:
        catalog = read_catalog(locale)
        catalog.update(template, no_fuzzy_matching=True)
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            # No source locations: they change with every edit and make merges conflict.
            write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True, no_location=True)
        missing[locale] = untranslated(catalog)
    return missing


def untranslated(catalog: Catalog) -> list[str]:
    if catalog.locale and str(catalog.locale) == "en":
        return []  # English is the source language: an empty msgstr falls back to the msgid
    def done(string: object) -> bool:
        if isinstance(string, tuple | list):  # plural forms
            return all(string)
        return bool(string)

    # A fuzzy entry is a guess Babel made when a message changed: it is not used, so not done.
    return [str(m.id) for m in catalog if m.id and (m.fuzzy or not done(m.string))]


def compiled(locale: str) -> bytes:
    buffer = BytesIO()
    write_mo(buffer, read_catalog(locale), use_fuzzy=False)
    return buffer.getvalue()


def messages(catalog: Catalog) -> dict[object, object]:
    """What a catalogue translates, without its header: to compare a .po with its .mo."""
    def translated(string: object) -> bool:
        return any(string) if isinstance(string, tuple | list) else bool(string)

    def same_shape(value: object) -> object:
        # Plural messages come back from a .mo as lists and from a .po as tuples.
        return tuple(value) if isinstance(value, tuple | list) else value

    def as_compiled(m) -> object:  # noqa: ANN001
        # write_mo writes an untranslated plural message with its msgids (English is the source).
        if isinstance(m.id, tuple | list) and not any(m.string or ()):
            return same_shape(m.id)
        return same_shape(m.string)

    return {same_shape(m.id): as_compiled(m) for m in catalog
            if m.id and not m.fuzzy and (translated(m.string) or isinstance(m.id, tuple | list))}


def compiled_messages(locale: str) -> dict[object, object]:
    with open(po_path(locale).with_suffix(".mo"), "rb") as fh:
        return messages(read_mo(fh))


def merge_po(base: Path, ours: Path, theirs: Path) -> None:
    """A git merge driver for the catalogues: the union of both sides' translations.

    Two branches that each add messages would otherwise conflict on every entry; a message
    translated on one side only keeps that translation, one changed on one side keeps the change.
    The result is written to ``ours``; run ``makker i18n update`` and ``compile`` afterwards.
    """
    def load(path: Path) -> Catalog:
        with open(path, "rb") as fh:
            return read_po(fh)

    base_cat, our_cat, their_cat = load(base), load(ours), load(theirs)
    for message in their_cat:
        if not message.id:
            continue
        mine = our_cat.get(message.id, message.context)
        if mine is None:
            our_cat[message.id] = message
            continue
        old = base_cat.get(message.id, message.context)
        old_string = old.string if old is not None else None
        if message.string and (not mine.string or (mine.string == old_string and message.string != old_string)):
            mine.string = message.string
            mine.flags.discard("fuzzy")
    with open(ours, "wb") as fh:
        write_po(fh, our_cat, width=100, omit_header=False, ignore_obsolete=True, no_location=True)


def compile_all() -> None:
    for locale in LOCALES:
        (po_path(locale).with_suffix(".mo")).write_bytes(compiled(locale))


if __name__ == "__main__":  # git merge driver: python -m web.i18n_catalog merge %O %A %B
    import sys

    if len(sys.argv) == 5 and sys.argv[1] == "merge":
        merge_po(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        sys.exit("usage: python -m web.i18n_catalog merge BASE OURS THEIRS")
