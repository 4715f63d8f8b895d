"""The XSS corpus, and the checks that a page rendered it inert: in the browser and in this process.

`PAYLOADS` is the renderer's corpus (tests/consultations/test_markdown.py, `XSS`) plus variants made for
a browser: they set `window.__xss`, call confirm/prompt, or try to break out of the places a text lands
in (an attribute, a <textarea>, the <title>, an SVG link). Every payload goes into every field in this
process (tests/security/test_xss_escaping.py); `BROWSER_SAMPLE`, one payload or a few per place a text
lands in and every payload only a browser can judge, goes into every field in Chromium
(tests/browser/test_xss.py).

`INERT_CHECK` is run in the page: it lists every element or attribute a payload could have created.
`inert_problems(html)` is the same check on the document libxml2's HTML parser builds from a response
(lxml, installed with pikepdf; tinyhtml5, which follows the HTML5 algorithm, takes 25 times as long on
these pages), plus the check that no payload holding "<" is in the HTML as it was typed. Where the two
parsers could read a live page differently (misnested or foreign content, <noscript>) the browser, with
its own parser, judges the sample.
"""

from __future__ import annotations

import re

from lxml import etree

from tests.consultations.test_markdown import XSS

BROWSER_VARIANTS = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 1">',
    "<img src=x onerror=confirm(1)>",
    "<img src=x onerror=prompt(1)>",
    '"><script>window.__xss = 1</script>',
    "'><img src=x onerror=window.__xss=1>",
    "</textarea><script>window.__xss = 1</script>",
    "</title><script>window.__xss = 1</script>",
    "</option></select><img src=x onerror=window.__xss=1>",
    '<svg><a xlink:href="javascript:window.__xss=1"><text x="20" y="20">clic</text></a></svg>',
    "<svg><animate onbegin=window.__xss=1 attributeName=x dur=1s>",
    '<a href="jav&#x09;ascript:window.__xss=1">clic</a>',
    '<a href="javascript&colon;window.__xss=1">clic</a>',
    "[clic](javascript:window.__xss=1)",
    "[clic](javascript:confirm(1))",
    "[clic](jav&#x09;ascript:alert(1))",
    '[clic](https://example.org "a\\" onmouseover=\\"window.__xss=1")',
    '<iframe src="data:text/html,<script>parent.__xss=1</script>"></iframe>',
    '<video><source onerror="window.__xss = 1"></video>',
    "<marquee onstart=window.__xss=1>x</marquee>",
    '<base href="javascript:/">',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    "<x contenteditable onfocus=window.__xss=1 autofocus tabindex=1>x</x>",
    "javascript:window.__xss=1",
]

PAYLOADS = XSS + BROWSER_VARIANTS

# In Chromium, as in this process, each of these goes into every field and onto every page. By where
# the text lands and what only a browser can tell:
BROWSER_SAMPLE = [
    # Shown as text: a handler or a script that would open a dialog, call one, or set window.__xss.
    "<img src=x onerror=alert(1)>",
    "<script>window.__xss = 1</script>",
    "<img src=x onerror=confirm(1)>",
    # The browser's own parser: nested tags, foreign content (MathML, SVG) and <noscript>, which a
    # browser with scripting on parses differently from a parser without it.
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<svg><a xlink:href="javascript:window.__xss=1"><text x="20" y="20">clic</text></a></svg>',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    # Handlers that fire with no click: on load, on toggle, on focus.
    "<details open ontoggle=alert(1)>",
    "<x contenteditable onfocus=window.__xss=1 autofocus tabindex=1>x</x>",
    # Out of an attribute, a <textarea>, the <title>, a <select> (a form field holds them as typed).
    '<p title="</p><img src=x onerror=alert(1)>">x</p>',
    '"><script>window.__xss = 1</script>',
    "'><img src=x onerror=window.__xss=1>",
    "</textarea><script>window.__xss = 1</script>",
    "</title><script>window.__xss = 1</script>",
    "</option></select><img src=x onerror=window.__xss=1>",
    # Addresses: entities and tabs the browser's URL parser resolves, a <base> for every link.
    '<a href="jav&#x09;ascript:window.__xss=1">clic</a>',
    '<base href="javascript:/">',
    # Markdown: links, a reference, an image, an autolink, a title breakout.
    "[clic](javascript:window.__xss=1)",
    "[clic](jav&#x09;ascript:alert(1))",
    '[clic](https://example.org "a\\" onmouseover=\\"window.__xss=1")',
    "[clic][ref]\n\n[ref]: javascript:alert(1)",
    '![x" onerror="alert(1)](x.png)',
    "<javascript:alert(1)>",
    # A text that is an address, as typed.
    "javascript:window.__xss=1",
]

# Texts a link can put in an address (a `next` to come back to, a search, a page number).
REFLECTED = [
    "javascript:alert(1)",
    " JaVaScRiPt:window.__xss=1",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    '"><script>window.__xss = 1</script>',
    "'><img src=x onerror=window.__xss=1>",
]
# In Chromium: the address its URL parser reads past a tab, and the two attribute breakouts.
BROWSER_REFLECTED = [
    "java\tscript:alert(1)",
    '"><script>window.__xss = 1</script>',
    "'><img src=x onerror=window.__xss=1>",
]

# Live HTML, as an unescaped page would hold it: each must be reported, in the browser and in this process.
LIVE = [
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<script>window.__xss = 1</script>",
    '<a href="&#106;&#97;vascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html,x">x</a>',
    '<iframe srcdoc="<p>x</p>"></iframe>',
    '<form action="vbscript:x"><button>x</button></form>',
    '<button form="f" formaction="javascript:alert(1)">x</button>',
    "<details open ontoggle=confirm(1)>x</details>",
    '<b style="color:red">x</b>',
    '<meta http-equiv="refresh" content="30">',
    '<object data="data:text/html;base64,PHA+eDwvcD4="></object>',
]

# What a dangerous page would hold. Everything is read from the live DOM, so entities, case, tabs and
# newlines are already resolved the way the browser resolved them (`new URL` gives the real protocol).
INERT_CHECK = r"""() => {
  const problems = [];
  const SAFE = new Set(["http:", "https:", "mailto:"]);
  const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "data", "poster", "background",
                                  "codebase", "cite", "longdesc", "xlink:href", "ping"]);
  const NEVER = new Set(["script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
                         "style", "math", "portal", "noembed", "xmp", "template"]);
  const show = (el) => el.outerHTML.slice(0, 140);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    const inHead = !!el.closest("head");
    if (NEVER.has(tag)) problems.push(`<${tag}>: ${show(el)}`);
    if (tag === "svg" && !el.closest("figure.report-chart")) problems.push(`<svg>: ${show(el)}`);
    if (tag === "meta" && (!inHead || el.hasAttribute("http-equiv"))) problems.push(`<meta>: ${show(el)}`);
    if (tag === "link" && !inHead) problems.push(`<link> in the body: ${show(el)}`);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) problems.push(`handler ${name}: ${show(el)}`);
      if (name === "style" || name === "srcdoc" || name === "srcset")
        problems.push(`attribute ${name}: ${show(el)}`);
      if (URL_ATTRIBUTES.has(name) || name.endsWith(":href")) {
        let protocol;
        try { protocol = new URL(attr.value, document.baseURI).protocol; } catch (e) { protocol = "invalid"; }
        if (!SAFE.has(protocol) && !(name === "href" && attr.value.trim().startsWith("#")))
          problems.push(`${name} with ${protocol}: ${show(el)}`);
      }
    }
    if (tag === "a" && typeof el.href === "string" && el.href && !SAFE.has(new URL(el.href).protocol))
      problems.push(`link: ${show(el)}`);
  }
  if (window.__xss !== undefined) problems.push(`window.__xss = ${window.__xss}`);
  if (window.__xss_calls && window.__xss_calls.length) problems.push(`called ${window.__xss_calls}`);
  return problems;
}"""

# Before any page script: record a call to a dialog function even if no dialog event came of it.
TRAP_DIALOGS = """for (const name of ["alert", "confirm", "prompt", "print"]) {
  const original = window[name];
  window[name] = function (...args) {
    (window.__xss_calls = window.__xss_calls || []).push(name);
    return original.apply(this, args);
  };
}"""


# --- The same check in this process ----------------------------------------------------------------------
SAFE_PROTOCOLS = {"http:", "https:", "mailto:"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "codebase", "cite",
                  "longdesc", "xlink:href", "ping"}  # fmt: skip
NEVER = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "math",
         "portal", "noembed", "xmp", "template"}  # fmt: skip
PREFIXES = {"http://www.w3.org/1999/xlink": "xlink:", "http://www.w3.org/XML/1998/namespace": "xml:"}
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def parse(html: str):
    """The document `html` makes, as libxml2's HTML parser reads it (lower-case tag names; comments are not
    elements: their tag is no string)."""
    return etree.fromstring(html, etree.HTMLParser(huge_tree=True))


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _attribute_name(name: str) -> str:
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return PREFIXES.get(namespace, "") + local.lower()
    return name.lower()


def protocol(value: str, base: str = "http:") -> str:
    """The protocol of the URL `value` (an attribute as parsed), as the WHATWG URL parser reads it: leading
    and trailing controls and spaces dropped, tabs and newlines removed anywhere; `base`'s for a relative
    one."""
    value = re.sub(r"[\t\n\r]", "", re.sub(r"^[\x00-\x20]+|[\x00-\x20]+$", "", value))
    scheme = SCHEME.match(value)
    return scheme.group().lower() if scheme else base


def _show(element) -> str:
    attributes = " ".join(f'{_attribute_name(k)}="{v}"' for k, v in element.attrib.items())
    return f"<{local_name(element.tag)} {attributes}>"[:140]


def inert_problems(html: str, payloads: list[str] = (), document=None) -> list[str]:
    """What INERT_CHECK would find in the document parsed from `html` (or in `document`, already parsed
    from it): no script runs here, so what `window.__xss` and the dialog trap would show is what a script
    element, a handler or an address with another protocol could do. And each of `payloads` holding "<"
    that is in `html` as typed: a serializer escapes "<" in text, so such a payload is markup there."""
    problems = []

    def walk(element, ancestors: list[str], classes: list[set[str]]) -> None:
        tag = local_name(element.tag)
        in_head = "head" in ancestors
        if tag in NEVER:
            problems.append(f"<{tag}>: {_show(element)}")
        chart = any(a == "figure" and "report-chart" in c for a, c in zip(ancestors, classes, strict=True))
        if tag == "svg" and not chart:
            problems.append(f"<svg>: {_show(element)}")
        if tag == "meta" and (not in_head or "http-equiv" in element.attrib):
            problems.append(f"<meta>: {_show(element)}")
        if tag == "link" and not in_head:
            problems.append(f"<link> in the body: {_show(element)}")
        for raw, value in element.attrib.items():
            name = _attribute_name(raw)
            if name.startswith("on"):
                problems.append(f"handler {name}: {_show(element)}")
            if name in ("style", "srcdoc", "srcset"):
                problems.append(f"attribute {name}: {_show(element)}")
            if name in URL_ATTRIBUTES or name.endswith(":href"):
                scheme = protocol(value)
                if scheme not in SAFE_PROTOCOLS and not (name == "href" and value.strip().startswith("#")):
                    problems.append(f"{name} with {scheme}: {_show(element)}")
        below = [*ancestors, tag]
        below_classes = [*classes, set(element.attrib.get("class", "").split())]
        for child in element:
            if isinstance(child.tag, str):  # not a comment
                walk(child, below, below_classes)

    walk(parse(html) if document is None else document, [], [])
    problems += [f"typed as is: {p[:80]!r}" for p in payloads if "<" in p and p in html]
    return problems
