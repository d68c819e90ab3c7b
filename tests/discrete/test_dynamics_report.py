"""``eqprop-verify report`` on discrete maps and continuous fields (issue 13, item 5), and with ``--bridge``.

Small models at dps 20: the module takes seconds. The pages are read as a reader would: the verdict,
the statements, the plots that belong to the dynamics, the per-step discrepancy, the sweep, the commands.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import mpmath
import pytest

from verify.cli import main
from verify.report import browser

MODELS = Path(__file__).parent / "models"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FAST = ["--dps", "20", "--quiet"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    base = tmp_path_factory.mktemp("dynamics-reports")
    out = {}
    for name, extra in (("hopfield-primitive", ["--steps", "4"]), ("sigma-update", []),
                        ("field-pair", ["--times", "0,1/2", "--dps", "15"])):
        d = base / name
        out[name] = (d, main(["report", str(MODELS / f"{name}.toml"), "--out", str(d), *FAST, *extra]))
    return out


def test_a_discrete_report_has_its_own_plots_and_the_check_contract(reports):
    d, code = reports["hopfield-primitive"]
    assert code == 0
    files = {p.name for p in d.iterdir()}
    assert {"index.html", "report.md", "report.json", "per_step.png", ".eqprop-report.json"} <= files
    assert (d / "per_step.png").read_bytes().startswith(PNG_MAGIC)
    doc = json.loads((d / "report.json").read_text())
    assert doc["verdict"] == "verified" and doc["settings"]["steps"] == 4
    assert [c["id"] for c in doc["checks"]] == ["gdu-s", "gdu-theta", "gdu-sum", "bptt-adjoint"]
    page = (d / "index.html").read_text()
    assert "VERIFIED" in page and "BPTT against EP, step by step" in page and "default-src 'none'" in page
    assert not re.search(r"""(src|href)=["'](https?:|//)""", page)
    assert "eqprop-verify derive" in page and "F[s0] = dPhi/ds0" in page         # the derived map, per block
    assert f"eqprop-verify report {MODELS / 'hopfield-primitive.toml'}" in page and "--steps 4" in page
    md = (d / "report.md").read_text()
    assert "![BPTT against EP, step by step](per_step.png)" in md and "| **PASS** | `gdu-s`" in md


def test_the_check_command_of_the_report_gives_the_same_values(reports, tmp_path):
    d, _ = reports["hopfield-primitive"]
    doc = json.loads((d / "report.json").read_text())
    md = (d / "report.md").read_text()
    block = md[md.index("eqprop-verify check "):].split("```")[0]        # the command as the report shows it
    args = shlex.split(block.replace("\\\n", " "))[1:]
    assert main([*args, "--json", str(tmp_path / "again.json"), "--quiet"]) == 0
    assert json.loads((tmp_path / "again.json").read_text())["values"]["delta_ep_s"] == doc["values"]["delta_ep_s"]


def test_a_sigma_update_report_shows_the_asymmetry_and_the_per_step_discrepancy(reports):
    d, code = reports["sigma-update"]
    assert code == 3
    assert (d / "discrepancy.png").read_bytes().startswith(PNG_MAGIC)
    doc = json.loads((d / "report.json").read_text())
    page = (d / "index.html").read_text()
    assert "HYPOTHESES NOT MET" in page and "not a gradient map" in page
    asym = doc["fixed_point"]["asymmetry"]
    assert mpmath.mpf(asym) > 0.01 and mpmath.nstr(mpmath.mpf(asym), 6) in page
    for row in doc["values"]["discrepancy"][1:]:            # t >= 1: EP is off by percents, in the table
        assert mpmath.nstr(mpmath.mpf(row["relative_error"]), 4) in page
    assert "sweep.png" not in {p.name for p in d.iterdir()}    # no input `alpha`: no sweep


def test_a_field_report_sweeps_alpha_and_ep_error_grows_with_it(reports):
    d, code = reports["field-pair"]
    assert code == 0
    assert {"field_routes.png", "discrepancy.png", "sweep.png", "sweep.json"} <= {p.name for p in d.iterdir()}
    sweep = json.loads((d / "sweep.json").read_text())
    rows = sweep["rows"]
    assert [r["alpha"] for r in rows] == ["0", "1/8", "1/4", "1/2"]       # the model's alpha is 0: the default ladder
    assert rows[0]["ep_statement"] == {"id": "field-ep", "status": "PASS"}
    assert all(r["ep_statement"]["status"] == "N/A" for r in rows[1:])
    worst = [mpmath.mpf(r["worst_relative_error"]) for r in rows]
    assert worst[0] < 1e-15 < worst[1] < worst[2] < worst[3]
    page = (d / "index.html").read_text()
    assert "Asymmetry sweep" in page and "field-ep: PASS" in page


@pytest.mark.parametrize("model,flag,words", [
    ("hopfield-step", ["--times", "0,1"], "a discrete model compares steps"),
    ("field-pair", ["--steps", "3"], "--steps applies to discrete models"),
    ("sigma-update", ["--bridge"], "--bridge starts from a continuous energy model"),
])
def test_flags_of_the_other_dynamics_are_refused_by_name(tmp_path, capsys, model, flag, words):
    code = main(["report", str(MODELS / f"{model}.toml"), "--out", str(tmp_path / "r"), *FAST, *flag])
    assert code == 2 and words in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_a_report_with_the_bridge_plots_the_gap_against_eps(tmp_path):
    out = tmp_path / "q"
    code = main(["report", "quadratic", "--bridge", "--times", "0,0.5,1", "--out", str(out), "--no-proofs",
                 "--no-audit", "--backend", "mpmath", *FAST])
    assert code == 0
    doc = json.loads((out / "report.json").read_text())
    bridge = doc["values"]["bridge"]
    assert bridge["passed"] and abs(bridge["order_bptt"] - 1) <= 0.1
    assert (out / "bridge.png").read_bytes().startswith(PNG_MAGIC)
    page = (out / "index.html").read_text()
    assert "Euler bridge: discrete → continuous" in page and "euler-bridge" in page and "--bridge" in page


@pytest.mark.slow
@pytest.mark.skipif(browser.find_chromium() is None, reason="chromium is not installed (apt-get install chromium)")
def test_the_discrete_page_in_a_browser(reports, tmp_path):
    d, _ = reports["sigma-update"]
    shot = browser.screenshot(str(d / "index.html"), str(tmp_path / "shot.png"))
    assert Path(shot).read_bytes().startswith(PNG_MAGIC) and Path(shot).stat().st_size > 50_000
    dom = browser.dump_dom(str(d / "index.html"))
    assert dom.count("<img") == 2 and "not a gradient map" in dom
