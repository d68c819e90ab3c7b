"""The model's own energy and cost expressions, as written in the model file, in text and LaTeX."""

from __future__ import annotations

import ast

from ..model import Model
from .names import BUILTIN_TEXT, function_latex, function_text, latex_name, text_name


# ----------------------------------------------------------------------------- model expressions
def expression_text_latex(text: str, model: Model) -> tuple[str, str]:
    """A model-file expression (energy, cost) in readable text and LaTeX, from its syntax tree."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return text, r"\text{%s}" % text
    users = set(model.functions)
    return _ast_text(tree, users, 0), _ast_latex(tree, users, 0)


_AST_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def _ast_prec(node):
    if isinstance(node, ast.BinOp):
        return _AST_PREC.get(type(node.op), 0)
    if isinstance(node, ast.UnaryOp):
        return 3
    return 5


def _ast_text(node, users, parent):
    p = _ast_prec(node)
    if isinstance(node, ast.BinOp):
        is_pow = isinstance(node.op, ast.Pow)  # right-associative: (a^b)^c needs its parentheses
        lt = _ast_text(node.left, users, p + 1 if is_pow else p)
        rt = _ast_text(node.right, users, p if is_pow else
                       p + (0 if isinstance(node.op, (ast.Add, ast.Mult)) else 1))
        op = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: " ", ast.Div: "/", ast.Pow: "^"}.get(
            type(node.op), " ? ")
        if isinstance(node.op, ast.Mult) and isinstance(node.left, ast.Constant):
            op = " "
        s = lt + op + rt
    elif isinstance(node, ast.UnaryOp):
        s = ("-" if isinstance(node.op, ast.USub) else "+") + _ast_text(node.operand, users, p)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fn = node.func.id
        name = function_text(fn) if fn in users or fn in BUILTIN_TEXT else fn
        s = "%s(%s)" % (name, ", ".join(_ast_text(a, users, 0) for a in node.args))
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        s = _ast_text(node.value, users, 5) + "ᵀ"
    elif isinstance(node, ast.Name):
        s = text_name(node.id)
    elif isinstance(node, ast.Constant):
        s = str(node.value)
    else:
        s = ast.unparse(node)
    return "(%s)" % s if p < parent else s


def _ast_latex(node, users, parent):
    p = _ast_prec(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        s = r"\frac{%s}{%s}" % (_ast_latex(node.left, users, 0), _ast_latex(node.right, users, 0))
        p = 5
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        base = _ast_latex(node.left, users, 5)
        if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, (ast.Pow, ast.Div)):
            base = r"\left(%s\right)" % base  # (a^b)^c, (a/b)^c
        s = "{%s}^{%s}" % (base, _ast_latex(node.right, users, 0))
        p = 5
    elif isinstance(node, ast.BinOp):
        lt = _ast_latex(node.left, users, p)
        rt = _ast_latex(node.right, users, p + (0 if isinstance(node.op, (ast.Add, ast.Mult)) else 1))
        op = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: r"\, "}.get(type(node.op), " ? ")
        s = lt + op + rt
    elif isinstance(node, ast.UnaryOp):
        s = ("-" if isinstance(node.op, ast.USub) else "+") + _ast_latex(node.operand, users, p)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fn = node.func.id
        if fn == "trace":
            name = r"\operatorname{tr}"
        elif fn == "sum":
            name = r"\operatorname{sum}"
        elif fn == "sqrt":
            return r"\sqrt{%s}" % ", ".join(_ast_latex(a, users, 0) for a in node.args)
        else:
            name = function_latex(fn)
        s = r"%s\left(%s\right)" % (name, ", ".join(_ast_latex(a, users, 0) for a in node.args))
        p = 5
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        s = r"{%s}^{\top}" % _ast_latex(node.value, users, 5)
        p = 5
    elif isinstance(node, ast.Name):
        s = latex_name(node.id)
    elif isinstance(node, ast.Constant):
        s = str(node.value)
    else:
        s = r"\text{%s}" % ast.unparse(node)
    return r"\left(%s\right)" % s if p < parent else s


