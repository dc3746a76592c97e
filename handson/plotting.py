"""Pictures the tutorials draw more than once: image grids."""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["show_images"]


def show_images(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    scale: float = 1.4,
):
    """Draw a grid of images of shape ``(n, 1, h, w)``, ``(n, 3, h, w)`` or ``(n, h, w)``.

    Values are expected in ``[0, 1]``. Returns the matplotlib figure. Taught in
    :doc:`/auto_tutorials/04_linear_classification/01_image_classification_data`.

    Examples
    --------
    >>> import torch
    >>> fig = show_images(torch.rand(6, 1, 8, 8), titles=list("abcdef"), ncols=3)
    >>> len(fig.axes)
    6
    """
    import matplotlib.pyplot as plt

    if images.ndim == 4:
        if images.shape[1] not in (1, 3):
            raise ValueError(f"expected 1 or 3 channels, got shape {tuple(images.shape)}")
        images = images.permute(0, 2, 3, 1)
        if images.shape[-1] == 1:
            images = images[..., 0]
    elif images.ndim != 3:
        raise ValueError(f"expected (n, c, h, w) or (n, h, w), got shape {tuple(images.shape)}")
    n = len(images)
    if titles is not None and len(titles) != n:
        raise ValueError(f"{n} images but {len(titles)} titles")
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, min(ncols, n), figsize=(min(ncols, n) * scale, nrows * scale),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            ax.remove()
            continue
        ax.imshow(images[i].detach().cpu().clamp(0, 1).numpy(),
                  cmap="gray" if images.ndim == 3 else None)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig
