"""jtorch_ext: an IPython extension that turns jtorch into notebook tooling.

Load it in IPython or Jupyter with ``%load_ext jtorch_ext`` for tensor and module summaries
(``%tensor_summary``), autograd graphs (``%graph``), rich and widget displays of tensors and hooks,
and TensorBoard runs.
"""
