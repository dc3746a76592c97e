"""A recurrent layer and a character-level language model written from scratch.

Taught in :doc:`/auto_tutorials/11_recurrent_networks/04_rnn_from_scratch`, which
derives the hidden-state update and trains :class:`RNNLMScratch` on The Time Machine;
:doc:`/auto_tutorials/11_recurrent_networks/05_rnn_concise` copies its weights into
``nn.Embedding``, ``nn.RNN`` and ``nn.Linear`` and checks that both agree. Both
classes keep the shapes of ``nn.RNN(..., batch_first=True)``: the time axis is the
second one. The language model follows the convention of
:mod:`handson.language_models`: ``net(X, state) -> (logits, state)``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["RNNLMScratch", "RNNScratch"]


class RNNScratch(nn.Module):
    r"""One tanh recurrent layer: :math:`H_t = \tanh(X_t W_{xh} + H_{t-1} W_{hh} + b_h)`.

    ``forward(inputs, state)`` takes ``inputs`` of shape ``(batch, num_steps,
    num_inputs)`` and ``state`` of shape ``(batch, num_hiddens)`` (``None``: zeros)
    and returns the hidden states of all steps, ``(batch, num_steps, num_hiddens)``,
    and the last one. :math:`W_{xh}` gets Xavier's normal initialisation, variance
    :math:`2 / (d + h)`; :math:`W_{hh}` a normal one of variance :math:`1 / h`, so
    that :math:`H_{t-1} W_{hh}` keeps the scale of :math:`H_{t-1}`; the bias starts
    at zero. Taught in :doc:`/auto_tutorials/11_recurrent_networks/04_rnn_from_scratch`.

    Examples
    --------
    >>> rnn = RNNScratch(num_inputs=5, num_hiddens=8)
    >>> outputs, state = rnn(torch.ones(2, 3, 5))
    >>> outputs.shape, state.shape
    (torch.Size([2, 3, 8]), torch.Size([2, 8]))
    >>> torch.equal(outputs[:, -1], state)
    True
    """

    def __init__(self, num_inputs: int, num_hiddens: int):
        super().__init__()
        self.num_hiddens = num_hiddens
        self.W_xh = nn.Parameter(
            torch.randn(num_inputs, num_hiddens) * math.sqrt(2 / (num_inputs + num_hiddens)))
        self.W_hh = nn.Parameter(
            torch.randn(num_hiddens, num_hiddens) * math.sqrt(1 / num_hiddens))
        self.b_h = nn.Parameter(torch.zeros(num_hiddens))

    def forward(self, inputs: torch.Tensor, state: torch.Tensor | None = None):
        if state is None:
            state = torch.zeros(inputs.shape[0], self.num_hiddens, device=inputs.device)
        # The input part of every step at once: one big matrix product.
        XW = inputs @ self.W_xh + self.b_h
        outputs = []
        for t in range(inputs.shape[1]):
            state = torch.tanh(XW[:, t] + state @ self.W_hh)
            outputs.append(state)
        return torch.stack(outputs, dim=1), state


class RNNLMScratch(nn.Module):
    r"""Character language model: embedding by indexing, :class:`RNNScratch`, linear head.

    ``forward(X, state)`` maps token indices ``X`` of shape ``(batch, num_steps)`` to
    logits ``(batch, num_steps, vocab_size)`` and the last hidden state. The token
    vectors are rows of the embedding table ``E`` (``E[X]``, which equals one-hot
    vectors times ``E`` without building them); the output layer is
    :math:`O_t = H_t W_{hq} + b_q`. Taught in
    :doc:`/auto_tutorials/11_recurrent_networks/04_rnn_from_scratch`.

    Examples
    --------
    >>> net = RNNLMScratch(vocab_size=28, num_embed=4, num_hiddens=16)
    >>> logits, state = net(torch.zeros(2, 5, dtype=torch.long), None)
    >>> logits.shape, state.shape
    (torch.Size([2, 5, 28]), torch.Size([2, 16]))
    """

    def __init__(self, vocab_size: int, num_embed: int = 32, num_hiddens: int = 128):
        super().__init__()
        self.E = nn.Parameter(torch.randn(vocab_size, num_embed))
        self.rnn = RNNScratch(num_embed, num_hiddens)
        self.W_hq = nn.Parameter(
            torch.randn(num_hiddens, vocab_size) * math.sqrt(2 / (num_hiddens + vocab_size)))
        self.b_q = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, X: torch.Tensor, state: torch.Tensor | None = None):
        outputs, state = self.rnn(self.E[X], state)
        return outputs @ self.W_hq + self.b_q, state
