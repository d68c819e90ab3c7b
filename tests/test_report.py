"""``eqprop-verify report``: the files, their self-containment, MathML, exit codes, and atomicity.

Reports are built from the small ``riccati`` model at dps 20 with few times,
so the whole module takes seconds, not minutes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from verify.cli import main
from verify.report import atomic, builder
from verify.report.mathml import UnsupportedLatex, align_rows, to_mathml

FAST = ["--dps", "20", "--times", "0,0.5,1,2", "--backend", "mpmath", "--no-audit", "--quiet"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CONTRACT_KEYS = {"schema", "tool", "model", "settings", "environment", "fixed_point", "verdict", "checks", "values"}
CHECK_KEYS = {"id", "equations", "compared", "max_abs_error", "max_rel_error", "tolerance", "digits", "passed",
              "applicable", "reason"}
VALUE_KEYS = {"times", "X", "Y", "dL_ds", "dL_dtheta", "X_tilde", "Y_tilde", "dJ_dtheta", "ep_gradient"}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def riccati_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports") / "riccati"
    code = main(["report", "riccati", "--out", str(out), *FAST])
    return out, code


def _files(d: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}


def _leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(name + ".tmp-") or
                  p.name.startswith(name + ".old-"))


# --------------------------------------------------------------------------- the files
def test_report_writes_every_file(riccati_report):
    out, code = riccati_report
    assert code == 0
    names = set(os.listdir(out))
    assert {"index.html", "report.md", "report.json"} <= names
    pngs = {"trajectories.png", "errors.png", "beta_ladder.png", "limit.png"}
    assert pngs <= names, f"missing plots: {pngs - names}"
    for p in pngs:
        assert (out / p).read_bytes().startswith(PNG_MAGIC)
    assert _leftovers(out.parent, out.name) == []


def test_report_json_is_the_check_contract(riccati_report):
    out, _ = riccati_report
    doc = json.loads((out / "report.json").read_text())
    assert CONTRACT_KEYS <= set(doc)
    assert doc["schema"] == "eqprop-verify/check/1"
    assert doc["verdict"] == "verified"
    assert doc["model"]["name"] == "riccati"
    assert doc["settings"]["dps"] == 20
    assert VALUE_KEYS <= set(doc["values"])
    assert {c["id"] for c in doc["checks"]} >= {"theorem1", "theorem2", "theorem3", "corollary4", "eq24"}
    for c in doc["checks"]:
        assert CHECK_KEYS <= set(c)
        assert c["passed"] is True


class _Refs(HTMLParser):
    """Every tag, and every attribute that can make a browser fetch something."""

    def __init__(self):
        super().__init__()
        self.tags, self.refs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "srcset", "poster", "data", "action", "xlink:href", "background") and v:
                self.refs.append((tag, k, v))


def test_html_is_self_contained(riccati_report):
    out, _ = riccati_report
    page = (out / "index.html").read_text(encoding="utf-8")
    refs = _Refs()
    refs.feed(page)
    for banned in ("script", "link", "iframe", "object", "embed", "frame", "base"):
        assert banned not in refs.tags, f"<{banned}> in a self-contained report"
    for tag, attr, value in refs.refs:
        if tag == "img":
            assert value.startswith("data:image/png;base64,"), (tag, attr, value[:60])
        else:  # links to the page's own sections and sibling files only
            assert value.startswith("#") or re.fullmatch(r"report\.(md|json)", value), (tag, attr, value)
    assert not re.search(r"url\(\s*['\"]?(?!data:)", page), "a CSS url() that is not a data: URI"
    assert "@import" not in page and "@font-face" not in page
    assert not re.search(r"(?:src|href)\s*=\s*['\"]?\s*(?:https?:)?//", page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert len([t for t in refs.tags if t == "img"]) == 4


def test_html_has_verdict_table_settings_and_command(riccati_report):
    out, _ = riccati_report
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "VERIFIED" in page
    for cid in ("theorem1", "cauchy-ode", "theorem2", "eq10-limit", "theorem3", "theorem3-ode", "corollary4", "eq24"):
        assert f"<strong>{cid}</strong>" in page
    command = " ".join(page.replace(" \\\n", " ").split())     # the page breaks long commands with \\
    assert "eqprop-verify report riccati --out" in command
    assert "--dps 20 --times 0,0.5,1,2 --beta-method symmetric --backend mpmath --seed 0" in command
    assert "eqprop-verify check riccati --dps 20 --times 0,0.5,1,2 --beta-method symmetric" in command
    assert "mpmath" in page and "sympy" in page and "python" in page


def test_html_equations_are_mathml(riccati_report):
    out, _ = riccati_report
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count("<math ") >= 20
    assert 'xmlns="http://www.w3.org/1998/Math/MathML"' in page
    assert "<mfrac>" in page and "<munder>" in page          # d/dt and lim_{beta -> 0}
    chunks = {c.split("'", 1)[0]: c for c in page.split("<div class='eq-section' id='eq-")[1:]}
    for name in ("free_dynamics", "extended_dynamics", "cauchy_X0", "cauchy_Y0", "cauchy_dX", "cauchy_dY",
                 "hessian", "mixed_hessian", "ep_gradient", "ep_truncated"):  # Eq 1, 18, 11-14, H, M, 20, 24
        assert name in chunks, f"no equation section {name}"
        assert "<math " in chunks[name]
    # every <math> element is well-formed XML
    import xml.etree.ElementTree as ET

    for m in re.findall(r"<math .*?</math>", page, re.S):
        ET.fromstring(m.replace("&nbsp;", " "))


def test_markdown_renders_tables_and_relative_images(riccati_report):
    out, _ = riccati_report
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# eqprop-verify report: `riccati`")
    assert "| status | statement |" in md and "|---|" in md
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(images) == 4
    for img in images:
        assert not re.match(r"[a-z]+:", img) and not img.startswith("/"), img
        assert (out / img).exists()
    assert "```math" in md


def test_json_flag_prints_report_json(tmp_path, capsys):
    out = tmp_path / "r"
    code = main(["report", "riccati", "--out", str(out), "--json", *FAST])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    on_disk = json.loads((out / "report.json").read_text())
    printed.pop("timings"), on_disk.pop("timings")
    assert printed == on_disk


def test_report_replaces_an_earlier_report(riccati_report, tmp_path):
    src, _ = riccati_report
    out = tmp_path / "again"
    out.mkdir()
    for p in src.iterdir():           # an earlier report: every file, its manifest among them
        (out / p.name).write_bytes(p.read_bytes())
    (out / "index.html").write_text("stale")
    assert main(["report", "riccati", "--out", str(out), *FAST]) == 0
    assert (out / "index.html").read_text() != "stale"
    assert sorted(os.listdir(out)) == sorted(os.listdir(src))
    assert _leftovers(tmp_path, "again") == []


# --------------------------------------------------------------------------- exit codes
def test_bad_model_is_exit_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "nothing"
    assert main(["report", "no-such-model", "--out", str(out), *FAST]) == 2
    assert not out.exists()
    assert "no-such-model" in capsys.readouterr().err


def test_bad_dps_is_exit_2(tmp_path):
    assert main(["report", "riccati", "--out", str(tmp_path / "x"), "--dps", "3"]) == 2
    assert not (tmp_path / "x").exists()


def test_refuses_to_replace_a_directory_that_is_not_a_report(tmp_path, capsys):
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    assert main(["report", "riccati", "--out", str(precious), *FAST]) == 2
    assert (precious / "notes.txt").read_text() == "keep me"
    assert os.listdir(precious) == ["notes.txt"]
    assert "not an eqprop-verify report" in capsys.readouterr().err
    assert _leftovers(tmp_path, "mine") == []


RICCATI_AT_MAXIMUM = """
name = "riccati-maximum"
description = "the riccati energy (c = 0) with the free phase started at its local maximum s = a/b"
[state]
s = 0
[params]
a = 0
b = 0
c = 0
[targets]
y = 1
[model]
energy = "a*s**2/2 - b*s**3/3 - c*s"
cost = "(s - y)**2/2"
[values]
a = 2
b = "1/2"
c = 0
[settings]
initial_state = 4
"""


def test_hypotheses_not_met_is_exit_3_with_a_report(tmp_path):
    spec = tmp_path / "rmax.toml"
    spec.write_text(RICCATI_AT_MAXIMUM)
    out = tmp_path / "rmax"
    assert main(["report", str(spec), "--out", str(out), *FAST]) == 3
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "HYPOTHESES NOT MET" in page and "not applicable" in page
    assert json.loads((out / "report.json").read_text())["verdict"] == "hypotheses-not-met"
    assert (out / "trajectories.png").exists()
    assert not (out / "beta_ladder.png").exists()    # Theorem 2 needs a strict minimum


def test_a_failed_statement_is_exit_1_with_a_report(tmp_path, monkeypatch):
    real = builder.check

    def failing(*args, **kwargs):
        report = real(*args, **kwargs)
        report.checks[0].passed = False
        return report

    monkeypatch.setattr(builder, "check", failing)
    out = tmp_path / "failed"
    assert main(["report", "riccati", "--out", str(out), *FAST]) == 1
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "FAILED" in page and 'class="banner failed"' in page
    assert "<span class=\"status FAIL\">FAIL</span>" in page


# --------------------------------------------------------------------------- atomicity
def test_exception_leaves_nothing(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(builder.plots, "render_all", boom)
    out = tmp_path / "broken"
    assert main(["report", "riccati", "--out", str(out), *FAST]) == 4
    assert not out.exists()
    assert _leftovers(tmp_path, "broken") == []


def test_atomic_directory_all_or_nothing(tmp_path):
    target = tmp_path / "d"
    with pytest.raises(KeyboardInterrupt):
        with atomic.AtomicDirectory(str(target)) as d:
            d.write("report.json", '{"schema": "eqprop-verify/check/1"}')
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []
    with atomic.AtomicDirectory(str(target)) as d:
        d.write("report.json", '{"schema": "eqprop-verify/check/1"}')
        d.write("a.png", b"x")
        d.commit()
    assert sorted(os.listdir(target)) == sorted(["a.png", "report.json", atomic.MANIFEST])
    assert os.stat(target).st_mode & 0o755 == 0o755
    with atomic.AtomicDirectory(str(target)) as d:
        d.write("report.json", '{"schema": "eqprop-verify/check/1", "n": 2}')
        d.commit()
    assert sorted(os.listdir(target)) == sorted(["report.json", atomic.MANIFEST]) and os.listdir(tmp_path) == ["d"]
    (tmp_path / "plain").write_text("x")
    with pytest.raises(atomic.NotAReportDirectory):
        atomic.AtomicDirectory(str(tmp_path / "plain"))


def _run_and_interrupt(out: Path, tmp_path: Path, delay: float = 0.3, signum=signal.SIGINT):
    """Start a report in a subprocess; ``delay`` s after its temporary directory appears, send ``signum``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # enough work that the interrupt lands mid-run
    args = [sys.executable, "-m", "verify", "report", "riccati", "--out", str(out), "--dps", "30",
            "--times", "0,0.25,0.5,0.75,1,1.5,2,3,4,5", "--backend", "mpmath", "--quiet"]
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    seen = False
    while time.monotonic() < deadline and proc.poll() is None:
        tmps = [p for p in out.parent.iterdir() if p.name.startswith(out.name + ".tmp-")]
        if tmps:
            seen = True
            time.sleep(delay)            # let it get some way into the work
            break
        time.sleep(0.02)
    assert seen, "the report never created its temporary directory"
    assert proc.poll() is None, "the report finished before it could be interrupted"
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=120)
    return proc.returncode, stderr.decode()


#: exit 130 from the CLI's handler; -SIGINT when the interpreter, after that handler ran, ends itself
#: with the signal (CPython does so when a KeyboardInterrupt went unhandled in some nested evaluation);
#: a shell shows 130 for both
INTERRUPTED = (130, -signal.SIGINT)


@pytest.mark.parametrize("delay", [0.05, pytest.param(1.0, marks=pytest.mark.slow),
                                   pytest.param(3.0, marks=pytest.mark.slow)])  # check, plots, proofs, audit
def test_sigint_leaves_no_partial_files(tmp_path, delay):
    out = tmp_path / "interrupted"
    code, err = _run_and_interrupt(out, tmp_path, delay)
    assert code in INTERRUPTED, err
    assert "interrupted" in err
    assert not out.exists()
    assert _leftovers(tmp_path, "interrupted") == []


def test_sigterm_leaves_no_partial_files(tmp_path):
    out = tmp_path / "terminated"
    code, err = _run_and_interrupt(out, tmp_path, 0.5, signal.SIGTERM)
    assert code in INTERRUPTED, err
    assert not out.exists()
    assert _leftovers(tmp_path, "terminated") == []


def test_sigint_leaves_an_existing_report_intact(riccati_report, tmp_path):
    src, _ = riccati_report
    out = tmp_path / "existing"
    out.mkdir()
    for p in src.iterdir():
        (out / p.name).write_bytes(p.read_bytes())
    before = _files(out)
    code, err = _run_and_interrupt(out, tmp_path)
    assert code in INTERRUPTED, err
    assert _files(out) == before
    assert _leftovers(tmp_path, "existing") == []


# --------------------------------------------------------------------------- pieces
def test_report_checks_at_the_times_of_check(tmp_path, monkeypatch):
    """``report MODEL`` runs the check exactly as ``check MODEL`` does: same times, so the same digits."""
    seen = []

    def fake_check(model, **kwargs):
        seen.append(kwargs)
        raise KeyboardInterrupt("stop after recording the settings")

    monkeypatch.setattr(builder, "check", fake_check)
    with pytest.raises(KeyboardInterrupt):
        builder.build("riccati", out=str(tmp_path / "r"), dps=20)
    assert seen[0]["times"] is None            # verify.check then takes the model's times, as `check` does
    assert builder.report_times(None, ["0", "1/3"]) == ["0", "1/3"]
    assert not (tmp_path / "r").exists()
    assert builder.decimal_text(__import__("sympy").Rational(-7, 4)) == "-1.75"
    assert builder.decimal_text(__import__("sympy").Rational(1, 3)) == "1/3"


@pytest.mark.parametrize("latex", [
    r"\frac{d s_{0}}{d t} = \rho'\left(s_{0}\right) \odot \left(W_{01}\,\rho\left(s_{1}\right)\right) - s_{0}",
    r"\lim_{\beta \to 0} \frac{1}{\beta} \left[ {\rho\left(s_{0}^{\beta}\right)}^{\top} \right]",
    r"H_{s_{0} s_{0}} = I - \operatorname{diag}\left(\rho''\left(s_{0}\right)\right)",
    r"(X_0)_{s_{0}} = \frac{\partial^2 E}{\partial s_{0}\, \partial s_{1}} \cdot \mathrm{x} \text{ a < b }",
])
def test_mathml_subset(latex):
    import xml.etree.ElementTree as ET

    ET.fromstring(to_mathml(latex))


def test_mathml_refuses_what_it_does_not_know():
    with pytest.raises(UnsupportedLatex):
        to_mathml(r"\begin{pmatrix} a \end{pmatrix}")
    with pytest.raises(UnsupportedLatex):
        to_mathml(r"\frac{a}{b")
    rows = align_rows("\\begin{align*}\n  a &= b \\tag{1} \\\\\n  c &= d\n\\end{align*}")
    assert rows == [("a  = b", "1"), ("c  = d", None)]


@pytest.mark.slow
def test_no_model_reports_the_paper_example_into_reports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--dps", "20", "--times", "0,1", "--backend", "mpmath", "--no-audit", "--no-proofs",
                 "--quiet"]) == 0
    out = tmp_path / "reports" / "paper-hopfield"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "paper-hopfield" in page and "VERIFIED" in page
    assert "eqprop-verify report --out reports/paper-hopfield --dps 20" in " ".join(page.split())


# --------------------------------------------------------------------------- what a careful reader sees
def test_html_and_markdown_show_the_gradient_to_the_same_digits(riccati_report):
    out, _ = riccati_report
    html_digits = re.findall(r"(\d+) significant digits shown", (out / "index.html").read_text(encoding="utf-8"))
    md_digits = re.findall(r"(\d+) significant digits\.", (out / "report.md").read_text(encoding="utf-8"))
    assert html_digits and html_digits == md_digits


def test_statement_texts_use_the_pages_notation():
    from verify.report.notation import html_math, unicode_math
    from verify.statements import STATEMENTS

    texts = [s.title for s in STATEMENTS] + [side for s in STATEMENTS for side in s.compared]
    for text in texts:
        for shown in (html_math(text), unicode_math(text)):
            for ascii_ in ("theta", "beta", "X~", "Y~", "dL/ds", "dJ/dtheta", "s_theta^0", "+-", "->"):
                assert ascii_ not in shown, (ascii_, shown)
    assert html_math("s_theta^0 and X~_t") == "s<sub>θ</sub>⁰ and X̃<sub>t</sub>"
    assert unicode_math("Eq 11-14, 1.2e-37, beta = +-0.001 * 2^-k") == "Eq 11-14, 1.2e-37, β = ±0.001 * 2⁻ᵏ"


def test_a_command_is_split_between_flags_and_still_runs():
    import shlex

    command = ("eqprop-verify report 'my model.toml' --out reports/a-rather-long-directory-name --dps 40 "
               "--times 0,0.5,1,2,5 --beta-method symmetric --backend mpmath --seed 0")
    text = builder.shell_lines(command)
    lines = text.split(" \\\n")
    assert len(lines) > 1 and all(len(line) <= 72 for line in lines)
    assert all(line.strip().startswith(("--", "eqprop-verify")) for line in lines)
    assert shlex.split(text.replace("\\\n", " ")) == shlex.split(command)


def test_proofs_read_with_the_numeric_check():
    from symbolic.load import load_model
    from verify.report.extras import _theta_free_cost_note, proof_outcome
    from verify.result import CheckResult

    passed = CheckResult("theorem1", "t", ["11"], ["a", "b"], max_rel_error=1e-50, tolerance=1e-37, passed=True)
    failed = CheckResult("theorem3", "t", ["21"], ["a", "b"], max_rel_error=1e-3, tolerance=1e-37, passed=False)
    row = {"obligation": "theorem1", "outcome": "UNDECIDED", "kind": "statement", "numeric_only": True}
    badge, shown, note = proof_outcome(row, [passed])
    assert (badge, shown) == ("PASS", "NUMERIC ONLY") and "verified numerically by theorem1" in note
    badge, shown, note = proof_outcome(dict(row, obligation="theorem3"), [failed])
    assert (badge, shown) == ("NA", "NUMERIC ONLY") and "FAIL" in note and "verified" not in note
    exact = {"obligation": "theorem1", "outcome": "PROVED", "kind": "statement", "numeric_only": False}
    assert proof_outcome(exact, [passed])[:2] == ("PROVED", "PROVED")

    note = _theta_free_cost_note(load_model("paper-hopfield"))
    assert "does not depend on θ" in note
    assert _theta_free_cost_note(load_model("paper-hopfield-readout")) is None
    misprint = {"obligation": "eq61-as-printed", "outcome": "PROVED", "kind": "misprint", "note": note}
    assert proof_outcome(misprint, [])[:2] == ("NA", "HOLDS HERE ONLY")
    assert proof_outcome(dict(misprint, note=None), [])[:2] == ("PROVED", "PROVED")


def test_complex_eigenvalues_are_rounded_for_display_like_real_ones():
    """A field's Jacobian eigenvalues are complex strings ("a+bj", "a+-bj" in the JSON): shown to 6 digits."""
    from verify.report.html import num

    assert num("0.3333333333333333333333333333333333333333+-0.6666666666666666666666666666666666666667j", 6) \
        == "(0.333333 - 0.666667j)"
    assert num("0.25+0.5j", 6) == "(0.25 + 0.5j)" and num("1.2345678", 3) == "1.23"


def test_notation_turns_lambda_greek_only_as_a_word():
    from verify.report.notation import unicode_math

    assert unicode_math("diag(lambda) lambda_min exp(-lambda t) Lambda") == "diag(λ) λ_min exp(−λ t) Λ"
    assert unicode_math("sympy.lambdify") == "sympy.lambdify"
    assert unicode_math("ds/dt = -dE/ds(s)") == "ds/dt = −∂E/∂s(s)"     # a leading minus before ∂ too
