"""The hostile corpus: model files and CLI cases an attacker or a careless user would try.

``cases()`` returns every case as a :class:`Case`; ``python tests/hostile/corpus.py DIR``
writes the model files to DIR (one ``.toml`` per case) and ``cases.json`` beside them,
for inspection or for replaying with the CLI by hand. To extend the corpus, add
lines to one of the ``_class()`` functions below.

A case is ``argv`` (``{model}`` is its model file, ``{dir}`` its own empty working
directory) with what must happen: ``exit`` (one code, or a tuple of allowed codes),
``words`` that the one-line message contains, and ``absent`` -- files that must not
exist afterwards (injection attempts are inert: the side effect never appears).
``setup`` names an action run in ``{dir}`` before the case (a FIFO, a symlink, a
user's own files) and ``keep`` the files that must be byte-identical afterwards.
"""

from __future__ import annotations

import dataclasses
import json
import sys

#: a small valid model: each case changes one thing in it (names: s state, k param, x input, y target)
BASE = """\
name = "scal"
description = "a one-state model"
[state]
s = 0
[params]
k = 0
[inputs]
x = 1
[targets]
y = "1/2"
[model]
energy = "s**2/2 - k*s*exp(1)/3 - x*s/5"
cost = "(s - y)**2/2"
[values]
k = "1/3"
[settings]
dps = 20
times = [0, 1]
"""

#: a file whose appearance proves injected code ran
PWNED = "PWNED"
TOUCH = f"__import__('os').system('touch {PWNED}')"


@dataclasses.dataclass
class Case:
    id: str
    cls: str
    model: str | None            # model-file text, or None when argv names no model file
    argv: list
    exit: int | tuple = 2
    words: tuple = ()
    absent: tuple = (PWNED,)
    setup: str | None = None
    keep: tuple = ()
    fast: bool = False
    compare: str = ""            # exit 0 must give the digits of this baseline ("auto", "mpmath": backends)
    bound: float = 10.0          # seconds; more only for accepted runs that do real work (a report)

    def to_json(self):
        return dataclasses.asdict(self)


def _model(**edits) -> str:
    """BASE with ``old -> new`` text replacements (keys are just labels)."""
    text = BASE
    for old, new in edits.values():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _check(model, cid, cls, exit=2, words=(), **kw) -> Case:
    return Case(cid, cls, model, ["check", "{model}", "-q"], exit, tuple(words), **kw)


def _expr(text, cid, cls, words=(), exit=2, where="energy", **kw) -> Case:
    old = 'energy = "s**2/2 - k*s*exp(1)/3 - x*s/5"' if where == "energy" else 'cost = "(s - y)**2/2"'
    new = f"{where} = {json.dumps(text)}"
    return _check(_model(e=(old, new)), cid, cls, exit, words, **kw)


# ----------------------------------------------------------------------------- injection
def _injection():
    out = []
    exprs = [TOUCH, f"s**2/2 + {TOUCH}", "s.__class__", "s.__class__.__mro__", "eval('1')*s",
             "exec('x=1')", "(lambda: 1)()*s", "[s for s in (1,)]", f"open('{PWNED}', 'w')",
             "s if 1 else s", "s; import os", "s\nimport os", "getattr(s, 'T')", "s.T.__dict__",
             "f'{s}'", "b'x'", "s @ s", "s[0]", "{s}", "(s := 1)", "globals()", "__builtins__",
             "s.T.T.__init__.__globals__", "Symbol('os')", "Integer.__subclasses__()", "sympify('s')",
             "s.__reduce__()", "s.func", "s.subs", "breakpoint()", "import os", "s # comment",
             "s \\\n + 1", "\\x41", "s\u200b + 1", "ｓ**2", "s**2/2 + print(1)", "compile('1','','eval')"]
    for i, e in enumerate(exprs):
        out.append(_expr(e, f"inj-energy-{i}", "injection", fast=i < 6))
    for i, e in enumerate([TOUCH, "os.system('touch PWNED')", "u.__class__", "lambda u: u"]):
        out.append(_check(_model(f=('[targets]', f'[functions]\nrho = {json.dumps(e)}\n[targets]')),
                          f"inj-function-{i}", "injection"))
    for i, key in enumerate([TOUCH, "$(touch PWNED)", "a;touch PWNED", "__class__", "`touch PWNED`"]):
        out.append(_check(_model(s=("[params]\nk = 0", f"[params]\nk = 0\n{json.dumps(key)} = 0")),
                          f"inj-name-{i}", "injection", words=("not a valid name",)))
    for i, text in enumerate(["$(touch PWNED)", "; touch PWNED", "`touch PWNED`", "<script>x</script>",
                              "{{7*7}}", "%s%s%n"]):
        out.append(_check(_model(n=('name = "scal"', f"name = {json.dumps(text)}")), f"inj-model-name-{i}",
                          "injection", exit=0))
        out.append(_check(_model(d=('description = "a one-state model"', f"description = {json.dumps(text)}")),
                          f"inj-description-{i}", "injection", exit=0))
    out.append(Case("inj-times", "injection", BASE, ["check", "{model}", "-q", "--times", TOUCH],
                    2, ("times",), fast=True))
    out.append(Case("inj-model-path", "injection", None, ["check", "$(touch PWNED).toml", "-q"], 2,
                    ("no such file",)))
    out.append(Case("inj-json-path", "injection", BASE, ["check", "{model}", "-q", "--json", "$(touch PWNED)"],
                    0, absent=()))
    return out


# ----------------------------------------------------------------------------- syntax
def _syntax():
    tomls = {"unterminated": 'name = "x', "duplicate": BASE + "\n[state]\nq = 0\n", "garbage": "\x00\x01\x02",
             "empty": "", "only-comment": "# nothing", "bad-table": "[state\ns = 0", "bom": "\ufeff" + BASE,
             "array-deep": "a = " + "[" * 5000 + "]" * 5000, "table-deep": "a = " + "{b = " * 2000 + "1" + "}" * 2000,
             "long-line": "name = \"" + "x" * 500_000 + "\"", "crlf-mixed": BASE.replace("\n", "\r"),
             "binary-key": 'x\x7f = 1', "tab-soup": "\t\t=\t", "equals": "= 1", "dotted": "a.b.c.d = 1"}
    out = [_check(text, f"toml-{k}", "syntax", words=(), fast=k in ("garbage", "array-deep"))
           for k, text in tomls.items()]
    exprs = ["s +", "(s", "s))", "**s", "s ** ** s", "s..T", "", "   ", "s s", "2s", "s,", "(,)", "s.T(", ")(",
             "s**", "s//2", "s%2", "s<<1", "s == s", "s and s", "not s", "-", "+-+", "s!", "s'"]
    out += [_expr(e, f"expr-syntax-{i}", "syntax") for i, e in enumerate(exprs)]
    return out


# ----------------------------------------------------------------------------- types
def _types():
    E = {"state-string": ("[state]\ns = 0", '[state]\ns = "big"'), "state-float": ("[state]\ns = 0", "[state]\ns = 1.5"),
         "state-bool": ("[state]\ns = 0", "[state]\ns = true"), "state-negative": ("[state]\ns = 0", "[state]\ns = -1"),
         "state-list": ("[state]\ns = 0", "[state]\ns = [1, 2, 3]"), "state-table": ("[state]\ns = 0", "[state]\ns = {a = 1}"),
         "state-empty": ("[state]\ns = 0", "[state]"), "params-array": ("[params]\nk = 0", "params = [1]\n[p]\nk = 0"),
         "energy-number": ('energy = "s**2/2 - k*s*exp(1)/3 - x*s/5"', "energy = 3"),
         "energy-array": ('energy = "s**2/2 - k*s*exp(1)/3 - x*s/5"', 'energy = ["s"]'),
         "name-int": ('name = "scal"', "name = 3"), "name-empty": ('name = "scal"', 'name = "  "'),
         "name-missing": ('name = "scal"\n', ""), "description-int": ('description = "a one-state model"', "description = 1"),
         "seed-float": ('[values]\nk = "1/3"', '[values]\nseed = 1.5\nk = "1/3"'),
         "scale-zero": ('[values]\nk = "1/3"', '[values]\nscale = 0\nk = "1/3"'),
         "scale-negative": ('[values]\nk = "1/3"', '[values]\nscale = -1\nk = "1/3"'),
         "value-bool": ('k = "1/3"', "k = true"), "value-table": ('k = "1/3"', "k = {a = 1}"),
         "value-unknown": ('k = "1/3"', 'k = "1/3"\nzz = 1'), "dps-string": ("dps = 20", 'dps = "20"'),
         "dps-small": ("dps = 20", "dps = 5"), "dps-huge": ("dps = 20", "dps = 100000"), "dps-bool": ("dps = 20", "dps = true"),
         "times-string": ("times = [0, 1]", 'times = "0,1"'), "times-empty": ("times = [0, 1]", "times = []"),
         "times-negative": ("times = [0, 1]", "times = [-1]"), "times-nested": ("times = [0, 1]", "times = [[0]]"),
         "backend-int": ("dps = 20", "dps = 20\nbackend = 3"), "unknown-setting": ("dps = 20", "dps = 20\nfoo = 1"),
         "unknown-section": ("[settings]", "[extra]\na = 1\n[settings]"),
         "initial-bad": ("dps = 20", 'dps = 20\ninitial_state = "x"'),
         "initial-unknown": ("dps = 20", "dps = 20\ninitial_state = {q = 1}"),
         "model-unknown-key": ('cost = "(s - y)**2/2"', 'cost = "(s - y)**2/2"\nloss = "s"'),
         "cost-missing": ('cost = "(s - y)**2/2"', ""), "input-string": ("x = 1", 'x = "one"'),
         "input-bool": ("x = 1", "x = false"), "datetime": ("x = 1", "x = 1979-05-27T07:32:00Z")}
    return [_check(_model(e=v), f"type-{k}", "types", fast=k in ("state-string", "dps-huge")) for k, v in E.items()]


# ----------------------------------------------------------------------------- shapes
def _shapes():
    vec = {"v": ("[state]\ns = 0", "[state]\ns = 0\nq = 2"), "e": ('energy = "s**2/2 - k*s*exp(1)/3 - x*s/5"',)}
    out = []
    for i, e in enumerate(["s**2/2 + q", "s**2/2 + q*q", "s**2/2 + q.T*q*q", "s**2/2 + q**2", "s**2/2 + s.T*q",
                           "s**2/2 + trace(q)", "q.T*q/2 + s**2/2 + sum(q, q)", "q", "s**2/2 + q.T*q/q",
                           "s**2/2 + exp(q, q)", "s**2/2 + q.T.T*q.T"]):
        out.append(_check(_model(v=vec["v"], e=(vec["e"][0], f"energy = {json.dumps(e)}")), f"shape-{i}", "shapes"))
    arrays = {"ragged": "[[1, 2], [3]]", "empty": "[]", "mixed": "[1, [2]]", "zero-rows": "[[], []]",
              "deep": "[[[1]]]"}
    for k, a in arrays.items():
        out.append(_check(_model(x=("x = 1", f"x = {a}")), f"shape-input-{k}", "shapes"))
    out.append(_check(_model(v=('k = "1/3"', "k = [1, 2]")), "shape-value-mismatch", "shapes",
                      words=("values.k",), fast=True))
    out.append(_expr("x*y", "shape-energy-no-state", "shapes", words=("energy",)))
    out.append(_expr("(x - y)**2", "shape-cost-no-state", "shapes", where="cost", words=("cost",)))
    out.append(_check(_model(e=('energy = "s**2/2 - k*s*exp(1)/3 - x*s/5"', 'energy = "s**2/2"'),
                             c=('cost = "(s - y)**2/2"', 'cost = "(s - y)**2/2"')), "shape-no-param", "shapes",
                      words=("parameter",)))
    return out


# ----------------------------------------------------------------------------- numbers
def _numbers():
    out = []
    values = ["1e999999999", "-1e999999999", "1e-999999999", "1" * 5000, "1/0", "0/0", "inf", "nan", "-inf",
              "1e400", "1/1e400", "1e-2000", "2/", "/2", "1/2/3", "0x10", "1_0", " ", "e5", "1e", "--1", "1e+0000001"]
    for i, v in enumerate(values):
        out.append(_check(_model(v=('k = "1/3"', f"k = {json.dumps(v)}")), f"num-value-{i}", "numbers",
                          exit=(0, 2) if v in ("1_0", "1/1e400") else 2,
                          words=("values.k",), fast=i < 3))
    for i, v in enumerate(["inf", "nan", "-inf", "1e309", "1e-400", "1e400", "9" * 5000, "1" + "0" * 100_000]):
        out.append(_check(_model(v=('k = "1/3"', f"k = {v}")), f"num-toml-{i}", "numbers",
                          exit=0 if v == "1e-400" else 2, fast=i == 7))
    exprs = ["s**10**10**10", "s**2/2 + s**1e300", "s**2/2 + s**1e-300", "s**2/2 + s**-1e300", "s**2/2*(1/0)",
             "s**2/2 + s/0", "s**2/2 + 0**-1", "s**2/2 + 1e999*s", "s**2/2 + s*1e-999999999",
             "s**2/2 + 1e300*1e300*s", "s**2/2 + 2**(2**20)*s", "s**2/2 + (10**10)**(10**10)*s",
             "s**2/2 + s*1" + "0" * 5000, "s**2/2 + s*" + "9" * 401, "s**2/2 + s**(1/0)", "s**2/2 - k*s + 0.0**-1",
             "s**2/2 - k*s*(1e-200)**6"]
    for i, e in enumerate(exprs):
        # a tiny exponent is legal: s**(1e-300) is not differentiable at s = 0 (exit 3)
        out.append(_expr(e + (" - k*s" if "k" not in e else ""), f"num-expr-{i}", "numbers",
                         exit=(2, 3) if "1e-300" in e else 2, fast=i in (0, 1, 5)))
    for i, body in enumerate(["sqrt(u**2)", "u**0.5", "u**(1/3)", "log(u)**2", "1/u", "exp(exp(exp(u)))"]):
        m = _model(f=("[targets]", f"[functions]\nrho = {json.dumps(body)}\n[targets]"),
                   e=('energy = "s**2/2 - k*s*exp(1)/3 - x*s/5"', 'energy = "s**2/2 - k*rho(s) - x*s/5"'))
        out.append(_check(m, f"num-function-{i}", "numbers", exit=(0, 1, 2, 3), fast=i == 0))
    return out


# ----------------------------------------------------------------------------- names
#: names that look reserved: each declared as the parameter must verify with k's digits or be refused
RESERVED_LOOKING = ["e", "E", "pi", "I", "oo", "mpf", "mpc", "D_0", "D_1", "sbase_0", "tau", "t", "beta", "S", "N",
                    "Q", "O", "exp", "sin", "sqrt", "log", "Symbol", "Function", "Matrix", "Integer", "Rational",
                    "Float", "lambda", "def", "class", "import", "None", "True", "print", "eval", "exec", "open",
                    "sum", "trace", "T", "identity", "inf", "nan", "j", "phi", "X_0", "Y_1", "H_0_1", "M_0_0",
                    "X_t", "Y_t", "zoo", "sigmoid", "softplus", "tanh", "u", "v", "w", "z", "x0", "x1", "e1",
                    "E_", "pi_", "mpf_", "D_0x", "sbase", "theta", "delta", "gamma", "lam", "k2", "numpy", "np",
                    "math", "mpmath", "sympy", "sp", "self", "cls", "args", "Dummy", "diff", "Abs", "re", "im",
                    "rho", "array", "dot", "float64", "euler", "degree", "half"]


def _names():
    out = []
    for nm in RESERVED_LOOKING:
        text = BASE.replace("k = 0", f"{nm} = 0").replace("k*s", f"{nm}*s").replace('k = "1/3"', f'{nm} = "1/3"')
        out.append(_check(text, f"name-param-{nm}", "names", exit=(0, 2), words=(), compare="auto",
                          fast=nm in ("e", "mpf", "tau", "x0")))
        # the pure-Python backend generates its own source (the Taylor jets): the same names again
        out.append(Case(f"name-param-{nm}-mpmath", "names", text, ["check", "{model}", "-q", "--backend", "mpmath"],
                        (0, 2), compare="mpmath"))
    for nm in ["e", "pi", "mpf", "D_0", "tau", "t", "sbase_0", "lam", "x1"]:
        text = BASE.replace("s = 0", f"{nm} = 0").replace("(s - y)", f"({nm} - y)").replace(
            '"s**2/2 - k*s*exp(1)/3 - x*s/5"', f'"{nm}**2/2 - k*{nm}*exp(1)/3 - x*{nm}/5"')
        out.append(_check(text, f"name-state-{nm}", "names", exit=(0, 2), compare="mpmath"))
    bad = ["_x", "__import__", "a b", "1a", "ä", "α", "a-b", "a.b", "", "a\x1b[31m", "x" * 300]
    for i, nm in enumerate(bad):
        out.append(_check(BASE.replace("k = 0", f"{json.dumps(nm)} = 0"), f"name-invalid-{i}", "names",
                          words=("params.",)))
    for i, nm in enumerate(["\x1b[2J\x1b[31mred", "a\nb", "bell\x07", "\x9b31m", "a\rb"]):
        out.append(_check(BASE.replace('name = "scal"', f"name = {json.dumps(nm)}"), f"name-model-ansi-{i}",
                          "names", words=("[name]",), fast=i == 0))
    out.append(_check(BASE.replace("[params]", "[params]\ns = 1"), "name-twice", "names", words=("twice",)))
    return out


# ----------------------------------------------------------------------------- sizes
def _sizes():
    out = []
    for n in [10**4, 10**6, 10**9, 10**18, 2001]:
        out.append(_check(BASE.replace("[state]\ns = 0", f"[state]\ns = 0\nq = {n}"), f"size-state-{n}", "sizes",
                          words=("state",), fast=n == 10**9))
    for shape in ["[100000, 100000]", "[1, 1000000000]", "[1000, 1000]", "[2000, 150]"]:
        out.append(_check(BASE.replace("[params]\nk = 0", f"[params]\nk = 0\nW = {shape}"),
                          f"size-param-{shape}", "sizes", words=("params",) if "1000, 1000" not in shape else (),
                          fast=shape == "[100000, 100000]"))
    many = "\n".join(f"q{i} = 0" for i in range(3000))
    out.append(_check(BASE.replace("[state]\ns = 0", "[state]\ns = 0\n" + many), "size-many-blocks", "sizes"))
    out.append(_check(BASE.replace("times = [0, 1]", "times = [" + ", ".join(str(i) for i in range(5000)) + "]"),
                      "size-times-5000", "sizes", words=("times",), fast=True))
    out.append(_check(BASE.replace("times = [0, 1]", 'times = ["1e999999999"]'), "size-time-huge", "sizes",
                      words=("times",)))
    out.append(_check(BASE.replace("times = [0, 1]", "times = [0, 1e101]"), "size-time-late", "sizes",
                      words=("times",)))
    out.append(_expr("s**2/2 - k*s + " + "+".join(["s"] * 25000), "size-expr-100k-chars", "sizes",
                     words=("too long",), fast=True))
    out.append(_expr("-" * 10000 + "s**2 - k*s", "size-unary-10000", "sizes", words=("too long",), fast=True))
    out.append(_expr("-" * 1000 + "s**2 - k*s", "size-unary-1000", "sizes", words=("signs",)))
    out.append(_expr("(" * 10000 + "s" + ")" * 10000 + "**2 - k*s", "size-parens-10000", "sizes"))
    out.append(_expr("(" * 100 + "s" + ")" * 100 + "**2 - k*s", "size-parens-100", "sizes", words=("nested",)))
    out.append(_expr("s**2/2 - k*s" + " - s*0" * 1500, "size-chain-1500", "sizes", words=("too long",)))
    out.append(_expr("s**2/2 - k*s" + " + s*0" * 900, "size-chain-900", "sizes", words=("nested",)))
    out.append(_check(BASE + "#" * 2_000_000, "size-file-2MB", "sizes", words=("larger than",)))
    out.append(Case("size-cli-times-huge", "sizes", BASE, ["check", "{model}", "-q", "--times", "1e999999999"],
                    2, ("times",), fast=True))
    out.append(Case("size-cli-times-5000", "sizes", BASE,
                    ["check", "{model}", "-q", "--times", ",".join(str(i) for i in range(5000))], 2, ("times",)))
    out.append(Case("size-cli-times-neg-huge", "sizes", BASE, ["check", "{model}", "-q", "--times=-1e999999999"],
                    2, ("times",)))
    out.append(Case("size-cli-times-tiny", "sizes", BASE, ["check", "{model}", "-q", "--times", "1e-999999999"],
                    2, ("times",)))
    return out


# ----------------------------------------------------------------------------- paths
def _paths():
    C = lambda cid, argv, exit=2, words=(), **kw: Case(cid, "paths", BASE, argv, exit, tuple(words), **kw)  # noqa: E731
    j = ["check", "{model}", "-q", "--json"]
    out = [
        C("path-model-fifo", ["check", "{dir}/fifo.toml", "-q"], words=("FIFO",), setup="fifo", fast=True),
        C("path-model-dev-zero", ["check", "/dev/zero", "-q"], words=("device",), fast=True),
        C("path-model-dev-null", ["check", "/dev/null", "-q"], words=("device",)),
        C("path-model-dir", ["check", "{dir}", "-q"], words=()),
        C("path-model-dir-toml", ["check", "{dir}/sub.toml", "-q"], words=("directory",), setup="subdir-toml"),
        C("path-model-missing", ["check", "{dir}/nope.toml", "-q"], words=("no such file",)),
        C("path-model-dangling", ["check", "{dir}/dangling.toml", "-q"], words=(), setup="dangling"),
        C("path-model-proc", ["check", "/proc/self/status", "-q"], words=()),
        C("path-json-dir", j + ["{dir}"], words=("directory",), fast=True),
        C("path-json-under-file", j + ["{model}/x.json"], words=("Not a directory",)),
        C("path-json-dev-full", j + ["/dev/full"], words=("No space",), fast=True),
        C("path-json-sys", j + ["/sys/eqprop-test.json"], words=("cannot write",)),
        C("path-json-proc", j + ["/proc/version"], words=("cannot write",)),
        C("path-json-dev-null", j + ["/dev/null"], exit=0),
        C("path-json-fd1", j + ["/proc/self/fd/1"], exit=0),
        C("path-json-dev-stdout", j + ["/dev/stdout"], exit=0),
        C("path-json-fifo", j + ["{dir}/out.fifo"], exit=0, setup="fifo-reader", keep=("out.fifo",)),
        C("path-json-symlink", j + ["{dir}/link.json"], exit=0, setup="symlink-file"),
        C("path-json-symlink-null", j + ["{dir}/null.json"], exit=0, setup="symlink-null", keep=("null.json",)),
        C("path-json-model", j + ["{model}"], words=("model file itself",), fast=True),
        C("path-json-model-link", j + ["{dir}/model-link.json"], words=("model file itself",), setup="symlink-model"),
        C("path-json-model-relative", j + ["{dir}/./sub/../model.toml"], words=("model file itself",),
          setup="subdir"),
        C("path-report-user-dir", ["report", "{model}", "--out", "{dir}/mine", "-q", "--no-proofs", "--no-audit"],
          words=("not an eqprop-verify report",), setup="user-dir", keep=("mine/notes.txt", "mine/report.json"),
          fast=True),
        C("path-report-onto-file", ["report", "{model}", "--out", "{model}", "-q"], words=("exists",)),
        C("path-report-under-file", ["report", "{model}", "--out", "{model}/sub", "-q", "--no-proofs",
                                     "--no-audit"], words=("cannot write",)),
        C("path-report-sys", ["report", "{model}", "--out", "/sys/eqprop-test", "-q", "--no-proofs",
                              "--no-audit"], words=("cannot write",)),
        C("path-report-symlink", ["report", "{model}", "--out", "{dir}/linkdir", "-q"], words=("symbolic link",),
          setup="symlink-dir", keep=("real/notes.txt",)),
        C("path-audit-html-dir", ["audit", "--models", "riccati", "--html", "{dir}", "-q"], words=("directory",)),
        C("path-audit-html-under-file", ["audit", "--models", "riccati", "--html", "{model}/a.html", "-q"],
          words=("Not a directory",)),
        C("path-bench-sizes", ["bench", "--sizes", "abc", "--out", "{dir}/b"], words=("--sizes",), fast=True),
        C("path-bench-sizes-huge", ["bench", "--sizes", "100000", "--out", "{dir}/b"], words=("--sizes",)),
        C("path-bench-out-under-file", ["bench", "--sizes", "2", "--out", "{model}/b"], words=("--out",)),
    ]
    for i, nm in enumerate(["../../escaped", "/tmp/eqprop-escaped-abs", "a/../../b"]):   # more: test_outputs
        text = BASE.replace('name = "scal"', f"name = {json.dumps(nm)}")
        out.append(Case(f"path-name-escape-{i}", "paths", text,
                        ["report", "{model}", "-q", "--no-proofs", "--no-audit", "--times", "0"],
                        (0, 3), (), absent=(PWNED, "../escaped", "../../escaped", "/tmp/eqprop-escaped-abs"),
                        setup="reports-only", bound=60.0))
    return out


def cases() -> list[Case]:
    out = _injection() + _syntax() + _types() + _shapes() + _numbers() + _names() + _sizes() + _paths()
    ids = [c.id for c in out]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return out


def write(directory) -> int:
    """Write every case's model file and ``cases.json`` into ``directory``; the number of cases."""
    from pathlib import Path

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    all_cases = cases()
    for c in all_cases:
        if c.model is not None:
            (d / f"{c.id}.toml").write_text(c.model, encoding="utf-8", errors="surrogatepass")
    (d / "cases.json").write_text(json.dumps([c.to_json() for c in all_cases], indent=1))
    return len(all_cases)


if __name__ == "__main__":
    print(write(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus"), "cases")
