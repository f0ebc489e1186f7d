"""The class's code-similarity report (autograder.similarity), on real notebooks built with
nbformat from cnn_basics's solution and template. Nothing is run: no kernel is needed.

The class: nine students who each answered eight of the questions their own way, choosing
among three genuinely different implementations of each (loops, vectorized, einsum, ...) by
an affine plane of order 3, so that any two of them wrote exactly two of the eight functions
the same way; the other seven questions hold the solution's code in every notebook (the
class's common code). Dave handed in Carol's notebook with the variables renamed, the code
reformatted and commented, and Carol's hostile cell kept.
"""

from __future__ import annotations

import csv
import json
import shutil
import textwrap
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell

from autograder import similarity
from autograder.similarity.fingerprints import (
    Token,
    code_cells,
    fingerprint,
    lex,
    normalize,
    python_of,
)
from tests.notebooks import replace_definition, solution, template_path

# --- three ways to write each of eight functions, as students would ------------------

VARIANTS: dict[str, tuple[str, str, str]] = {
    "cross_correlation2d": (
        """\
        H, W = image.shape
        kh, kw = kernel.shape
        out = np.zeros((H - kh + 1, W - kw + 1))
        for i in range(H - kh + 1):
            for j in range(W - kw + 1):
                out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
        return out""",
        """\
        patches = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
        return np.einsum("ijkl,kl->ij", patches, kernel)""",
        """\
        kh, kw = kernel.shape
        rows = image.shape[0] - kh + 1
        cols = image.shape[1] - kw + 1
        result = np.zeros((rows, cols), dtype=np.result_type(image, kernel))
        for u in range(kh):
            for v in range(kw):
                result += kernel[u, v] * image[u:u + rows, v:v + cols]
        return result""",
    ),
    "relu_backward": (
        """\
        dx = dout * (x > 0)
        return dx""",
        """\
        return np.where(x > 0, dout, 0.0)""",
        """\
        dx = np.array(dout, copy=True)
        dx[x <= 0] = 0
        return dx""",
    ),
    "conv2d_forward": (
        """\
        N, C, H, W = x.shape
        F, _, kh, kw = w.shape
        x_padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="constant")
        H_out = (H + 2 * padding - kh) // stride + 1
        W_out = (W + 2 * padding - kw) // stride + 1
        out = np.zeros((N, F, H_out, W_out))
        for n in range(N):
            for f in range(F):
                for i in range(H_out):
                    for j in range(W_out):
                        hs, ws = i * stride, j * stride
                        out[n, f, i, j] = np.sum(x_padded[n, :, hs:hs + kh, ws:ws + kw] * w[f]) + b[f]
        return out""",
        """\
        N, C, H, W = x.shape
        F, _, HH, WW = w.shape
        xp = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
        Ho = 1 + (H + 2 * padding - HH) // stride
        Wo = 1 + (W + 2 * padding - WW) // stride
        cols = np.empty((N, Ho, Wo, C * HH * WW))
        for i in range(Ho):
            for j in range(Wo):
                patch = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                cols[:, i, j, :] = patch.reshape(N, -1)
        out = cols @ w.reshape(F, -1).T + b
        return out.transpose(0, 3, 1, 2)""",
        """\
        kh, kw = w.shape[-2:]
        padded = np.pad(x, ((0, 0),) * 2 + ((padding, padding),) * 2)
        win = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(-2, -1))
        win = win[:, :, ::stride, ::stride]
        return np.einsum("nchwij,fcij->nfhw", win, w) + b.reshape(1, -1, 1, 1)""",
    ),
    "softmax": (
        """\
        z = logits - np.max(logits, axis=1, keepdims=True)
        e = np.exp(z)
        return e / np.sum(e, axis=1, keepdims=True)""",
        """\
        probs = np.empty_like(logits, dtype=float)
        for i in range(logits.shape[0]):
            row = np.exp(logits[i] - logits[i].max())
            probs[i] = row / row.sum()
        return probs""",
        """\
        m = logits.max(axis=-1, keepdims=True)
        log_norm = m + np.log(np.exp(logits - m).sum(axis=-1, keepdims=True))
        return np.exp(logits - log_norm)""",
    ),
    "max_pool2d": (
        """\
        if padding < 0 or padding > kernel_size // 2:
            raise ValueError("padding out of range")
        N, C, H, W = x.shape
        xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
        H_out = (H + 2 * padding - kernel_size) // stride + 1
        W_out = (W + 2 * padding - kernel_size) // stride + 1
        out = np.empty((N, C, H_out, W_out))
        for i in range(H_out):
            for j in range(W_out):
                window = xp[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
                out[:, :, i, j] = window.max(axis=(2, 3))
        return out""",
        """\
        if not 0 <= padding <= kernel_size // 2:
            raise ValueError(f"bad padding {padding}")
        xp = np.pad(x, [(0, 0)] * 2 + [(padding, padding)] * 2, mode="constant", constant_values=-np.inf)
        N, C, Hp, Wp = xp.shape
        Ho, Wo = (Hp - kernel_size) // stride + 1, (Wp - kernel_size) // stride + 1
        sN, sC, sH, sW = xp.strides
        view = np.lib.stride_tricks.as_strided(
            xp, shape=(N, C, Ho, Wo, kernel_size, kernel_size),
            strides=(sN, sC, sH * stride, sW * stride, sH, sW))
        return view.max(axis=(-2, -1))""",
        """\
        k = kernel_size
        if padding > k // 2 or padding < 0:
            raise ValueError("padding must be in [0, kernel_size // 2]")
        xp = np.full(x.shape[:2] + (x.shape[2] + 2 * padding, x.shape[3] + 2 * padding), -np.inf)
        xp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]] = x
        Ho = (xp.shape[2] - k) // stride + 1
        Wo = (xp.shape[3] - k) // stride + 1
        out = np.full(x.shape[:2] + (Ho, Wo), -np.inf)
        for di in range(k):
            for dj in range(k):
                out = np.maximum(out, xp[:, :, di:di + stride * Ho:stride, dj:dj + stride * Wo:stride])
        return out""",
    ),
    "linear_backward": (
        """\
        dx = dout @ w.T
        dw = x.T @ dout
        db = dout.sum(axis=0)
        return dx, dw, db""",
        """\
        dx = np.einsum("nm,dm->nd", dout, w)
        dw = np.einsum("nd,nm->dm", x, dout)
        db = np.einsum("nm->m", dout)
        return dx, dw, db""",
        """\
        grad_x = np.zeros_like(x, dtype=float)
        grad_w = np.zeros_like(w, dtype=float)
        grad_b = np.zeros(w.shape[1])
        for i in range(x.shape[0]):
            grad_x[i] = w.dot(dout[i])
            grad_w += np.outer(x[i], dout[i])
            grad_b += dout[i]
        return grad_x, grad_w, grad_b""",
    ),
    "avg_pool2d": (
        """\
        N, C, H, W = x.shape
        H_out = (H - kernel_size) // stride + 1
        W_out = (W - kernel_size) // stride + 1
        out = np.zeros((N, C, H_out, W_out))
        for i in range(H_out):
            for j in range(W_out):
                r, c = i * stride, j * stride
                out[:, :, i, j] = x[:, :, r:r + kernel_size, c:c + kernel_size].mean(axis=(2, 3))
        return out""",
        """\
        k, s = kernel_size, stride
        Ho = (x.shape[2] - k) // s + 1
        Wo = (x.shape[3] - k) // s + 1
        total = np.zeros(x.shape[:2] + (Ho, Wo))
        for u in range(k):
            for v in range(k):
                total += x[:, :, u:u + s * (Ho - 1) + 1:s, v:v + s * (Wo - 1) + 1:s]
        return total / (k * k)""",
        """\
        views = np.lib.stride_tricks.sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
        strided = views[:, :, ::stride, ::stride, :, :]
        return np.average(strided.reshape(*strided.shape[:4], -1), axis=-1)""",
    ),
    "cross_entropy": (
        """\
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-log_probs[np.arange(len(labels)), labels].mean())""",
        """\
        total = 0.0
        for row, label in zip(logits, labels):
            top = np.max(row)
            total += top + np.log(np.sum(np.exp(row - top))) - row[label]
        return float(total / len(labels))""",
        """\
        lse = np.logaddexp.reduce(logits, axis=1)
        correct = np.take_along_axis(logits, labels[:, None], axis=1)[:, 0]
        return float(np.mean(lse - correct))""",
    ),
}

CLASSES = [
    ("cross_correlation2d", "relu_backward"),
    ("conv2d_forward", "softmax"),
    ("max_pool2d", "linear_backward"),
    ("avg_pool2d", "cross_entropy"),
]
"""The affine plane of order 3: student (a, b) writes the functions of class c with variant
a, b, a + b or a + 2b (mod 3); two students share exactly one class, two functions."""

STUDENTS = {
    "carol": (0, 0),
    "alice": (0, 1),
    "bob": (0, 2),
    "erin": (1, 0),
    "frank": (1, 1),
    "grace": (1, 2),
    "heidi": (2, 0),
    "ivan": (2, 1),
    "judy": (2, 2),
}

DAVE = {
    "cross_correlation2d": '''\
def cross_correlation2d(image, kernel):
    """my implementation"""
    # sizes
    img_h, img_w = image.shape
    k_h, k_w = kernel.shape
    res = np.zeros(( img_h - k_h + 1,
                     img_w - k_w + 1 ))
    for r in range(img_h - k_h + 1):   # rows
        for c in range(img_w - k_w + 1):   # columns
            res[r, c] = np.sum(image[r : r + k_h, c : c + k_w] * kernel)
    return res
''',
    "relu_backward": '''\
def relu_backward(dout, x):
    """ReLU gradient."""
    grad = dout * (x > 0)  # mask of the positives
    return grad
''',
    "conv2d_forward": '''\
def conv2d_forward(x, w, b, stride=1, padding=0):
    """Naive convolution."""
    n_img, n_ch, height, width = x.shape
    n_filt, _, f_h, f_w = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)),
                  mode='constant')
    out_h = (height + 2*padding - f_h)//stride + 1
    out_w = (width + 2*padding - f_w)//stride + 1
    result = np.zeros((n_img, n_filt, out_h, out_w))
    for img in range(n_img):
        for filt in range(n_filt):
            for row in range(out_h):
                for col in range(out_w):
                    top, left = row*stride, col*stride
                    result[img, filt, row, col] = np.sum(
                        xpad[img, :, top:top+f_h, left:left+f_w] * w[filt]
                    ) + b[filt]
    return result
''',
    "softmax": '''\
def softmax(logits):
    """Softmax."""
    shifted = logits - np.max(logits, axis=1, keepdims=True)   # for stability
    ex = np.exp(shifted)
    return ex / np.sum(ex, axis=1,
                       keepdims=True)
''',
    "max_pool2d": '''\
def max_pool2d(x, kernel_size=2, stride=2, padding=0):
    """Max pooling."""
    if padding < 0 or padding > kernel_size // 2:
        raise ValueError('invalid padding')
    batch, chans, height, width = x.shape
    padded = np.pad(
        x,
        ((0, 0), (0, 0), (padding, padding), (padding, padding)),
        constant_values=-np.inf,
    )
    oh = (height + 2 * padding - kernel_size) // stride + 1
    ow = (width + 2 * padding - kernel_size) // stride + 1
    pooled = np.empty((batch, chans, oh, ow))
    for r in range(oh):
        for c in range(ow):
            patch = padded[:, :, r * stride:r * stride + kernel_size,
                           c * stride:c * stride + kernel_size]
            pooled[:, :, r, c] = patch.max(axis=(2, 3))
    return pooled
''',
    "linear_backward": '''\
def linear_backward(dout, x, w):
    """Linear layer gradients."""
    d_x = dout @ w.T   # (N, D)
    d_w = x.T @ dout   # (D, M)
    d_b = dout.sum(axis = 0)
    return d_x, d_w, d_b
''',
    "avg_pool2d": '''\
def avg_pool2d(x, kernel_size=2, stride=2):
    """Average pooling."""
    batch, chans, height, width = x.shape
    oh = (height - kernel_size) // stride + 1
    ow = (width - kernel_size) // stride + 1
    pooled = np.zeros((batch, chans, oh, ow))
    for r in range(oh):
        for c in range(ow):
            top, left = r * stride, c * stride
            pooled[:, :, r, c] = x[:, :, top:top + kernel_size,
                                   left:left + kernel_size].mean(axis=(2, 3))
    return pooled
''',
    "cross_entropy": '''\
def cross_entropy(logits, labels):
    """Mean cross-entropy."""
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    # pick the right class of every row
    return float(-logp[np.arange(len(labels)), labels].mean())
''',
}

HOSTILE = "<script>alert(1)</script>"
HOSTILE_CELL = f'# {HOSTILE}\nnote = "{HOSTILE}"\nprint(note, "\ud800")\n'
"""Markup in a comment and a string, and a lone surrogate (JSON allows it, UTF-8 does not)."""
CAROL = "carol/hw/cnn_basics.ipynb"
DAVE_KEY = '=HYPERLINK("http://x.invalid")/<b>dave</b>.ipynb'
"""Dave's key: a spreadsheet formula and HTML, as a file name may be."""


def template() -> NotebookNode:
    return nbformat.read(template_path(), as_version=4)


def filled(name: str, body: str) -> str:
    """The template's cell for ``name`` with the body in place of ``raise NotImplementedError``."""
    cell = next(c for c in template().cells if c.source.startswith(f"def {name}("))
    todo = "    raise NotImplementedError  # your code here"
    assert todo in cell.source
    return cell.source.replace(todo, textwrap.indent(textwrap.dedent(body), "    "))


def choices(a: int, b: int) -> dict[str, int]:
    """Which variant student (a, b) wrote of each function."""
    lines = [a, b, (a + b) % 3, (a + 2 * b) % 3]
    return {name: lines[c] for c, names in enumerate(CLASSES) for name in names}


def student(a: int, b: int, base: NotebookNode) -> NotebookNode:
    for name, v in choices(a, b).items():
        replace_definition(base, filled(name, VARIANTS[name][v]))
    return base


def write(nb: NotebookNode, path: Path) -> Path:
    """The notebook as JSON with ASCII escapes (nbformat.write cannot write a lone surrogate)."""
    nbformat.validate(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> list[tuple[str, Path]]:
    """Ten notebooks: the nine students (the rest of each is the solution's code) and Dave."""
    root = tmp_path_factory.mktemp("class")
    batch = []
    for name, (a, b) in STUDENTS.items():
        nb = student(a, b, solution())
        if name == "carol":
            nb.cells.append(new_code_cell(HOSTILE_CELL))
        key = CAROL if name == "carol" else f"{name}/hw/cnn_basics.ipynb"
        batch.append((key, write(nb, root / key)))
    dave = solution()
    for source in DAVE.values():
        replace_definition(dave, source)
    dave.cells.append(new_code_cell(HOSTILE_CELL.replace("note", "msg")))
    dave.cells.append(new_code_cell("%matplotlib inline\nprint('done')"))
    batch.append((DAVE_KEY, write(dave, root / "dave.ipynb")))
    return batch


@pytest.fixture(scope="module")
def report(klass, tmp_path_factory):
    """The report of the class, written once: (out folder, reported pairs, every pair)."""
    out = tmp_path_factory.mktemp("out")
    started = time.perf_counter()
    pairs = similarity.analyze(klass, template_path())
    elapsed = time.perf_counter() - started
    similarity.write(out, pairs, klass, template=template_path())
    everything = similarity.analyze(klass, template_path(), threshold=0, min_shared=0)
    print(f"\nanalyze: {len(klass)} notebooks in {elapsed:.2f} s; top pairs:")
    for p in everything[:5]:
        print(
            f"  {p.score:.3f} ({p.shared} of {min(p.fingerprints_a, p.fingerprints_b)}) {p.a} ~ {p.b}"
        )
    return out, pairs, everything


# --- fingerprints ----------------------------------------------------------------------


def tokens_of(source: str) -> list[str]:
    return [t.text for t in normalize(lex(python_of(source)), 0)]


def test_renamed_and_reformatted_code_gives_the_same_tokens():
    """Do renamed variables, spacing, line breaks, comments, quotes and trailing commas
    leave the normalized tokens alone, while library names still count?"""
    original = filled("softmax", VARIANTS["softmax"][0])
    disguised = DAVE["softmax"]
    assert tokens_of(original) == tokens_of(disguised)
    assert tokens_of("y = f(a, b,)\n") == tokens_of("y = f(\n    a,\n    b\n)  # c\n")
    assert tokens_of("x = np.einsum('ij->i', a)") != tokens_of("x = np.sum('ij->i', a)")
    assert "V" in tokens_of("value = 1") and "N" in tokens_of("value = 1")


def test_magics_markdown_and_code_that_does_not_parse_are_tolerated():
    """Are magics and shell lines left out, and is code that does not tokenize read line by
    line instead of failing?"""
    assert tokens_of("%timeit f(x)\n!pip install torch\n") == []
    assert tokens_of("%%bash\nls -l\n") == []
    broken = 'def f(:\n    x = """never closed\ny = np.zeros(3)\nnp.pad?\n'
    assert " ".join(tokens_of(broken)) == "def V ( : V = V = np . zeros ( N ) np . pad ?"
    nb = template()
    nb.cells += [new_markdown_cell("x = np.zeros(3) + 1"), new_raw_cell("y = 2 * x + 1")]
    nb.cells.append(new_code_cell(broken))
    cells = code_cells(nb)
    assert [c.index for c in cells][-1] == len(nb.cells) - 1
    assert len(nb.cells) - 3 not in [c.index for c in cells]  # the markdown cell
    code = fingerprint(cells, k=5, window=4)
    assert code.fingerprints[-1].cell == len(nb.cells) - 1
    assert normalize(lex(broken), 7)[-1] == Token("?", 7, (4, 6), (4, 7))  # where it was
    assert {fp.cell for fp in code.fingerprints} <= {c.index for c in cells}


# --- the class ---------------------------------------------------------------------------


def test_the_near_copy_ranks_first_and_alone(report):
    """Does Carol's and Dave's pair rank first, far above every other, and is it the only
    one at or above the threshold?"""
    _, pairs, everything = report
    assert [(p.a, p.b) for p in pairs] == [tuple(sorted((CAROL, DAVE_KEY)))]
    top, runner_up = everything[0], everything[1]
    assert {top.a, top.b} == {CAROL, DAVE_KEY}
    assert top.score >= 0.8, top
    assert runner_up.score < similarity.Settings.threshold <= top.score - 0.4, runner_up
    assert len(everything) >= 30  # the other pairs share a little: the two functions
    assert top.matches and all(m.a.cell >= 0 and m.b.cell >= 0 for m in top.matches)


def test_code_the_whole_class_has_is_ignored(klass):
    """Is the solution's code, in every notebook, ignored as the class's common code, and
    would it otherwise make many pairs look alike?"""
    without = similarity.analyze(klass, template_path(), common=1.0, threshold=0.5)
    assert len(without) > 10  # the seven questions everybody answered alike
    assert len(similarity.analyze(klass, template_path())) == 1


def test_the_template_never_counts(tmp_path):
    """Do eight students who only filled in the template, each their own way, and a copy of
    the template, pair up with nobody, although the template's code is most of each?"""
    batch = [
        (name, write(student(a, b, template()), tmp_path / f"{name}.ipynb"))
        for name, (a, b) in STUDENTS.items()
        if name != "carol"
    ]
    copy = tmp_path / "untouched.ipynb"
    shutil.copy(template_path(), copy)
    batch.append(("untouched", copy))
    no_template = similarity.analyze(batch, None, common=1.0)
    assert len(no_template) >= 28  # the template's code alone pairs them all up
    assert similarity.analyze(batch, template_path(), common=1.0) == []
    everything = similarity.analyze(batch, template_path(), common=1.0, threshold=0, min_shared=0)
    assert everything and all("untouched" not in (p.a, p.b) for p in everything)
    assert max(p.score for p in everything) < similarity.Settings.threshold


# --- the report --------------------------------------------------------------------------


class StrictHTML(HTMLParser):
    """Every element closed in order, ids unique, no script or event handler attribute."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        assert tag != "script", "a script element"
        assert not any(name.startswith("on") for name, _ in attrs), attrs
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if "href" in attributes:
            self.hrefs.append(attributes["href"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def check_page(path: Path) -> StrictHTML:
    text = path.read_text(encoding="utf-8")
    parser = StrictHTML()
    parser.feed(text)
    parser.close()
    assert parser.doctype and parser.stack == [], path
    assert len(parser.ids) == len(set(parser.ids)), "duplicate ids"
    for href in parser.hrefs:
        if href.startswith("#"):
            assert href[1:] in parser.ids, f"{path.name}: {href} leads nowhere"
        else:
            assert "://" not in href and (path.parent / href).is_file(), href
    assert HOSTILE not in text and "<b>dave" not in text
    return parser


def test_the_pages_are_valid_and_escape_the_submissions(report):
    """Are the index and the pair's page valid, script-free HTML whose links all land, with
    the submissions' code and names escaped?"""
    out, pairs, _ = report
    index = out / "similarity" / "index.html"
    assert pairs[0].page in check_page(index).hrefs
    page = out / "similarity" / pairs[0].page
    parser = check_page(page)
    text = page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;dave&lt;/b&gt;" in text
    assert "print(note, &quot;?&quot;)" in text  # the lone surrogate, replaced
    regions = len(pairs[0].matches)
    assert {f"a{n}" for n in range(1, regions + 1)} <= set(parser.ids)
    assert {f"#b{n}" for n in range(1, regions + 1)} <= set(parser.hrefs)
    assert "def cross_correlation2d" in text and "img_h" in text  # both sides' own code
    assert "np.testing.assert_allclose(cross_correlation2d" not in text  # template cells hidden
    assert sorted(p.name for p in page.parent.iterdir()) == sorted(["index.html", page.name])


def test_the_csv_has_a_row_per_pair_and_no_formula(report):
    """Does similarity.csv list the reported pair with its page, with no cell that a
    spreadsheet would run as a formula?"""
    out, pairs, _ = report
    with open(out / "similarity.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["rank", "submission_a", "submission_b", "score"]
    assert len(body) == len(pairs) == 1
    assert (out / body[0][header.index("page")]).is_file()
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row)
    assert "'" + DAVE_KEY in body[0]


def test_only_the_first_pairs_get_pages(report, klass, tmp_path):
    """With more pairs than pages, do the first get pages and does the CSV list them all?"""
    _, _, everything = report
    similarity.write(tmp_path, everything, klass, max_pages=3)
    pages = sorted(p.name for p in (tmp_path / "similarity").glob("pair-*.html"))
    assert pages == sorted(p.page for p in everything[:3])
    with open(tmp_path / "similarity.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    assert len(rows) == len(everything) and [r[-1] != "" for r in rows].count(True) == 3
    check_page(tmp_path / "similarity" / "index.html")


def test_the_command_line_skips_what_is_not_a_notebook(klass, tmp_path, capsys):
    """Does the command line compare a folder's notebooks, skip the template and the files
    that are not notebooks with a note, and print where the report is?"""
    folder = tmp_path / "handins"
    for key, path in klass:
        target = folder / ("dave/hw.ipynb" if key == DAVE_KEY else key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    shutil.copy(template_path(), folder / "cnn_basics.ipynb")
    (folder / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (folder / "empty.ipynb").write_bytes(b"")
    (folder / "readme.txt").write_text("hello", encoding="utf-8")
    out = tmp_path / "out"
    argv = [str(folder), "--template", str(folder / "cnn_basics.ipynb"), "--out", str(out)]
    assert similarity.main(argv + ["--threshold", "0.6"]) == 0
    printed = capsys.readouterr()
    assert printed.out.strip() == str(out / "similarity" / "index.html")
    for name in ("broken.ipynb", "empty.ipynb", "readme.txt", "cnn_basics.ipynb"):
        assert name in printed.err
    assert "Traceback" not in printed.err
    with open(out / "similarity.csv", newline="", encoding="utf-8") as f:
        body = list(csv.reader(f))[1:]
    assert [row[1:3] for row in body] == [[CAROL, "dave/hw.ipynb"]]
    assert "broken.ipynb" in (out / "similarity" / "index.html").read_text(encoding="utf-8")
    assert similarity.main(argv + ["--threshold", "2"]) == 2
    by_name = [str(folder), "--assignment", "cnn_basics", "--out", str(tmp_path / "by_name")]
    assert similarity.main(by_name) == 0
    assert "cnn_basics.ipynb (the template itself" in capsys.readouterr().err
    assert similarity.main([str(folder), "--template", str(tmp_path / "no.ipynb")]) == 2
