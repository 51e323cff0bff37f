"""The code of the seed notes (../shared/seeds) runs unchanged and prints what torch prints.

Each snippet is executed twice, with ``torch`` bound to jtorch and to PyTorch 2.13; stdout must be
identical (object addresses normalised), or both must raise the same exception type.
"""

from __future__ import annotations

import contextlib
import io
import re
import textwrap

import numpy as np
import pytest
from conftest import torch_oracle

import jtorch

torch = torch_oracle()

SNIPPETS = {
    "000 basics": """
        torch.manual_seed(42)
        x = torch.Tensor(2, 3, 4)
        print(x.shape, x.size(), x.dtype)
        print(torch.zeros(2, 3), torch.ones(2))
        print(torch.rand(2, 3).shape, torch.randn(3).dtype)
        print(torch.randint(low=0, high=2, size=(3, 2), dtype=torch.float32).shape)
        print(torch.arange(5), torch.arange(1, 4))
        np_arr1 = np.arange(6.0).reshape(2, 3)
        x = torch.from_numpy(np_arr1)
        print(x.numpy(), x.cpu().numpy())
        x1, x2 = torch.ones(2, 3), torch.arange(6.0).view(2, 3)
        x2.add_(x1)
        print(x2)
        W = torch.ones(3, 2)
        print(torch.matmul(x2, W), torch.mm(x2, W))
        b1, b2 = torch.ones(2, 3, 4), torch.ones(2, 4, 5)
        print(torch.bmm(b1, b2).shape, torch.einsum("bij,bjk->bik", b1, b2).shape)
        print(x2.view(3, 2))
        x = torch.ones(2, requires_grad=False)
        x.requires_grad_(True)
        y = (x * x).sum()
        y.backward()
        print(x.grad)
    """,
    "000 device": """
        device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
        x = torch.zeros(2, 3)
        x = x.to(device)
        print(device, x.device)
        if torch.cuda.is_available():
            torch.cuda.manual_seed(42)
            torch.cuda.manual_seed_all(42)
        torch.backends.cudnn.determinstic = True
        torch.backends.cudnn.benchmark = False
    """,
    "001 tensor basics": """
        a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        b = torch.tensor([[1, 2], [3, 4]])
        print(b.type_as(a), a.dim(), a.reshape(4), a.t().contiguous().view(4))
        arr = a.numpy()
        arr[0, 0] = 10
        print(a)
        c = a.clone()
        c[0, 0] = -1
        print(a, c, a[0, 0].item(), a.tolist())
        print(torch.clamp(a, 2, 3), torch.fmod(a, 3), torch.remainder(-a, 3))
        print(a.mean(), a.max(), a.sum(), a.prod(), a.min(), a.std(), a.var(), a.median())
    """,
    "001 indexing": """
        x = torch.arange(12.0).view(3, 4)
        idx = torch.tensor([0, 2])
        print(torch.index_select(x, 0, idx), torch.take(x, idx))
        print(torch.gather(x, 1, torch.tensor([[0], [1], [2]])))
        print(torch.masked_select(x, x > 5))
        print(torch.where(x > 5, x, torch.zeros_like(x)))
        print(x.index_fill(1, idx, -1.0), x.masked_fill(x < 3, 0.0))
        y = x.unsqueeze(0)
        print(y.shape, y.squeeze().shape, torch.squeeze(y, dim=0).shape)
        print(torch.transpose(x, 0, 1).shape)
        print(torch.cat([x, x]).shape, torch.stack([x, x]).shape, torch.split(x, 2))
    """,
    "001 autograd.grad": """
        x1 = torch.tensor(1.0, requires_grad=True)
        x2 = torch.tensor(2.0, requires_grad=True)
        y1 = x1 * x2
        y2 = x1 + x2
        (dy1_dx1, dy1_dx2) = torch.autograd.grad(outputs=y1, inputs=[x1, x2], retain_graph=True)
        print(dy1_dx1, dy1_dx2)
        (dy12_dx1, dy12_dx2) = torch.autograd.grad(outputs=[y1, y2], inputs=[x1, x2])
        print(dy12_dx1, dy12_dx2)
        x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * x
        gradient = torch.tensor([[1.0, 1.0], [1.0, 1.0]])
        y.backward(gradient=gradient)
        print(x.grad)
        z = torch.tensor(3.0, requires_grad=True)
        (g,) = torch.autograd.grad(z**3, z, create_graph=True)
        print(g, torch.autograd.grad(g, z))
    """,
    "001 SGD minimum": """
        x = torch.tensor(0.0, requires_grad=True)
        a = torch.tensor(1.0)
        b = torch.tensor(-2.0)
        c = torch.tensor(1.0)
        optimizer = torch.optim.SGD(params=[x], lr=0.01)

        def f(x):
            result = a * torch.pow(x, 2) + b * x + c
            return result

        for i in range(500):
            optimizer.zero_grad()
            y = f(x)
            y.backward()
            optimizer.step()
            if i % 50 == 0:
                print("y=", f(x).data, ";", "x=", x.data)
    """,
    "003 tensors": """
        x = torch.tensor([3, 4.5])
        print(x, x.size(), x.shape)
        x = torch.rand(3, 4)
        y = torch.rand(3, 4)
        print((x + y).shape, torch.add(x, y).shape)
        result = torch.empty(3, 4)
        torch.add(x, y, out=result)
        print(torch.equal(result, x + y))
        x = torch.ones(5)
        print(x, x.dtype)
        y = x.numpy()
        print(y, y.dtype)
        x = np.ones(3)
        y = torch.from_numpy(x)
        np.add(x, 1, out=x)
        print(x, y)
        x = np.ones(3)
        y = torch.from_numpy(x.copy())
        np.add(x, 1, out=x)
        print(x, y)
        device = "cuda:0" if torch.cuda.is_available() else "cpu"
        y = torch.ones(3, 4, device=device)
        x = torch.ones(3, 4).to(device)
        z = x + y
        print(z, z.device)
    """,
    "003 autograd": """
        x = torch.ones(2, 2, requires_grad=True)
        print(x)
        y = x + 2
        print(y)
        print(y.grad_fn)
        print(x.grad_fn)
    """,
    "004 creation": """
        print(torch.empty(5, 3).shape, torch.ones(3, 3), torch.ones_like(torch.zeros(2)))
        print(torch.zeros(5, 3, dtype=torch.long), torch.eye(5))
        print(torch.arange(start=0, end=8, step=2), torch.linspace(start=0, end=9, steps=5))
        torch.manual_seed(2)
        print(torch.initial_seed())
        x = torch.rand(5, 3)
        print(x.shape, torch.randn(5, 3).shape, torch.randn_like(x, dtype=torch.float).dtype)
        print(torch.tensor([[5.5, 3], [2, 3]], dtype=torch.float32))
        print(torch.from_numpy(np.ones((5, 5))))
        device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
        print(torch.randn(4, 4).to(device).shape, torch.randn(4, 4, device=device).cpu().shape)
    """,
    "004 dtypes": """
        x = torch.tensor([1.7, -2.2, 0.0])
        print(x.int(), x.long(), x.float(), x.bool(), x.char(), x.double())
        print(torch.bool, torch.int, torch.short, torch.uint8, torch.int8, torch.int16)
        print(torch.int32, torch.long, torch.float, torch.float16, torch.float32, torch.float64)
        print(torch.double, torch.complex32, torch.complex64)
    """,
    "004 arithmetic": """
        a = torch.tensor([[1.5, -2.5], [0.4, 3.6]])
        b = torch.tensor([[2.0, 1.0], [0.5, -1.0]])
        print(a.round(), a.fix(), a.floor())
        print(a + b, a * b, a @ b)
        a += 1
        print(a)
        result = torch.empty(2, 2)
        torch.add(a, b, out=result)
        print(result)
        y = torch.zeros(2, 2)
        y.add_(b)
        y.copy_(a)
        print(y, y.t_(), a.matmul(b))
        print(a.size(), a.numel(), a[:, 1], a.select(dim=1, index=1))
        print(a.numpy(), a.tolist(), a[0][0].item())
        x = torch.ones(2)
        y = x.numpy()
        x += 1
        print(x, y)
        a = np.ones(5)
        b = torch.from_numpy(a)
        a += 1
        print(a, b)
        a = torch.randn(4, 4)
        print(a.reshape(2, -1).shape, a.reshape(-1).shape)
        a = torch.tensor([0.25, 4.0])
        print(a.sqrt(), a.square(), a.exp(), a.cos(), a.cosh())
        a = torch.tensor([0.5, 1.0])
        print(a.acos(), a.arccos(), (a + 1).acosh(), (a + 1).arccosh())
    """,
    "004 matrices": """
        a = torch.arange(9.0).reshape(3, 3)
        d = a.diagonal()
        print(d, torch.diag_embed(d), a.flip(dims=(0,)), a.t())
        print(a.tril(0), a.triu(0), a.tril(diagonal=-1))
        a = torch.rand(3, 2)
        b = torch.rand(3, 2)
        print(torch.cat([a, b], dim=0).shape)
        a = torch.arange(0, 12, step=1).reshape(2, 6)
        print(a.chunk(chunks=3, dim=1))
        print(torch.split(a, split_size_or_sections=(1, 3, 2), dim=1))
        x1 = torch.tensor([0.1, 0.5, 0.9])
        x2 = torch.tensor([1.0, 2.0, 3.0])
        print(torch.where(x1 > 0.5, x1, x2), torch.clip(x1, min=0.4, max=0.6))
    """,
    "004 bitwise and logical": """
        x1 = torch.tensor([1, 2, 3], dtype=torch.uint8)
        x2 = torch.tensor([1, 1, 1], dtype=torch.uint8)
        print(x1 & x2, x1 | x2, ~x1, x1 ^ x2, x1 << 1, x1.bitwise_or(x2), x1.bitwise_left_shift(1))
        x1 = torch.tensor([-0.9, 0, True, False], dtype=torch.bool)
        x2 = torch.tensor([0.1, 0.7, 0.2, 0.9]) < 0.5
        print(x1, x2, x1 & x2, x1 | x2, x1 ^ x2, ~x1)
        print(x1.logical_and(x2), x1.logical_or(x2), x1.logical_xor(x2), x1.logical_not())
        x1.logical_xor_(x2)
        x2.logical_not_()
        print(x1, x2)
    """,
    "004 statistics": """
        a = torch.tensor([[3.0, 1.0, 2.0], [0.5, 5.0, 4.0]])
        print(a.mean(), a.mean(dim=1, keepdim=True), a.max())
        values, indices = a.max(dim=1, keepdim=True)
        print(values, indices)
        print(a.min(), a.mode())
        values, indices = a.sort(dim=1, descending=False)
        print(values, indices)
        print(a.argmin(), a.argsort(), a.argmax(dim=1, keepdim=True))
        print(a.histc(bins=4), a.histogram(bins=3), a.std())
    """,
    "004 linalg": """
        from numpy import round as r
        a = torch.tensor([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
        U, S, Vh = torch.linalg.svd(a)
        print(r((U @ torch.diag(S) @ Vh).numpy(), 4), r(torch.linalg.svdvals(a).numpy(), 4))
        e_val, e_vec = torch.linalg.eig(a)
        print(r(np.sort(e_val.real.numpy()), 4), r(np.sort(torch.linalg.eigvals(a).real.numpy()), 4))
        q, rr = torch.linalg.qr(a)
        print(r((q @ rr).numpy(), 4), r(torch.linalg.norm(a).item(), 4))
        print(r(a.svd()[1].numpy(), 4), r(a.trace().item(), 4), r(a.inverse().numpy(), 4))
        print(r(a.norm().item(), 4), r(torch.det(a).item(), 4))
    """,
}

ERROR_SNIPPETS = {
    # The seed note calls a.tril(k=0); torch has no `k` keyword, so both must raise TypeError.
    "004 tril(k=0)": "torch.arange(4.0).reshape(2, 2).tril(k=0)",
}


def _run(lib, code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(code), {"torch": lib, "np": np})
    return re.sub(r"0x[0-9a-f]+", "0xADDR", out.getvalue())


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_seed_snippet_prints_like_torch(name):
    assert _run(jtorch, SNIPPETS[name]) == _run(torch, SNIPPETS[name])


@pytest.mark.parametrize("name", sorted(ERROR_SNIPPETS))
def test_seed_snippet_raises_like_torch(name):
    with pytest.raises(Exception) as theirs:
        _run(torch, ERROR_SNIPPETS[name])
    with pytest.raises(theirs.type):
        _run(jtorch, ERROR_SNIPPETS[name])
