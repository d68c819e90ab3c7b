"""The user's reference (README.md, docs/) against the code it describes.

Links resolve; the model-file reference lists exactly the keys the parser
accepts and the functions of the expression language; its examples parse;
the JSON reference names every key a check writes; the CLI reference names
every subcommand and flag.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from symbolic import spec
from symbolic.functions import BUILTIN_BODIES, ELEMENTWISE

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", page.read_text(encoding="utf-8"), re.M)}


def _section(page: Path, heading: str) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def _first_cells(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\| `([^`]+)` \|", text, re.M)]


def _code_spans(page: Path) -> str:
    return "\n".join(CODE.findall(page.read_text(encoding="utf-8")))


def test_the_readme_links_the_reference_pages():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pages = [p.relative_to(ROOT).as_posix() for p in sorted(DOCS.glob("*.md"))]
    assert {"docs/model-files.md", "docs/json.md", "docs/cli.md"} <= set(pages)
    for page in pages:                      # every page of docs/, docs/architecture.md included once it exists
        assert f"]({page}" in readme, f"README does not link {page}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page):
    text = page.read_text(encoding="utf-8")
    links = [a or b for a, b in LINK.findall(text)]
    assert links, f"{page.name} has no links at all (the pattern is wrong?)"
    broken = []
    for link in links:
        if re.match(r"^[a-z]+:", link):        # http:, https:, mailto:
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link}: no heading with anchor #{anchor} in {path.name}")
    assert not broken, f"{page.name}: " + "; ".join(broken)


def _parser_keys() -> set[str]:
    return (set(spec.SECTIONS) | {f"model.{k}" for k in spec.MODEL_KEYS}
            | {f"values.{k}" for k in spec.VALUES_KEYS} | {f"settings.{k}" for k in spec.SETTINGS})


def test_the_key_index_is_exactly_what_the_parser_accepts():
    documented = set(_first_cells(_section(DOCS / "model-files.md", "Key index")))
    accepted = _parser_keys()
    assert documented == accepted, (f"undocumented: {sorted(accepted - documented)}; "
                                    f"documented but refused: {sorted(documented - accepted)}")
    settings = set(_first_cells(_section(DOCS / "model-files.md", "Settings")))
    assert settings == set(spec.SETTINGS)


MINIMAL = {"name": "m", "state": {"s": 0}, "params": {"a": 0},
           "model": {"energy": "a*s**2/2 + s**2/2", "cost": "(s - 1)**2/2"}}


def test_the_other_dynamics_keys_are_accepted_as_documented():
    keys = _first_cells(_section(DOCS / "model-files.md", "Other dynamics"))
    assert {"settings.dynamics", "settings.steps", "settings.step", "model.primitive", "field", "update"} == set(keys)
    assert set(keys) <= _parser_keys()
    base = json.loads(json.dumps(MINIMAL))
    del base["model"]["energy"]
    base["model"]["primitive"] = "a*s**2/2 + s/2"
    base["settings"] = {"dynamics": "discrete", "steps": 3}
    model = spec.model_from_dict(base, "minimal.toml")          # primitive, dynamics, steps
    assert model.dynamics == "discrete" and model.primitive is not None
    for section in ("field", "update"):
        doc = json.loads(json.dumps(base))
        del doc["model"]["primitive"]
        doc[section] = {"s": "a*s/2 + 1/4"}
        assert spec.model_from_dict(doc, "minimal.toml").field is not None


def test_the_expression_language_lists_every_function():
    text = _section(DOCS / "model-files.md", "The expression language")
    spans = set(CODE.findall(text))
    for name in ELEMENTWISE:
        assert name in " ".join(spans), f"function {name} is not documented"
    for name in ("sum(v)", "trace(M)", ".T"):
        assert name in spans
    builtins = _section(DOCS / "model-files.md", "Sections and keys")
    line = next(ln for ln in builtins.splitlines() if ln.startswith("Built-in names for a function body"))
    line += next(ln for ln in builtins.splitlines()[builtins.splitlines().index(line) + 1:])
    assert set(CODE.findall(line)) == set(BUILTIN_BODIES)


def test_the_complete_examples_parse():
    text = (DOCS / "model-files.md").read_text(encoding="utf-8") + (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```toml\n(.*?)```", text, re.S) if re.search(r"^name = ", b, re.M) and re.search(r"^\[model\]", b, re.M)]
    assert len(blocks) >= 2
    for block in blocks:
        spec.load_model_text(block, "example")


@pytest.fixture(scope="module")
def small_check():
    from verify.theorems import check

    return check("riccati", dps=15, times=["0", "1"], backend="mpmath", max_directions=2)


def test_the_json_reference_names_every_key(small_check):
    result = json.loads(small_check.to_json())
    assert result == small_check.to_dict()
    documented = _code_spans(DOCS / "json.md")
    keys = set(result)
    for part in ("tool", "model", "settings", "environment", "fixed_point", "values", "timings"):
        keys |= set(result[part])
    keys |= set(result["checks"][0])
    missing = sorted(k for k in keys if k not in documented)
    assert not missing, f"docs/json.md does not name: {missing}"


def test_the_compared_line_says_when_random_projections_are_used(small_check):
    by_id = {c.id: c for c in small_check.checks}
    note = "both sides compared on 2 seeded random projections of theta (3 components), not per component"
    assert by_id["theorem1"].compared[0].endswith(note)
    assert by_id["eq24"].compared[0].endswith(note)
    assert "projection" not in by_id["corollary4"].compared[0]      # s has 1 component: compared in full
    assert "projection" not in by_id["theorem3"].compared[0]


def test_the_cli_reference_names_every_subcommand_and_flag():
    from verify.cli import build_parser

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = []
    for name, subparser in sub.choices.items():
        if f"## {name}" not in text and f"eqprop-verify {name}" not in text:
            missing.append(name)
        for action in subparser._actions:
            missing += [f"{name} {o}" for o in action.option_strings if o not in text]
    assert not missing, f"docs/cli.md does not name: {missing}"


def test_the_main_command_leaves_the_checkout_clean():
    """`eqprop-verify report` writes reports/paper-hopfield/ (and its temporary siblings): ignored by git."""
    import shutil
    import subprocess

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")

    def ignored(path):
        return subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", path]).returncode == 0

    assert ignored("reports/paper-hopfield/index.html")
    assert ignored("reports/paper-hopfield.tmp-abc123/report.json")
    assert ignored("reports/two-layer-tanh/index.html")
    assert not ignored("reports/bench/check.json")
    assert not ignored("docs/example-report/index.html")
