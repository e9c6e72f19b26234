import pytest

from tui.core.text import clean, extract_urls, strip_control, title_key


@pytest.mark.parametrize("raw, expected", [
    (r"reduces loss by 40\% \& more", "reduces loss by 40% & more"),
    (r"\emph{entropy} and \textbf{bold} and \textit{it}", "entropy and bold and it"),
    (r"two {\em entropy collapse} modes", "two entropy collapse modes"),
    (r"Poincar\'e and Aky\"urek", "Poincaré and Akyürek"),
    (r"Poincar\'{e} and {\"u}ber and \c{c}a and \v{s}", "Poincaré and über and ça and š"),
    (r"\ewtune~adds privacy", r"\ewtune adds privacy"),
    (r"critical textit{O}bstacles: (O1)", "critical Obstacles: (O1)"),
    ("available at~https://github.com/microsoft/Swin-Transformer.",
     "available at https://github.com/microsoft/Swin-Transformer."),
    ("see https://example.com/~user/x~y for more", "see https://example.com/~user/x~y for more"),
    ("at https://llm-stacking.github.io/{https://llm-stacking.github.io/}.",
     "at https://llm-stacking.github.io/."),
    ("  spaced \t out\u00a0text  ", "spaced out text"),
    (r"images of up to 1,536times1,536 resolution, 3 times faster", "images of up to 1,536×1,536 resolution, 3 times faster"),
    (r"patches of $16\times16$ and 4\times 4", "patches of $16×16$ and 4×4"),
])
def test_clean_resolves_latex_residue(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("x \x1b[31mred\x1b[0m y", "x red y"),
    ("title\x1b]0;pwned\x07 after", "title after"),
    ("title\x1b]2;pwned\x1b\\ after", "title after"),
    ("up\x1b[2Aand\x1b[10;10H", "upand"),
    ("bell\x07 nul\x00 del\x7f c1\x9b31m", "bell nul del c1"),
    ("keep\nnewline\tand tab", "keep\nnewline\tand tab"),
    ("rtl \u202eevil\u202c", "rtl evil"),
])
def test_strip_control(raw, expected):
    assert strip_control(raw) == expected


def test_clean_keeps_brackets_literally():
    text = "[CLS] and [/] and [bold]x[/bold] and [@click=app.quit]"
    assert clean(text) == text


def test_extract_urls_without_trailing_punctuation():
    text = ("Code: https://github.com/a/b. Project (https://x.org/p), and "
            "https://github.com/Nandan91/entropy-guided-attention-llm{entropy-guided-llm}. "
            "Again https://github.com/a/b; and (Code: https://github.com/yitu-opensource/T2T-ViT)")
    assert extract_urls(text) == [
        "https://github.com/a/b", "https://x.org/p",
        "https://github.com/Nandan91/entropy-guided-attention-llm",
        "https://github.com/yitu-opensource/T2T-ViT",
    ]


def test_url_with_balanced_parentheses_is_kept():
    assert extract_urls("see https://en.wikipedia.org/wiki/Foo_(bar).") == [
        "https://en.wikipedia.org/wiki/Foo_(bar)"]


def test_title_key_ignores_case_accents_punctuation_and_latex():
    a = title_key("Swin Transformer: Hierarchical Vision Transformer using Shifted Windows")
    b = title_key("swin transformer — hierarchical vision transformer, using shifted windows ")
    assert a == b == "swintransformerhierarchicalvisiontransformerusingshiftedwindows"
    assert title_key(r"On Poincar\'e Embeddings") == title_key("On Poincaré Embeddings") == title_key("ON POINCARE EMBEDDINGS")
    assert title_key("Ｆｕｌｌｗｉｄｔｈ") == title_key("Fullwidth")
    assert title_key("中文 标题") == "中文标题"
