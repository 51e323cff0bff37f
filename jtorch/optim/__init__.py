"""torch.optim: optimizers (each a class plus its functional kernel) and ``lr_scheduler``.

Example:
    >>> p = jtorch.zeros(3, requires_grad=True)
    >>> opt = jtorch.optim.Adam([p], lr=0.01)
    >>> sched = jtorch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    >>> opt.step(); sched.step(); sched.get_last_lr()
    [0.005]
"""

from jtorch.optim import lr_scheduler, swa_utils
from jtorch.optim._stateless import swap_in_optimizer_params_and_state
from jtorch.optim.adadelta import Adadelta
from jtorch.optim.adafactor import Adafactor
from jtorch.optim.adagrad import Adagrad
from jtorch.optim.adam import Adam
from jtorch.optim.adamax import Adamax
from jtorch.optim.adamw import AdamW
from jtorch.optim.asgd import ASGD
from jtorch.optim.lbfgs import LBFGS
from jtorch.optim.muon import Muon
from jtorch.optim.nadam import NAdam
from jtorch.optim.optimizer import Optimizer
from jtorch.optim.radam import RAdam
from jtorch.optim.rmsprop import RMSprop
from jtorch.optim.rprop import Rprop
from jtorch.optim.sgd import SGD
from jtorch.optim.sparse_adam import SparseAdam

__all__ = [
    "ASGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "LBFGS",
    "Muon",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "SGD",
    "SparseAdam",
    "lr_scheduler",
    "swa_utils",
    "swap_in_optimizer_params_and_state",
]
