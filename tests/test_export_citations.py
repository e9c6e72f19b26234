"""The exports reference managers read -- RIS, CSL-JSON and BibTeX with arXiv's
DOI -- each read back with a real parser: rispy for RIS, citeproc-py for
CSL-JSON (every item rendered as a bibliography line), bibtexparser for
BibTeX; titles with braces, LaTeX, quotes, non-ASCII names and formula-like
text among them."""

from __future__ import annotations

import json
import re
import shutil

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from hypothesis import given, settings
from hypothesis import strategies as st

from test_export import SETTINGS, _valid, doc, fresh_library, hex_ids, raw_tags, texts
from tui.cli import main
from tui.core.export import Item, arxiv_doi, csl_item, entry, export, split_name, to_bibtex, to_csljson, to_ris
from tui.core.library import Record
from tui.core.papers import Appearance, Paper

HARD_TITLES = [
    "Cost {of} 100% & #1: a_b $5 \\o/ ~x^2", "A {\\em LaTeX} title with $\\alpha + \\beta_{i}$",
    'Say "hello" to \'quotes\' and «guillemets»', "=SUM(A1:A9) + @cmd -1", "ER  - \nTY  - JOUR",
    "Żółć: über naïve Ελληνικά 日本語", "}{ unbalanced }}{{",
]
HARD_NAMES = ["José Núñez-García", "Żaneta Öztürk", "Tanaka, Hiro", "Plato", "李 小龙", "O'Brien {Jr}", ",", ", Hiro"]


def ris_text(text: str) -> str:
    return " ".join(text.split())


papers = st.lists(st.fixed_dictionaries({
    "id": hex_ids,
    "bookmarked_at": st.just("2024-08-07T12:00:00.000000Z"),
    "tags": st.lists(raw_tags.filter(_valid), max_size=3),
    "note": st.one_of(st.none(), texts, st.sampled_from(HARD_TITLES)),
    "snapshot": st.fixed_dictionaries({
        "title": st.one_of(texts, st.sampled_from(HARD_TITLES)),
        "link": st.one_of(st.none(), st.just("https://huggingface.co/papers/2408.01234")),
        "arxiv_id": st.one_of(st.none(), st.sampled_from(["2408.01234", "hep-th/9901001", "2501.00001v2"])),
        "labels": st.just([]),
        "authors": st.lists(st.one_of(texts, st.sampled_from(HARD_NAMES)), max_size=3)}),
}), max_size=6, unique_by=lambda r: r["id"])


@settings(SETTINGS, max_examples=30)
@given(papers)
def test_ris_reads_back_with_rispy(items):
    with fresh_library() as lib:
        lib.transfer.import_json(doc(*items))
        text = export(lib, "all", "ris")
        records = lib.all_records()
        parsed = rispy.loads(text)
        assert len(parsed) == len(records)
        for got, r in zip(parsed, records):
            s = r.snapshot
            assert got["type_of_reference"] == "UNPB" and got["id"] == r.id
            assert got["title"] == ris_text(s.title or f"(paper {r.id})")
            names = [split_name(a) for a in s.authors if split_name(a)[0]]
            assert len(got.get("authors", [])) == len(names)
            for (family, given), written in zip(names, got.get("authors", [])):
                assert written == ris_text(f"{family}, {given}" if given else family)
            if s.arxiv_id:
                assert got["doi"] == arxiv_doi(s.arxiv_id) and got["doi"].startswith("10.48550/arXiv.")
                assert "v2" not in got["doi"]
            else:
                assert "doi" not in got
            if s.link:
                assert got["urls"] == [s.link]
            assert got.get("keywords", []) == list(r.tags)
            if r.note:
                assert got["notes"] == [ris_text(r.note) or "-"]
            else:
                assert "notes" not in got


def bibliography(items: list[dict]) -> list[str]:
    """Each CSL-JSON item rendered by citeproc-py as a bibliography line."""
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, source, formatter.plain)
    for it in items:
        bib.register(Citation([CitationItem(it["id"])]))
    return [str(line) for line in bib.bibliography()]


@settings(SETTINGS, max_examples=30)
@given(papers)
def test_csljson_reads_back_and_citeproc_renders_every_item(items):
    with fresh_library() as lib:
        lib.transfer.import_json(doc(*items))
        text = export(lib, "all", "csljson")
        records = lib.all_records()
        parsed = json.loads(text)
        assert [d["id"] for d in parsed] == [r.id for r in records]
        for d, r in zip(parsed, records):
            s = r.snapshot
            assert d["type"] == "article" and d["title"] == (s.title or f"(paper {r.id})")
            names = [split_name(a) for a in s.authors if split_name(a)[0]]
            assert len(d.get("author", [])) == len(names)
            if s.arxiv_id:
                assert d["DOI"] == arxiv_doi(s.arxiv_id) and d["publisher"] == "arXiv"
                assert d["issued"]["date-parts"][0][0] in (1999, 2024, 2025)
            assert d.get("keyword", "") == ", ".join(r.tags)
            assert d.get("note") == (r.note or None)
        lines = bibliography(parsed)
        assert len(lines) == len(parsed)
        assert all(line.strip() for line in lines)


def test_csljson_lines_carry_author_year_title_and_doi():
    item = Item(Record("f1395d8ca5ef", tags=("ml",), note="keep"), HARD_TITLES[1], "https://x.org/p",
                "2408.01234", ("José Núñez-García", "Tanaka, Hiro", "Plato"), (), "2024-08-07")
    d = csl_item(item)
    assert d["author"] == [{"family": "Núñez-García", "given": "José"}, {"family": "Tanaka", "given": "Hiro"},
                           {"literal": "Plato"}]
    assert d["issued"] == {"date-parts": [[2024, 8, 7]]} and d["DOI"] == "10.48550/arXiv.2408.01234"
    [line] = bibliography([d])
    assert "Núñez-García" in line and "2024" in line and "LaTeX" in line
    assert "10.48550/arXiv.2408.01234" in line or "x.org/p" in line


def test_bibtex_carries_arxivs_doi_and_the_link_without_one():
    with_id = Item(Record("0123456789ab"), "Known", "https://huggingface.co/papers/2408.01234", "2408.01234v3",
                   ("Ada Lovelace",), ())
    without = Item(Record("abcdef012345"), "Blog post", "https://example.org/post", None, (), (), "2023-05-01")
    lib = bibtexparser.parse_string(to_bibtex([with_id, without]))
    assert lib.failed_blocks == []
    a, b = ({k: v.value for k, v in e.fields_dict.items()} for e in lib.entries)
    assert a["doi"] == "10.48550/arXiv.2408.01234" and a["eprint"] == "2408.01234v3" and a["year"] == "2024"
    assert "doi" not in b and "eprint" not in b and b["url"] == "https://example.org/post"
    assert b["year"] == "2023"  # from the paper's date, when there is no arXiv id
    assert arxiv_doi("hep-th/9901001") == "10.48550/arXiv.hep-th/9901001" and arxiv_doi(None) is None


def test_the_year_falls_back_to_the_papers_date_in_every_format():
    it = Item(Record("abcdef012345", tags=("a",)), "T", None, None, ("Ada Lovelace",), (), "2021-03-04")
    assert rispy.loads(to_ris([it]))[0]["year"] == "2021"
    assert json.loads(to_csljson([it]))[0]["issued"] == {"date-parts": [[2021, 3, 4]]}
    bare = Item(Record("abcdef012345"), "T", None, None, (), ())
    assert "year" not in rispy.loads(to_ris([bare]))[0] and "issued" not in csl_item(bare)


def test_a_line_break_cannot_start_a_ris_record_of_its_own():
    it = Item(Record("abcdef012345", note="fine\nER  - \nTY  - JOUR\nTI  - injected"),
              "Title\u2028ER  - ", None, None, (), ())
    parsed = rispy.loads(to_ris([it, it]))
    assert len(parsed) == 2 and parsed[0]["title"] == "Title ER -"
    assert parsed[0]["notes"] == ["fine ER - TY - JOUR TI - injected"]


def test_one_paper_alone_for_the_copy_menu():
    p = Paper(id="f1395d8ca5ef", title="Cost {of} 100%", abstract="", arxiv_id="2408.01234",
              authors=("Ada Lovelace",), published="2024-08-07", appearances=(Appearance("d", "Aug 7", 1, 1),))
    ris = rispy.loads(entry(p, None, "ris"))
    assert ris[0]["doi"] == "10.48550/arXiv.2408.01234" and ris[0]["title"] == "Cost {of} 100%"
    csl = json.loads(entry(p, Record(p.id, tags=("x",)), "csljson"))
    assert csl["id"] == p.id and csl["keyword"] == "x" and bibliography([csl])
    bib = entry(p, None, "bibtex")
    assert bib.startswith("@misc{lovelace2024-f1395d,") and "doi = {10.48550/arXiv.2408.01234}" in bib
    with pytest.raises(ValueError):
        entry(p, None, "csv")


def test_copy_menu_offers_ris_and_csljson():
    from tui.screens.paper_screen import copy_choices

    p = Paper(id="f1395d8ca5ef", title="T", abstract="A", arxiv_id="2408.01234")
    choices = {what: text for what, _, text in copy_choices(p, None)}
    assert rispy.loads(choices["RIS record"])[0]["doi"] == "10.48550/arXiv.2408.01234"
    assert json.loads(choices["CSL-JSON item"])["DOI"] == "10.48550/arXiv.2408.01234"


# --- from the command line ---------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("built") / "home"
    assert main(["--data-dir", str(home), "digests"]) == 0
    return home


def test_papers_export_ris_and_csljson(built, tmp_path, capsys):
    home = tmp_path / "home"
    shutil.copytree(built, home)
    capsys.readouterr()
    assert main(["--data-dir", str(home), "search", "attention", "--json", "--limit", "3"]) == 0
    hits = json.loads(capsys.readouterr().out)
    ids = [h["id"] for h in hits]
    assert main(["--data-dir", str(home), "bookmark", *ids, "--tag", "rg"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(home), "export", "--format", "ris"]) == 0
    ris = rispy.loads(capsys.readouterr().out)
    assert sorted(r["id"] for r in ris) == sorted(ids) and all(r["keywords"] == ["rg"] for r in ris)
    with_arxiv = [h for h in hits if h.get("arxiv_id")]
    for r in ris:
        hit = next(h for h in hits if h["id"] == r["id"])
        assert r["title"] == " ".join(hit["title"].split())
        if hit.get("arxiv_id"):
            assert r["doi"] == f"10.48550/arXiv.{hit['arxiv_id']}" and re.fullmatch(r"\d{4}", r["year"])
    assert main(["--data-dir", str(home), "export", "-o", str(tmp_path / "lib.csl.json")]) == 0
    capsys.readouterr()
    csl = json.loads((tmp_path / "lib.csl.json").read_text())
    assert isinstance(csl, list) and sorted(d["id"] for d in csl) == sorted(ids)
    assert len(bibliography(csl)) == len(ids)
    assert sum("DOI" in d for d in csl) == len(with_arxiv)
    assert main(["--data-dir", str(home), "export", "-o", str(tmp_path / "lib.ris")]) == 0
    assert rispy.loads((tmp_path / "lib.ris").read_text()) == ris
