"""Image augmentation with tensor operations, a whole batch at once.

Taught in :doc:`/auto_tutorials/07_convolutional_networks/03_cifar10_color_images`:
one random number per image and tensor operations instead of a loop over images
(``torchvision.transforms.v2`` applied to a batch would draw one crop for the batch).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["Augment", "crop_at", "random_crop", "random_flip"]


def _check_images(X: torch.Tensor) -> None:
    if X.ndim != 4:
        raise ValueError(
            f"expected a batch of images of shape (n, channels, height, width), got "
            f"shape {tuple(X.shape)}; add a batch axis with X[None] for one image."
        )


def random_flip(X: torch.Tensor) -> torch.Tensor:
    """Flip each image of the batch left to right with probability 1/2.

    Examples
    --------
    >>> X = torch.arange(4.0).reshape(1, 1, 2, 2)
    >>> Y = random_flip(X)
    >>> torch.equal(Y, X) or torch.equal(Y, X.flip(3))
    True
    """
    _check_images(X)
    flip = torch.rand(len(X), device=X.device) < 0.5
    return torch.where(flip[:, None, None, None], X.flip(3), X)


def crop_at(X: torch.Tensor, padding: int, oy: torch.Tensor, ox: torch.Tensor) -> torch.Tensor:
    """Pad ``X`` with zeros and cut, from image ``k``, the window at ``(oy[k], ox[k])``.

    ``Tensor.unfold`` makes all windows a view, so indexing picks one per image with no
    copy of the others. Offset ``(padding, padding)`` is the image itself.

    Examples
    --------
    >>> X = torch.rand(2, 3, 4, 4)
    >>> centre = torch.full((2,), 1)
    >>> torch.equal(crop_at(X, 1, centre, centre), X)
    True
    """
    _check_images(X)
    n, c, h, w = X.shape
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}.")
    X_pad = F.pad(X, (padding, padding, padding, padding))
    windows = X_pad.unfold(2, h, 1).unfold(3, w, 1)  # (n, c, 2p+1, 2p+1, h, w)
    return windows[torch.arange(n, device=X.device), :, oy, ox]


def random_crop(X: torch.Tensor, padding: int = 2) -> torch.Tensor:
    """Shift each image by up to ``padding`` pixels in each direction, at random.

    Examples
    --------
    >>> random_crop(torch.rand(5, 3, 8, 8), padding=2).shape
    torch.Size([5, 3, 8, 8])
    """
    _check_images(X)
    oy = torch.randint(0, 2 * padding + 1, (len(X),), device=X.device)
    ox = torch.randint(0, 2 * padding + 1, (len(X),), device=X.device)
    return crop_at(X, padding, oy, ox)


class Augment(nn.Module):
    """Random flip and crop in training mode; the identity in evaluation mode.

    Put it in front of a network: ``handson.train`` and ``handson.evaluate_accuracy``
    switch modes, so test images are never augmented. Taught in
    :doc:`/auto_tutorials/07_convolutional_networks/03_cifar10_color_images`.

    Examples
    --------
    >>> aug = Augment(padding=1).eval()
    >>> X = torch.rand(2, 1, 4, 4)
    >>> torch.equal(aug(X), X)
    True
    """

    def __init__(self, padding: int = 2, flip: bool = True):
        super().__init__()
        self.padding = padding
        self.flip = flip

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Flip and crop the batch ``X`` in training mode; return it unchanged in eval mode."""
        if not self.training:
            return X
        if self.flip:
            X = random_flip(X)
        return random_crop(X, self.padding) if self.padding else X

    def extra_repr(self) -> str:
        return f"padding={self.padding}, flip={self.flip}"
