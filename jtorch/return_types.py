"""Named result tuples of multi-result ops (``torch.return_types.max`` and friends).

Example:
    >>> r = max(values=1, indices=0)
    >>> r.values, r[1]
    (1, 0)
"""

from __future__ import annotations

__all__ = ["structseq"]


def structseq(name: str, fields: tuple[str, ...]) -> type:
    """A tuple subclass with named fields whose repr is torch's ``torch.return_types.name(...)``."""

    def __new__(cls, *args, **kwargs):
        # torch's constructor takes one sequence (``max((values, indices))``); jtorch's ops also
        # pass the fields as separate arguments.
        if len(args) == 1 and len(fields) > 1 and isinstance(args[0], (tuple, list)):
            args = tuple(args[0])
        if kwargs:
            args = args + tuple(kwargs[f] for f in fields[len(args) :])
        if len(args) != len(fields):
            raise TypeError(f"torch.return_types.{name}() takes a {len(fields)}-sequence")
        return tuple.__new__(cls, args)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (type(self), tuple(self))

    attrs = {
        f: property(lambda self, i=i: tuple.__getitem__(self, i)) for i, f in enumerate(fields)
    }
    attrs.update(__new__=__new__, __repr__=__repr__, __reduce__=__reduce__, __slots__=())
    attrs.update(_fields=fields, n_fields=len(fields), __module__="torch.return_types")
    cls = type(name, (tuple,), attrs)
    globals()[name] = cls
    return cls


_TYPES = {
    "max": ("values", "indices"),
    "min": ("values", "indices"),
    "median": ("values", "indices"),
    "nanmedian": ("values", "indices"),
    "mode": ("values", "indices"),
    "kthvalue": ("values", "indices"),
    "topk": ("values", "indices"),
    "sort": ("values", "indices"),
    "cummax": ("values", "indices"),
    "cummin": ("values", "indices"),
    "aminmax": ("min", "max"),
    "histogram": ("hist", "bin_edges"),
    "std_mean": None,
    "var_mean": None,
    "slogdet": ("sign", "logabsdet"),
    "qr": ("Q", "R"),
    "svd": ("U", "S", "V"),
    "linalg_svd": ("U", "S", "Vh"),
    "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"),
    "linalg_slogdet": ("sign", "logabsdet"),
    "linalg_qr": ("Q", "R"),
    "linalg_inv_ex": ("inverse", "info"),
    "linalg_cholesky_ex": ("L", "info"),
    "linalg_solve_ex": ("result", "info"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
    "linalg_lu": ("P", "L", "U"),
    "linalg_lu_factor": ("LU", "pivots"),
    "lu_unpack": ("P", "L", "U"),
    "frexp": ("mantissa", "exponent"),
}
for _name, _fields in _TYPES.items():
    if _fields:
        structseq(_name, _fields)
