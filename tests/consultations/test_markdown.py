"""The Markdown subset of contributions: what people may write works, and no payload survives as code."""

from __future__ import annotations

import html
import re
import urllib.parse

import pytest
from django.utils.safestring import SafeString

from consultations.markdown import render

XSS = [
    # Raw HTML: shown as text, never interpreted.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg/onload=alert(1)//",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">clic</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<p title="</p><img src=x onerror=alert(1)>">x</p>',
    "<b onclick=alert(1)>negrita</b>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    # Markdown links with dangerous schemes, in every spelling.
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](&#x6A;avascript:alert(1))",
    "[clic](&#106;avascript:alert(1))",
    "[clic](&#0000106;avascript:alert(1))",
    "[clic](javascript&colon;alert(1))",
    "[clic](%6Aavascript:alert(1))",
    "[clic](java%73cript:alert(1))",
    "[clic]( javascript:alert(1))",
    "[clic](<javascript:alert(1)>)",
    "[clic](java\tscript:alert(1))",
    "[clic](\\javascript:alert(1))",
    "[clic](data:text/html,<script>alert(1)</script>)",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](DATA:text/html,x)",
    "[clic](vbscript:msgbox(1))",
    "[clic](VbScRiPt:msgbox(1))",
    "[clic](file:///etc/passwd)",
    '[clic](https://example.org "t" onmouseover="alert(1)")',
    '[clic](https://example.org" onmouseover="alert(1))',
    "[clic][ref]\n\n[ref]: javascript:alert(1)",
    "[<img src=x onerror=alert(1)>](https://example.org)",
    '[**x**](javascript:alert(1) "t")',
    # Autolinks.
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<vbscript:msgbox(1)>",
    # Images (disabled) with handlers or scripts.
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](x.png)',
    '![x](x.png "t" onerror="alert(1)")',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    # Nested and encoded forms.
    "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
    "- [x](javascript:alert(1))\n- <img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\<script>alert(1)\\</script>",
    "<<script>script>alert(1)<</script>/script>",
    "*<img src=x onerror=alert(1)>*",
]

SCRIPT_TAG = re.compile(r"<\s*script", re.I)
EVENT_HANDLER = re.compile(r"\bon\w+\s*=", re.I)
DANGEROUS_SCHEME = re.compile(r"^\s*(javascript|data|vbscript|file)\s*:", re.I)
HREF = re.compile(r"""\b(?:href|src|action|formaction|data)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
TAG = re.compile(r"<\s*/?\s*([a-z][a-z0-9]*)", re.I)
ALLOWED = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}


def decoded(value: str) -> str:
    """Undo entities and percent-encoding (twice: nested encodings), drop control characters."""
    for _ in range(2):
        value = urllib.parse.unquote(html.unescape(value))
    return re.sub(r"[\x00-\x20]", "", value)


def test_the_corpus_has_at_least_fifty_payloads():
    assert len(XSS) >= 50
    assert len(set(XSS)) == len(XSS)


def assert_inert(out: str) -> None:
    assert not SCRIPT_TAG.search(out)
    # Handlers and URLs may appear as escaped text (harmless), never inside a real tag.
    for tag in re.findall(r"<[^>]*>", out):
        assert not EVENT_HANDLER.search(tag), tag
        assert "style=" not in tag.lower(), tag
        for value in HREF.findall(tag):
            assert not DANGEROUS_SCHEME.match(decoded(value.strip("\"'"))), tag
    assert {name.lower() for name in TAG.findall(out)} <= ALLOWED


@pytest.mark.parametrize(
    "live",
    [
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="%6Aavascript:alert(1)">x</a>',
        "<p onclick=alert(1)>x</p>",
        "<script>alert(1)</script>",
        '<img src="x">',
    ],
)
def test_the_checks_catch_live_html(live):
    with pytest.raises(AssertionError):
        assert_inert(live)


@pytest.mark.parametrize("payload", XSS)
def test_a_payload_renders_inert(payload):
    out = render(payload)
    assert isinstance(out, SafeString)
    assert_inert(out)


@pytest.mark.parametrize("payload", XSS)
def test_every_link_left_is_http_https_or_mailto_and_marked_ugc(payload):
    out = render(payload)
    for anchor in re.findall(r"<a\b[^>]*>", out):
        href = re.search(r'href="([^"]*)"', anchor)
        if href:
            assert re.match(r"(https?|mailto):", decoded(href.group(1)), re.I), anchor
        assert 'rel="nofollow ugc noopener"' in anchor


# --- What people may write -------------------------------------------------------------------------
def test_emphasis_and_strong():
    assert render("*énfasis* y **fuerte**") == "<p><em>énfasis</em> y <strong>fuerte</strong></p>\n"


def test_an_https_link_gets_nofollow_ugc_noopener():
    out = render("[la norma](https://www.gob.pe/pcm?a=1&b=2)")
    assert out == (
        '<p><a href="https://www.gob.pe/pcm?a=1&amp;b=2" rel="nofollow ugc noopener">la norma</a></p>\n'
    )


def test_mailto_and_autolinks_work():
    assert 'href="mailto:sgp@pcm.gob.pe"' in render("[escriba](mailto:sgp@pcm.gob.pe)")
    assert 'href="https://www.gob.pe"' in render("<https://www.gob.pe>")


def test_lists_quotes_and_code():
    out = render("> cita\n\n- uno\n- dos\n\n1. a\n2. b\n\n`código`")
    for piece in ("<blockquote>", "<ul>", "<li>uno</li>", "<ol>", "<code>código</code>"):
        assert piece in out


def test_headings_images_and_raw_html_are_text():
    assert "<h1" not in render("# Título")
    assert "# Título" in render("# Título")
    assert "<img" not in render("![foto](https://example.org/a.png)")
    assert render("<b>x</b>") == "<p>&lt;b&gt;x&lt;/b&gt;</p>\n"


def test_relative_links_are_dropped():
    assert "href" not in render("[x](/admin/)")


def test_empty_text_renders_empty():
    assert render("") == ""
    assert render(None) == ""
