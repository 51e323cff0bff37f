"""The demo job: train a small classifier with jtorch exactly as one would with PyTorch.

Run with ``./run.sh demo``. It builds a two-spirals data set, trains an MLP with Adam and a
learning-rate schedule through a DataLoader, prints the loss and accuracy as it goes, logs them
with the model graph as a TensorBoard run under ``runs/spirals`` (view it with ``tensorboard
--logdir runs``), saves a checkpoint in PyTorch's format, reloads it into a fresh model and checks
the predictions agree.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import jtorch as torch
from jtorch import nn
from jtorch.utils.data import DataLoader, TensorDataset
from jtorch.utils.tensorboard import SummaryWriter


def two_spirals(n_per_class: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Points on two interleaved spirals (class 0 and 1) with a little noise."""
    t = torch.rand(n_per_class, generator=generator) * 3 * math.pi + 0.5
    noise = 0.15 * torch.randn(2, n_per_class, 2, generator=generator)
    arm = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1) / 5
    x = torch.cat([arm + noise[0], -arm + noise[1]])
    y = torch.cat(
        [torch.zeros(n_per_class, dtype=torch.long), torch.ones(n_per_class, dtype=torch.long)]
    )
    return x, y


class MLP(nn.Module):
    def __init__(self, hidden: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def main() -> None:
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    x, y = two_spirals(300, gen)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, generator=gen)

    model = MLP()
    print(model)
    print(f"parameters: {sum(p.numel() for p in model.parameters())}")
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=40, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    writer = SummaryWriter("runs/spirals", purge_step=0)
    writer.add_graph(model, x[:8])

    for epoch in range(1, 121):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        scheduler.step()
        writer.add_scalar("loss/train", total / len(x), epoch)
        writer.add_scalar("lr", scheduler.get_last_lr()[0], epoch)
        if epoch % 20 == 0:
            model.eval()
            print(
                f"epoch {epoch:3d}  loss {total / len(x):.4f}  accuracy {accuracy(model, x, y):.3f}"
                f"  lr {scheduler.get_last_lr()[0]:.4f}"
            )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spirals.pt"
        torch.save(model.state_dict(), path)
        restored = MLP()
        print(restored.load_state_dict(torch.load(path)))
        restored.eval()
        same = torch.equal(restored(x).argmax(1), model(x).argmax(1))
        print(f"checkpoint {path.name}: {path.stat().st_size} bytes, predictions identical: {same}")
    final = accuracy(model, x, y)
    writer.add_scalar("accuracy/train", final, 120)
    writer.close()
    print(f"final training accuracy: {final:.3f}")
    print(f"TensorBoard run written to {writer.log_dir} (view: tensorboard --logdir runs)")
    if final < 0.9:
        raise SystemExit("the demo model failed to learn the spirals")


if __name__ == "__main__":
    main()
