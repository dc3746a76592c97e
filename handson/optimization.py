"""Two-dimensional optimisation trajectories: run an update rule and draw its path.

Taught in :doc:`/auto_tutorials/10_optimization/03_gradient_descent`; the optimiser
pages of that chapter draw every method on the same ill-conditioned quadratic,
``f_2d``, so their paths can be compared at a glance.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["f_2d", "grad_f_2d", "show_trace_2d", "torch_path", "trace_2d"]


def f_2d(x: torch.Tensor) -> torch.Tensor:
    """The ill-conditioned quadratic ``0.1 x1^2 + 2 x2^2`` (curvatures 0.2 and 4).

    Examples
    --------
    >>> f_2d(torch.tensor([1.0, 1.0]))
    tensor(2.1000)
    """
    return 0.1 * x[..., 0] ** 2 + 2 * x[..., 1] ** 2


def grad_f_2d(x: torch.Tensor) -> torch.Tensor:
    """The gradient of ``f_2d``, ``(0.2 x1, 4 x2)``, written out (no autograd).

    Examples
    --------
    >>> grad_f_2d(torch.tensor([1.0, 1.0]))
    tensor([0.2000, 4.0000])
    """
    return torch.stack([0.2 * x[..., 0], 4 * x[..., 1]], dim=-1)


def trace_2d(update: Callable[[torch.Tensor, dict], torch.Tensor],
             x0: tuple[float, float] = (-5.0, -2.0), num_steps: int = 20) -> torch.Tensor:
    """Apply ``x = update(x, state)`` ``num_steps`` times from ``x0``; return every point.

    ``state`` is a dict the update rule may keep its memory in (a velocity, running
    averages, the step count), empty at the start. The result has shape
    ``(num_steps + 1, 2)``, starting point included.

    Examples
    --------
    >>> path = trace_2d(lambda x, s: x - 0.1 * grad_f_2d(x), num_steps=3)
    >>> path.shape
    torch.Size([4, 2])
    """
    if num_steps < 0:
        raise ValueError(f"num_steps must be >= 0, got {num_steps}.")
    x = torch.tensor(x0, dtype=torch.float64)
    if x.shape != (2,):
        raise ValueError(f"x0 must be two numbers (x1, x2), got {x0!r}.")
    state: dict = {}
    points = [x.clone()]
    for _ in range(num_steps):
        x = update(x, state)
        if not torch.is_tensor(x) or x.shape != (2,):
            raise TypeError("update(x, state) must return the new point as a tensor of "
                            f"shape (2,), got {x!r}.")
        points.append(x.detach().clone())
    return torch.stack(points)


def torch_path(make_optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
               x0: tuple[float, float] = (-5.0, -2.0), num_steps: int = 20) -> torch.Tensor:
    """The iterates of a ``torch.optim`` optimiser on ``f_2d``, start included.

    ``make_optimizer`` builds the optimiser from a list of parameters, e.g.
    ``lambda p: torch.optim.SGD(p, lr=0.1)``; the result has the layout of
    ``trace_2d``, so a from-scratch rule can be compared iterate by iterate.
    Taught in :doc:`/auto_tutorials/10_optimization/06_momentum`.

    Examples
    --------
    >>> path = torch_path(lambda p: torch.optim.SGD(p, lr=0.1), num_steps=3)
    >>> torch.allclose(path, trace_2d(lambda x, s: x - 0.1 * grad_f_2d(x), num_steps=3))
    True
    """
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([x])
    points = [x.detach().clone()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        f_2d(x).backward()
        optimizer.step()
        points.append(x.detach().clone())
    return torch.stack(points)


def show_trace_2d(f: Callable[[torch.Tensor], torch.Tensor], trace: torch.Tensor, ax=None,
                  title: str | None = None, extent: float = 5.5):
    """Draw the contours of ``f`` and the path ``trace`` on them; return the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.2))
    grid = torch.linspace(-extent, extent, 101, dtype=torch.float64)
    x1, x2 = torch.meshgrid(grid, grid * 0.6, indexing="xy")
    ax.contour(x1, x2, f(torch.stack([x1, x2], dim=-1)), levels=20, colors="#1f77b4",
               linewidths=0.6)
    ax.plot(trace[:, 0], trace[:, 1], "-o", color="#ff7f0e", markersize=3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax
