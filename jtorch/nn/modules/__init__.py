"""All nn layer classes (``torch.nn.modules``)."""

from jtorch.nn.modules.activation import *  # noqa: F403
from jtorch.nn.modules.activation_attention import MultiheadAttention
from jtorch.nn.modules.adaptive import AdaptiveLogSoftmaxWithLoss
from jtorch.nn.modules.channelshuffle import *  # noqa: F403
from jtorch.nn.modules.container import *  # noqa: F403
from jtorch.nn.modules.conv import *  # noqa: F403
from jtorch.nn.modules.deprecated import *  # noqa: F403
from jtorch.nn.modules.distance import *  # noqa: F403
from jtorch.nn.modules.dropout import *  # noqa: F403
from jtorch.nn.modules.flatten import *  # noqa: F403
from jtorch.nn.modules.fold import *  # noqa: F403
from jtorch.nn.modules.lazy_extra import *  # noqa: F403
from jtorch.nn.modules.linear import *  # noqa: F403
from jtorch.nn.modules.linear_cross_entropy import *  # noqa: F403
from jtorch.nn.modules.loss import *  # noqa: F403
from jtorch.nn.modules.module import Module
from jtorch.nn.modules.normalization import *  # noqa: F403
from jtorch.nn.modules.padding import *  # noqa: F403
from jtorch.nn.modules.pixelshuffle import *  # noqa: F403
from jtorch.nn.modules.pooling import *  # noqa: F403
from jtorch.nn.modules.rnn import *  # noqa: F403
from jtorch.nn.modules.sparse import *  # noqa: F403
from jtorch.nn.modules.transformer import *  # noqa: F403
from jtorch.nn.modules.upsampling import *  # noqa: F403
