"""The HTML report in a real browser (headless Chromium, Debian's ``chromium`` package).

A report is built from a fast model; then Chromium, with every host name
resolving to "not found", opens

- a probe copy of index.html (the Content-Security-Policy removed, so that a
  stray external reference would really be attempted, and a script added
  that writes what it finds into the DOM): every image decoded, every
  ``<math>`` laid out as MathML (``display: math``, fractions stacked), and
  no resource other than ``data:`` URIs requested;
- index.html itself, for a screenshot (saved beside the test's report, and
  copied to ``$EQPROP_SCREENSHOT_DIR`` when set).

The probe is first shown to catch a page that does reach out (a canary), so
that a passing probe means something. Without Chromium the tests are skipped,
except under CI (``CI=true``), where .ci/run installs it and a missing browser
is a failure.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from verify.cli import main
from verify.report import browser

pytestmark = pytest.mark.skipif(
    browser.find_chromium() is None and os.environ.get("CI", "").lower() not in ("1", "true", "yes"),
    reason="chromium is not installed (apt-get install chromium)")

PROBE = """
<script>
window.addEventListener('load', () => {
  const NS = 'http://www.w3.org/1998/Math/MathML';
  const images = [...document.images].map(i => ({src: i.src.slice(0, 40), complete: i.complete,
                                                  width: i.naturalWidth, height: i.naturalHeight}));
  const maths = [...document.getElementsByTagNameNS(NS, 'math')];
  const display = maths.map(m => getComputedStyle(m).display);
  const sized = maths.filter(m => { const r = m.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length;
  const fracs = [...document.getElementsByTagNameNS(NS, 'mfrac')];
  const stacked = fracs.filter(f => f.children.length === 2 &&
      f.children[0].getBoundingClientRect().bottom <= f.children[1].getBoundingClientRect().top + 1).length;
  const resources = performance.getEntriesByType('resource').map(e => e.name);
  const out = {images, math: maths.length, display, sized, fracs: fracs.length, stacked, resources,
               title: document.title, banner: (document.querySelector('.banner .word') || {}).textContent};
  const pre = document.createElement('pre');
  pre.id = 'eqprop-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""

CANARY = """<!DOCTYPE html><html><head><meta charset="utf-8">
<style>body { background: url(https://example.invalid/bg.png); }</style></head>
<body><img src="http://example.invalid/x.png"><math><mfrac><mi>a</mi><mi>b</mi></mfrac></math></body></html>
"""


def probe(page: Path) -> dict:
    """Open a probe copy of ``page`` in Chromium and return what the probe script found."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    text = text.replace("</body>", PROBE + "</body>")
    copy = page.with_name("probe-" + page.name)
    copy.write_text(text, encoding="utf-8")
    try:
        dom = browser.dump_dom(str(copy))
    finally:
        copy.unlink()
    m = re.search(r'<pre id="eqprop-probe">(.*?)</pre>', dom, re.S)
    assert m, f"the probe script did not run; chromium printed:\n{dom[:2000]}"
    return json.loads(html.unescape(m.group(1)))


def external(resources: list[str]) -> list[str]:
    return [r for r in resources if not r.startswith("data:")]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    if browser.find_chromium() is None:
        pytest.fail("chromium is required under CI (.ci/run installs Debian's chromium)")
    out = tmp_path_factory.mktemp("browser") / "riccati"
    code = main(["report", "riccati", "--out", str(out), "--dps", "20", "--times", "0,0.5,1,2,3",
                 "--backend", "mpmath", "--no-audit", "--quiet"])
    assert code == 0
    return out


def test_probe_catches_a_page_that_reaches_out(tmp_path):
    page = tmp_path / "canary.html"
    page.write_text(CANARY, encoding="utf-8")
    found = probe(page)
    assert external(found["resources"]), found          # the probe sees outgoing requests ...
    assert any(i["width"] == 0 for i in found["images"])  # ... and images that did not load
    assert found["display"] == ["math"] and found["stacked"] == 1


def test_report_in_chromium(report_dir):
    found = probe(report_dir / "index.html")
    # every image loads (inline PNGs, decoded to real pixels)
    assert len(found["images"]) == 4, found["images"]
    for img in found["images"]:
        assert img["src"].startswith("data:image/png"), img
        assert img["complete"] and img["width"] > 300 and img["height"] > 200, img
    # the math renders as MathML
    assert found["math"] >= 20
    assert set(found["display"]) <= {"math", "inline math", "block math"}, set(found["display"])
    assert found["sized"] == found["math"]
    assert found["fracs"] > 5 and found["stacked"] == found["fracs"]
    # no request leaves the file
    assert external(found["resources"]) == [], found["resources"]
    assert found["banner"] == "VERIFIED" and "riccati" in found["title"]


def test_screenshot(report_dir, tmp_path):
    from PIL import Image

    shot = Path(browser.screenshot(str(report_dir / "index.html"), str(report_dir / "screenshot.png"),
                                   width=1280, height=2400))
    with Image.open(shot) as im:
        assert im.size == (1280, 2400)
        rgb = im.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 200, "the screenshot is (nearly) blank"
        banner = (0xE9, 0xF6, 0xEC)           # the VERIFIED banner's background, near the top
        top = rgb.crop((0, 0, 1280, 400))
        assert any(c == banner for _, c in (top.getcolors(maxcolors=1 << 20) or [])), "no verdict banner"
    target = os.environ.get("EQPROP_SCREENSHOT_DIR")
    if target:
        os.makedirs(target, exist_ok=True)
        shutil.copy(shot, os.path.join(target, "report-screenshot.png"))
