import json

import pytest

from helpers import abstract, api_digest, text_digest
from tui.core.digest import DigestError, parse_file, parse_text

TITLES = ["Alpha: A Study of Things", "Beta Networks for Gamma", "Ünïcödé Títles and 中文"]


def write(tmp_path, name, content, mode="w"):
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8", newline="")
    return p


def titles(d):
    return [e.title for e in d.entries]


def test_bundled_digests_parse_cleanly(bundled):
    counts = {}
    for f in bundled:
        d = parse_file(f)
        assert d.problems == ()
        counts[f.stem[:3]] = (len(d.entries), d.label)
    assert counts == {"000": (100, "Aug 7"), "001": (65, "Sample digest 2"), "002": (119, "Sample digest 3"),
                      "003": (75, "Mar 11")}


def test_glued_boilerplate_and_no_blank_lines(bundled):
    d = parse_file(bundled[2])
    assert d.entries[0].title == "Continual Learning with Pretrained Backbones by Tuning in the Input Space"
    assert d.entries[0].abstract.startswith("The intrinsic difficulty")
    assert d.entries[-1].title.startswith("ReplaceMe")


@pytest.mark.parametrize("blank", [True, False])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_text_variants(tmp_path, blank, newline):
    d = parse_file(write(tmp_path, "d.txt", text_digest(TITLES, blank=blank, newline=newline)))
    assert titles(d) == TITLES
    assert d.label == "Aug 7"
    assert [e.position for e in d.entries] == [1, 2, 3]
    assert d.entries[1].abstract == abstract(TITLES[1])
    assert d.problems == ()


def test_bom_trailing_whitespace_and_glued_subscribe(tmp_path):
    body = "\ufeffnew\n\nSubscribeAlpha: A Study of Things   \n" + abstract("x") + "  \t\n\nBeta\n" + abstract("y") + "\n"
    d = parse_file(write(tmp_path, "d.txt", body))
    assert titles(d) == ["Alpha: A Study of Things", "Beta"]
    assert d.label is None


def test_date_label_variants(tmp_path):
    for label in ["Aug 7", "March 11", "Aug 7, 2024", "2024-08-07"]:
        d = parse_file(write(tmp_path, "d.txt", text_digest(TITLES, label=label)))
        assert d.label == label and len(d.entries) == 3
    assert parse_file(write(tmp_path, "d.txt", text_digest(TITLES, label="Aug 7, 2024"))).entries[0].published == "2024-08-07"


def test_no_header_at_all(tmp_path):
    d = parse_file(write(tmp_path, "d.txt", text_digest(TITLES, header=False, label=None)))
    assert titles(d) == TITLES


def test_title_that_reads_like_an_abstract_is_a_problem(tmp_path):
    body = text_digest(TITLES[:2]) + "\n" + abstract("stray") + "\n\n" + "Delta\n\n" + abstract("d") + "\n"
    d = parse_file(write(tmp_path, "d.txt", body))
    assert titles(d) == TITLES[:2] + ["Delta"]
    assert len(d.problems) == 1
    line = body.split("\n").index(abstract("stray")) + 1
    assert d.problems[0].line == line
    assert "expected a title" in d.problems[0].format("d.txt")
    assert d.problems[0].format("d.txt").startswith(f"d.txt:{line}:")


def test_abstract_less_title_at_end_is_a_problem(tmp_path):
    body = text_digest(TITLES) + "\nA Truncated Last Title\n"
    d = parse_file(write(tmp_path, "d.txt", body))
    assert titles(d) == TITLES
    assert "title without abstract at the end" in d.problems[0].message


def test_two_titles_in_a_row(tmp_path):
    body = "First Title\n\nSecond Title\n\n" + abstract("two") + "\n"
    d = parse_file(write(tmp_path, "d.txt", body))
    assert titles(d) == ["Second Title"]
    assert d.problems[0].line == 1 and "First Title" in d.problems[0].message


def test_second_abstract_paragraph_that_continues(tmp_path):
    body = "Title One\n\n" + abstract("x")[:-1] + " and\n\ncontinues in a second paragraph that is long enough to read like an abstract, really it is; quite long indeed, yes, and it goes on and on.\n"
    d = parse_file(write(tmp_path, "d.txt", body))
    assert titles(d) == ["Title One"]
    assert "continues in a second paragraph" in d.entries[0].abstract
    assert d.problems == ()


def test_short_abstract(tmp_path):
    body = "Tiny Paper\n\nWe do a small thing. It works.\n\nNext Paper\n\n" + abstract("n") + "\n"
    d = parse_file(write(tmp_path, "d.txt", body))
    assert titles(d) == ["Tiny Paper", "Next Paper"]


def test_markup_and_escape_sequences_are_cleaned_not_interpreted(tmp_path):
    hostile = "[CLS] Tokens [/] and [bold]x[/bold] [@click=app.quit] \x1b[31mred\x1b]0;pwn\x07"
    d = parse_file(write(tmp_path, "d.txt", text_digest([hostile])))
    assert d.entries[0].title == "[CLS] Tokens [/] and [bold]x[/bold] [@click=app.quit] red"


def test_api_json(tmp_path):
    body = api_digest([
        {"id": "2103.14030", "title": "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows", "upvotes": 12},
        {"id": "2401.00001", "title": r"Poincar\'e Things", "authors": ["Zoë Q"], "publishedAt": "2024-08-08T00:00:00Z"},
    ])
    d = parse_file(write(tmp_path, "api.json", body))
    assert d.format == "json"
    assert titles(d) == ["Swin Transformer: Hierarchical Vision Transformer using Shifted Windows", "Poincaré Things"]
    e = d.entries[0]
    assert (e.arxiv_id, e.upvotes, e.authors) == ("2103.14030", 12, ("Ada Lovelace", "Alan Turing"))
    assert d.entries[1].authors == ("Zoë Q",)
    assert d.label == "2024-08-07" or d.label == "2024-08-08"
    assert d.date == d.label


def test_json_detected_by_content_not_extension(tmp_path):
    d = parse_file(write(tmp_path, "api.txt", api_digest([{"id": "2103.14030", "title": "A"}])))
    assert d.format == "json" and d.entries[0].arxiv_id == "2103.14030"


def test_flat_json_list(tmp_path):
    body = json.dumps([
        {"title": "Flat One", "abstract": "An abstract."},
        {"title": "Flat Two", "summary": "Another.", "id": "2101.00002"},
        {"summary": "no title here"},
        "junk",
    ])
    d = parse_file(write(tmp_path, "flat.json", body))
    assert titles(d) == ["Flat One", "Flat Two"]
    assert d.entries[1].arxiv_id == "2101.00002"
    assert [p.line for p in d.problems] == [3, 4]


def test_text_starting_with_a_bracket_is_not_json(tmp_path):
    d = parse_file(write(tmp_path, "d.txt", "[CLS] Is All You Need\n\n" + abstract("cls") + "\n"))
    assert titles(d) == ["[CLS] Is All You Need"]


@pytest.mark.parametrize("name, content, words", [
    ("empty.txt", b"", "is empty"),
    ("blank.txt", b"\n\n  \r\n", "is empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("latin1.txt", "Caf\u00e9 title\n\nAbstract with caf\u00e9.".encode("latin-1"), "not UTF-8"),
    ("utf16.txt", "Title\n\nAbstract".encode("utf-16"), "UTF-16"),
    ("bad.json", b'[{"paper": {"title": "x", ', "invalid JSON"),
    ("obj.json", b'{"hello": 1}', "without a list of papers"),
    ("nums.json", b"[1, 2, 3]", "has no papers"),
    ("boiler.txt", b"new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\nAug 7\n", "only boilerplate"),
    ("titles.txt", b"Just A Title\n\nAnother Title\n", "no papers"),
])
def test_bad_files_raise_one_line_digest_error(tmp_path, name, content, words):
    p = write(tmp_path, name, content)
    with pytest.raises(DigestError) as err:
        parse_file(p)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(str(p)) and words in msg


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DigestError, match="no such file"):
        parse_file(tmp_path / "nope.txt")
    with pytest.raises(DigestError, match="directory"):
        parse_file(tmp_path)


def test_parse_text_names_digest_after_file():
    d = parse_text(text_digest(TITLES), "/x/2024-08-07.txt")
    assert d.name == "2024-08-07"


# --- the API's odd entries ---------------------------------------------------------------

# --- the API's odd entries and community signals -----------------------------------

def api_item(title="Quokka Attention", **paper):
    body = {"id": "2408.01234", "title": title, "summary": abstract(title), "authors": [{"name": "Ada"}],
            "upvotes": 5, "publishedAt": "2024-08-06T09:00:00.000Z", **paper}
    return {"paper": body, "publishedAt": "2024-08-07T12:00:00.000Z", "numComments": 4}


@pytest.mark.parametrize("raw, value", [
    (17, 17), ("17", 17), (" 1.2k", 1200), ("3M", 3_000_000), ("1,234", 1234), (17.0, 17), ("0", 0),
])
def test_counts_are_read_leniently(tmp_path, raw, value):
    d = parse_file(write(tmp_path, "d.json", json.dumps([api_item(upvotes=raw)])))
    assert (d.entries[0].upvotes, d.problems) == (value, ())


@pytest.mark.parametrize("raw", ["lots", -3, True, [1], "1.2.3k", "9" * 20, float("nan")])
def test_unreadable_counts_are_ignored_and_reported(tmp_path, raw):
    d = parse_file(write(tmp_path, "d.json", json.dumps([api_item(upvotes=raw)])))
    assert d.entries[0].upvotes is None
    assert [p.line for p in d.problems] == [1] and "entry 1: upvotes" in d.problems[0].message
    assert "is not a count; ignored" in d.problems[0].message and "\n" not in d.problems[0].message


def test_odd_entries_are_skipped_or_read_leniently_never_failing_the_file(tmp_path):
    items = [
        api_item("First Paper"),
        {"paper": "not an object", "title": "Second"},
        {"paper": None, "title": "Third"},
        api_item("Fourth Paper", authors=None),
        api_item("", summary="no title"),
        api_item("Sixth Paper", authors="Ada, Alan"),
        "junk",
    ]
    d = parse_file(write(tmp_path, "d.json", json.dumps(items)))
    assert titles(d) == ["First Paper", "Fourth Paper", "Sixth Paper"]
    assert [e.position for e in d.entries] == [1, 2, 3] and [e.line for e in d.entries] == [1, 4, 6]
    assert d.entries[1].authors == () and d.entries[2].authors == ()
    assert [(p.line, p.message) for p in d.problems] == [
        (2, "entry 2: paper is not an object; skipped"),
        (3, "entry 3: paper is not an object; skipped"),
        (5, "entry 5 has no title; skipped"),
        (6, "entry 6: authors 'Ada, Alan' is not a list of authors; ignored"),
        (7, "entry 7 is not an object; skipped"),
    ]


def test_api_digest_is_labelled_with_its_daily_papers_day(tmp_path):
    d = parse_file(write(tmp_path, "d.json", json.dumps([api_item(), api_item("Wombat Routing")])))
    assert d.label == "2024-08-07" and d.entries[0].published == "2024-08-06"


# --- the community's signals ---------------------------------------------------------------

def test_api_signals_are_read(tmp_path):
    body = json.dumps([api_item(githubRepo="https://github.com/lab/quokka", githubStars="1.2k",
                                projectPage="https://quokka.example.org/", ai_summary="A \x1b[31msummary\\emph{!}",
                                ai_keywords=["attention", "Attention", "", 7, "marsupial\u202e"])])
    e = parse_file(write(tmp_path, "d.json", body)).entries[0]
    assert (e.upvotes, e.comments, e.github, e.github_stars) == (5, 4, "https://github.com/lab/quokka", 1200)
    assert e.project_page == "https://quokka.example.org/"
    assert e.ai_summary == "A summary!" and e.ai_keywords == ("attention", "marsupial")
    assert e.published == "2024-08-06"
    assert type(e).from_json(json.loads(json.dumps(e.as_json()))) == e


def test_unknown_signals_stay_unknown(tmp_path):
    e = parse_file(write(tmp_path, "d.json", api_digest([{"id": "2103.14030", "title": "A"}]))).entries[0]
    assert (e.github, e.github_stars, e.project_page, e.ai_summary, e.ai_keywords) == (None,) * 5
    assert e.comments == 1
    e = parse_file(write(tmp_path, "d.txt", text_digest(TITLES))).entries[0]
    assert (e.upvotes, e.comments, e.ai_keywords) == (None, None, None)
    assert "comments" not in e.as_json()


@pytest.mark.parametrize("key, raw", [
    ("githubRepo", "javascript:alert(1)"), ("githubRepo", "https://gitlab.com/a/b"),
    ("githubRepo", "https://github.com/"), ("githubRepo", "https://user:pw@github.com/a/b"),
    ("githubRepo", "https://github.com.evil.example/a/b"), ("githubRepo", "https://github.com/a/b c"),
    ("projectPage", "file:///etc/passwd"), ("projectPage", "https://x.example/\x1b]0;pwn\x07"),
    ("projectPage", 42), ("projectPage", "//no-scheme.example"),
])
def test_urls_that_are_not_plain_web_links_are_dropped(tmp_path, key, raw):
    d = parse_file(write(tmp_path, "d.json", json.dumps([api_item(**{key: raw})])))
    e = d.entries[0]
    assert e.github is None and e.project_page is None
    assert len(d.problems) == 1 and f"entry 1: {key}" in d.problems[0].message


def test_any_values_in_the_signal_fields_give_entries_or_problems(tmp_path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    keys = ["upvotes", "numComments", "githubRepo", "githubStars", "projectPage", "ai_summary", "ai_keywords",
            "authors", "publishedAt", "id"]
    values = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                  st.sampled_from(["1.2k", "https://github.com/a/b", "javascript:x", "\x1b[2J", "[/]", "-1"])),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
        max_leaves=8)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(paper=st.dictionaries(st.sampled_from(keys), values, max_size=6), outer=st.dictionaries(st.sampled_from(keys), values, max_size=3))
    def check(paper, outer):
        item = {**outer, "paper": {"title": "T", "summary": "S.", **paper}}
        e = parse_text(json.dumps([item]), "x.json").entries[0]
        for url in (e.github, e.project_page):
            assert url is None or (url.startswith(("http://", "https://")) and "\x1b" not in url)
        for n in (e.upvotes, e.comments, e.github_stars):
            assert n is None or (isinstance(n, int) and n >= 0)
        assert e.ai_keywords is None or all(isinstance(k, str) and k for k in e.ai_keywords)

    check()
