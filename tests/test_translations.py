"""Every message of the interface has a Danish translation, and the compiled files are current."""

from web.i18n_catalog import compiled_messages, extract, messages, read_catalog


def test_every_message_in_the_code_has_a_danish_translation():
    danish = read_catalog("da")
    missing = [m.id for m in extract() if m.id and not (danish.get(m.id) and danish.get(m.id).string)]
    assert not missing, "run `makker i18n update`, translate, then `makker i18n compile`: " + repr(missing[:20])


def test_the_compiled_catalogues_match_the_sources():
    for locale in ("da", "en"):
        # Compared by content: another Babel version writes other bytes for the same messages.
        assert compiled_messages(locale) == messages(read_catalog(locale)), f"run `makker i18n compile` ({locale})"


def test_no_danish_translation_is_left_fuzzy():
    # A fuzzy entry is not compiled: the page would show the English msgid.
    fuzzy = [m.id for m in read_catalog("da") if m.id and m.fuzzy]
    assert not fuzzy, fuzzy
