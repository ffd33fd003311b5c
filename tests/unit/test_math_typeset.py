"""latex2mathml's MathML, typeset as TeX sets it: named functions, primes, unary minus,
symbols, slashes, and formulas glued to the punctuation that touches them."""

from __future__ import annotations

from figdown.markdown.engine import create_markdown
from figdown.markdown.math import tex_to_mathml


def body(tex: str) -> str:
    """The formula's MathML inside `<math>`."""
    mathml = tex_to_mathml(tex, False)
    return mathml[mathml.index(">") + 1:mathml.rindex("</math>")]


def test_operatorname_is_an_upright_name_applied_to_its_argument() -> None:
    assert body(r"\operatorname{ReLU}(x)").startswith(
        '<mrow><mi>ReLU</mi><mo>&#x02061;</mo><mo stretchy="false">&#x00028;</mo>')
    assert "<mi>softplus</mi><mo>&#x02061;</mo>" in body(r"\tanh(\operatorname{softplus}(x))")
    assert "<mi>max</mi><mo>&#x02061;</mo>" in body(r"\max(0, x)")


def test_a_name_with_a_digit_is_one_upright_name() -> None:
    assert "<mi>ReLU6</mi><mo>&#x02061;</mo>" in body(r"\operatorname{ReLU6}(x)")


def test_primes_follow_their_base_instead_of_floating_above_it() -> None:
    assert body("f''(x)").startswith(
        '<mrow><mi>f</mi><mo lspace="0em" rspace="0em">&#x02033;</mo>')
    assert body(r"\operatorname{ReLU}'(x)").startswith(
        '<mrow><mi>ReLU</mi><mo lspace="0em" rspace="0em">&#x02032;</mo>')
    assert "<msup>" not in body("f'(x)")


def test_a_sign_is_unspaced_and_a_subtraction_is_not() -> None:
    sign = '<mo form="prefix" lspace="0em" rspace="0em">&#x02212;</mo>'
    assert sign in body(r"(-\infty, \infty)")
    assert sign in body(r"x \approx -0.75")
    assert sign in body(r"e^{-x}")
    assert sign not in body("x - 1") and sign not in body("(x) - 1")
    assert "<mi>&#x0221E;</mi>" in body(r"(-\infty, \infty)")


def test_left_right_fences_stretch_and_a_slash_is_unspaced() -> None:
    gelu = body(r"\left(1 + \operatorname{erf}\left(\frac{x}{\sqrt{2}}\right)\right)")
    assert gelu.count('stretchy="true" fence="true"') == 4
    assert "<mi>erf</mi><mo>&#x02061;</mo><mrow><mo stretchy=\"true\"" in gelu
    assert '<mo lspace="0em" rspace="0em">&#x0002F;</mo>' in body("1/(1 + x)")


def test_inline_math_is_glued_to_the_punctuation_touching_it() -> None:
    md = create_markdown()
    html = str(md.render(r"ELU ($\alpha = 1$), and $x$ alone."))
    assert html.startswith('<p>ELU <span class="math-glue">(<math')
    assert html.count('class="math-glue"') == 1
    assert "</math>),</span> and <math" in html
