"""The one text module: plurals by each language's rule, French typography, dates in prose."""

from __future__ import annotations

import datetime as dt

import pytest

from journeybot.i18n import NBSP, Plural, choose, count, format_date, pick, plural, render, typography


@pytest.mark.parametrize(("n", "fr", "en"), [(0, "0 erreur", "0 errors"), (1, "1 erreur", "1 error"),
                                             (2, "2 erreurs", "2 errors"), (10, "10 erreurs", "10 errors")])
def test_plurals_follow_each_language_rule(n: int, fr: str, en: str) -> None:
    assert count(n, "fr", ("erreur", "erreurs"), ("error", "errors")) == fr
    assert count(n, "en", ("erreur", "erreurs"), ("error", "errors")) == en
    assert plural(1.5, "fr", "one", "other") == "one" and plural(1.5, "en", "one", "other") == "other"


def test_a_plural_catalog_entry_agrees_every_word() -> None:
    catalog = {"kept": Plural(fr=("{n} élément ajouté.", "{n} éléments ajoutés."),
                              en=("{n} item added.", "{n} items added.")),
               "rows": Plural(fr=("{count} ligne ignorée", "{count} lignes ignorées"),
                              en=("{count} row skipped", "{count} rows skipped"), by="count")}
    assert render(catalog, "kept", "fr", n=1) == "1 élément ajouté."
    assert render(catalog, "kept", "fr", n=3) == "3 éléments ajoutés."
    assert render(catalog, "kept", "en", n=0) == "0 items added."
    assert render(catalog, "rows", "en", count=1) == "1 row skipped"
    assert pick(catalog["kept"], "en") == "{n} items added."


def test_french_typography_puts_a_no_break_space_before_high_punctuation() -> None:
    assert typography("Pourquoi : parce que ; vraiment ? oui !", "fr") == (
        f"Pourquoi{NBSP}: parce que{NBSP}; vraiment{NBSP}? oui{NBSP}!")
    assert typography("« Bonjour »", "fr") == f"«{NBSP}Bonjour{NBSP}»"
    assert typography("Écrit: x", "fr") == "Écrit: x"  # no space is invented (write the source right)
    kept = "voir http://127.0.0.1:8000/ à 12:30, `a ? b : c`"
    assert typography(kept, "fr") == kept
    assert typography("Why: because; really?", "en") == "Why: because; really?"
    once = typography("Note : « x » ?", "fr")
    assert typography(once, "fr") == once  # applying it again changes nothing
    assert choose("fr", "Source : {x}", "Source: {x}") == f"Source{NBSP}: {{x}}"
    assert render({"k": ("Modèle : {name}", "Model: {name}")}, "k", "fr", name="a ?") == f"Modèle{NBSP}: a{NBSP}?"


def test_dates_in_prose_are_written_in_the_reader_language() -> None:
    day = dt.date(2027, 6, 4)
    assert format_date(day, "fr") == "4 juin 2027"
    assert format_date(day, "en") == "June 4, 2027"
    assert format_date(dt.date(2027, 1, 1), "fr") == "1er janvier 2027"
    assert format_date(dt.date(2027, 1, 11), "fr") == "11 janvier 2027"
