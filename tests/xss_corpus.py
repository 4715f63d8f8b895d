"""The XSS corpus of the browser tests, and the check that a page rendered it inert.

`PAYLOADS` is the renderer's corpus (tests/consultations/test_markdown.py, `XSS`) plus variants made for
a browser: they set `window.__xss`, call confirm/prompt, or try to break out of the places a text lands
in (an attribute, a <textarea>, the <title>, an SVG link). `INERT_CHECK` is run in the page: it lists
every element or attribute a payload could have created.
"""

from __future__ import annotations

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
