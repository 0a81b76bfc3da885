"""portal/search.py: one search, without diacritics and case, on SQLite and PostgreSQL."""

import pytest
from django.db import connection

from conftest import require
from portal import search
from quotes.models import Product
from quotes.tests.factories import ProductFactory


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Pompă", "pompa"),
        ("STAȚIE", "statie"),
        ("Fișă tehnică", "fisa tehnica"),
        ("ÎNCĂLZIRE ÂNCĂ", "incalzire anca"),
        ("staţie şi", "statie si"),  # the cedilla of old keyboards
        ("", ""),
    ],
)
def test_fold(typed, folded):
    assert search.fold(typed) == folded


def test_words_drop_what_cannot_be_searched():
    assert search.words("  pompa\x00   cp-200  ") == ["pompa", "cp-200"]
    assert search.words("p") == []
    assert search.words(None) == []
    assert len(search.words("a b c d e f g h")) == search.MAX_WORDS
    assert len(search.clean_query("x" * 500)) == search.MAX_QUERY_LENGTH


def names(query: str) -> list[str]:
    return sorted(Product.objects.filter(search.matches(query, "code", "name")).values_list("name", flat=True))


@pytest.fixture
def catalogue(db):
    ProductFactory(code="CP-200", name="Pompă centrifugală 200 m³/h")
    ProductFactory(code="ST-1", name="Stație de epurare compactă")
    ProductFactory(code="TV-50", name="Robinet 50% deschis_rapid")
    ProductFactory(code="SF-2", name="Şurub zincat M8")  # cedilla, as an old import wrote it


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pompa", ["Pompă centrifugală 200 m³/h"]),
        ("POMPĂ", ["Pompă centrifugală 200 m³/h"]),
        ("statie", ["Stație de epurare compactă"]),
        ("STATIE", ["Stație de epurare compactă"]),
        ("stație", ["Stație de epurare compactă"]),
        ("surub", ["Şurub zincat M8"]),
        ("șurub", ["Şurub zincat M8"]),
        ("pompa cp-200", ["Pompă centrifugală 200 m³/h"]),  # each word, in any field
        ("pompa statie", []),
        ("50%", ["Robinet 50% deschis_rapid"]),
        ("0%", ["Robinet 50% deschis_rapid"]),  # % is a character, not a wildcard
        ("p%c", []),
        ("b_z", []),  # _ too
        ("s_r", ["Robinet 50% deschis_rapid"]),
        (
            "",
            sorted(
                [
                    "Pompă centrifugală 200 m³/h",
                    "Stație de epurare compactă",
                    "Robinet 50% deschis_rapid",
                    "Şurub zincat M8",
                ]
            ),
        ),
    ],
)
def test_matches(catalogue, query, expected):
    assert names(query) == expected


def test_the_lookup_on_a_single_field(catalogue):
    assert list(Product.objects.filter(name__unaccent_icontains="EPURARE").values_list("code", flat=True)) == ["ST-1"]


@pytest.mark.postgres
def test_postgresql_searches_through_the_trigram_index(db):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    Product.objects.bulk_create(
        [Product(code=f"X-{i:05d}", name=f"Articol de catalog {i} oțel") for i in range(5000)]
        + [Product(code="CP-1", name="Pompă submersibilă")]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE quotes_product")
    products = Product.objects.filter(search.matches("pompa", "name"))
    assert [p.name for p in products] == ["Pompă submersibilă"]
    plan = products.explain()
    assert "quotes_product_name_fold" in plan, plan
