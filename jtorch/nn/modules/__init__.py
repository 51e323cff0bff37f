"""All nn layer classes (``torch.nn.modules``)."""

from jtorch.nn.modules.activation import *  # noqa: F403
from jtorch.nn.modules.container import *  # noqa: F403
from jtorch.nn.modules.distance import *  # noqa: F403
from jtorch.nn.modules.dropout import *  # noqa: F403
from jtorch.nn.modules.flatten import *  # noqa: F403
from jtorch.nn.modules.linear import *  # noqa: F403
from jtorch.nn.modules.loss import *  # noqa: F403
from jtorch.nn.modules.module import Module
from jtorch.nn.modules.normalization import *  # noqa: F403
from jtorch.nn.modules.sparse import *  # noqa: F403
