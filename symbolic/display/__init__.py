r"""A :class:`Derivation` as text, LaTeX and JSON, in vector form per block.

The derivation works on flattened components (``s0[1]``, ``W01[0,1]``); a
reader wants one equation per state block and per parameter block, written
the way the paper writes Eq 5-7: ``ds1/dt = ρ'(s1) ⊙ (W12 ρ(s2) + W01ᵀ ρ(s0)) - s1``.

How a block's entries become a vector formula (:func:`block_form`):

1. Every entry is expanded into monomials; each factor is classified as an
   *indexed tensor* -- a declared block (``W01[0,2]``), an elementwise
   function of a tensor (``ρ'(s1[2])``, ``exp((Xᵀ ξ)[3])``), a power of one --
   or as a scalar coefficient (numbers, ``β``).
2. Monomials are explained greedily (with backtracking) by *einsum patterns*:
   which index slots share an index, which indices are free (the block's own
   row/column) and which are summed.  A pattern is accepted only if every
   monomial it generates is present, so ``Σ_j W01[j,i] ρ(s0[j])`` is
   recognised as ``(W01ᵀ ρ(s0))[i]`` and a diagonal ``δ_ij`` as ``I``.
3. Each pattern is a forest over its indices (matrices are edges, vectors sit
   on nodes); it is written as Hadamard products, matrix-vector products,
   outer products ``a bᵀ``, ``diag(a) W diag(b)`` chains and scalar factors.
4. Common factors are pulled out (``ρ'(s1) ⊙ (… + …)``, ``β (y - s0)``).
5. The vector formula is expanded back to components and compared, term by
   term, with the derivation.  Only a verified formula is printed; otherwise
   the block is printed entry-wise (a column vector or matrix of entries).

Alternatives considered for step 2: (1) matching a fixed list of templates
(``W v``, ``Wᵀ v``, ``a ⊙ b``) -- simple but misses ``diag(a) W diag(b)``,
``X diag(e) Xᵀ``, scalar contractions and combinations of them; (2) solving a
linear system over all patterns at once -- exact but the candidate set grows
combinatorially.  Greedy einsum matching with a support check and a final
verification is general and cheap, and can never print a wrong formula.

Naming convention (consistent in all outputs):

* text: blocks as declared, Greek names in Greek (``xi`` -> ``ξ``),
  components as in the contract (``s0[1]``, ``W01[0,1]``); ``ᵀ`` transposes,
  ``⊙`` is the elementwise product, juxtaposition the matrix product;
  a block of an auxiliary vector is ``X_t[s0]``; a state at the free fixed point
  is ``s0^0``, at the nudged fixed point ``s0^β``, at time t of the nudged
  phase ``s0^β(t)`` (= S^β(s^0, t)).
* LaTeX: trailing digits become a subscript (``s0`` -> ``s_{0}``, ``W01`` ->
  ``W_{01}``); a component adds an index subscript outside parentheses
  (``(s_{0})_{1}``, ``(W_{01})_{0,1}``; ``s[1]`` -> ``s_{1}``); ``^{\top}``,
  ``\odot``; user-function derivatives are primes (``\rho'``, ``\rho''``).
  The output needs only ``amsmath``.

Modules (the seams of the former single file): ``names`` (names in text and
LaTeX, canonical form), ``printing`` (contexts and scalar printers),
``texpr`` (tensor expressions and the symbol table), ``recognise`` (entries
-> verified vector formula), ``sections`` (the Renderer), ``source`` (the
model's own expressions), ``writers`` (text, LaTeX, JSON).
"""

from .names import (
    canonical,
    expand,
    function_latex,
    function_text,
    GREEK,
    latex_name,
    prime_function,
    SCHEMA,
    text_name,
)
from .printing import (
    ATOM,
    Ctx,
    DECORATED,
    expr_latex,
    expr_text,
    HADAMARD,
    MATMUL,
    PLAIN,
    PLUS,
    pretty_text,
    SCALE,
)
from .texpr import (
    Diag,
    EntryWise,
    Func,
    Hadamard,
    hadamard,
    Identity,
    Leaf,
    MatMul,
    matmul,
    Names,
    Ones,
    Plus,
    Power,
    ScalarExpr,
    Scaled,
    SumAll,
    TExpr,
    Transpose,
    transpose,
    Zero,
)
from .recognise import (
    block_form,
    NoMatch,
    Pattern,
    simplest,
    tidy,
    verify,
)
from .sections import (
    explicit,
    Line,
    Piece,
    Renderer,
    Section,
    TITLES,
)
from .source import (
    expression_text_latex,
)
from .writers import (
    latex_document,
    render,
    render_json,
    render_latex,
    render_text,
    section_latex,
    section_text,
)

__all__ = ["canonical", "expand", "function_latex", "function_text", "GREEK", "latex_name", "prime_function",
           "SCHEMA", "text_name", "ATOM", "Ctx", "DECORATED", "expr_latex", "expr_text", "HADAMARD",
           "MATMUL", "PLAIN", "PLUS", "pretty_text", "SCALE", "Diag", "EntryWise", "Func", "Hadamard",
           "hadamard", "Identity", "Leaf", "MatMul", "matmul", "Names", "Ones", "Plus", "Power",
           "ScalarExpr", "Scaled", "SumAll", "TExpr", "Transpose", "transpose", "Zero", "block_form",
           "NoMatch", "Pattern", "simplest", "tidy", "verify", "explicit", "Line", "Piece", "Renderer",
           "Section", "TITLES", "expression_text_latex", "latex_document", "render", "render_json",
           "render_latex", "render_text", "section_latex", "section_text"]
