"""From raw text to token indices: cleaning, tokenising and the vocabulary.

Taught in :doc:`/auto_tutorials/11_recurrent_networks/02_text_sequences`. The
sequence chapters turn The Time Machine and the English-French pairs into lists of
integer indices with these helpers; a page that builds its own tokens only needs
:class:`Vocab`.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Sequence

import torch

__all__ = ["Vocab", "clean_text", "time_machine", "tokenize"]

UNK = "<unk>"


def clean_text(text: str) -> str:
    """Lower-case ``text`` and replace every run of non-letters by one space.

    The cleaning D2L applies to The Time Machine: punctuation, digits and line breaks
    go, so the character vocabulary is the 26 letters and the space. Taught in
    :doc:`/auto_tutorials/11_recurrent_networks/02_text_sequences`.

    Examples
    --------
    >>> clean_text("The Time Machine, by H. G. Wells [1898]")
    'the time machine by h g wells '
    """
    if not isinstance(text, str):
        raise TypeError(f"clean_text expects a string, got {type(text).__name__}.")
    return re.sub("[^A-Za-z]+", " ", text).lower()


def tokenize(text: str, level: str = "char") -> list[str]:
    """Split ``text`` into characters (``level="char"``) or words (``level="word"``).

    Words are split at white space. Taught in
    :doc:`/auto_tutorials/11_recurrent_networks/02_text_sequences`.

    Examples
    --------
    >>> tokenize("the time", "char")
    ['t', 'h', 'e', ' ', 't', 'i', 'm', 'e']
    >>> tokenize("the time", "word")
    ['the', 'time']
    """
    if not isinstance(text, str):
        hint = (" It looks like tokens already: build a Vocab from them directly."
                if isinstance(text, (list, tuple)) else "")
        raise TypeError(f"tokenize expects a string, got {type(text).__name__}.{hint}")
    if level == "char":
        return list(text)
    if level == "word":
        return text.split()
    raise ValueError(f"level must be 'char' or 'word', got {level!r}.")


class Vocab:
    """A two-way map between tokens and indices, most frequent tokens first.

    Index 0 is the unknown token ``<unk>``, which every token not in the vocabulary
    maps to; the ``reserved`` tokens (padding, beginning and end of sequence) come
    next, in the order given; then every token seen at least ``min_freq`` times, by
    decreasing frequency (ties in order of first appearance). ``tokens`` is a flat
    sequence of tokens or a sequence of token lists (one per line or sentence).
    Taught in :doc:`/auto_tutorials/11_recurrent_networks/02_text_sequences`.

    Examples
    --------
    >>> vocab = Vocab(list("abracadabra"), reserved=["<pad>"])
    >>> vocab.idx_to_token
    ['<unk>', '<pad>', 'a', 'b', 'r', 'c', 'd']
    >>> vocab["b"], vocab["z"], vocab[["a", "d"]]
    (3, 0, [2, 6])
    >>> "".join(vocab.to_tokens([3, 4, 2]))
    'bra'
    """

    def __init__(self, tokens: Sequence[str] | Sequence[Sequence[str]],
                 min_freq: int = 0, reserved: Iterable[str] = ()):
        if isinstance(tokens, str):
            raise TypeError("Vocab expects a list of tokens, got a string: split it "
                            "first, e.g. with handson.text.tokenize(text, 'char').")
        flat = [t for line in tokens for t in line] if _nested(tokens) else list(tokens)
        if not flat:
            raise ValueError("Vocab got no tokens: the corpus is empty. Check that the "
                             "text was loaded and tokenised.")
        reserved = list(reserved)
        if UNK in reserved or len(set(reserved)) != len(reserved):
            raise ValueError(f"reserved tokens must be distinct and must not include "
                             f"{UNK!r} (always index 0), got {reserved}.")
        counts = collections.Counter(flat)  # keeps the order of first appearance
        self.token_freqs: list[tuple[str, int]] = sorted(
            counts.items(), key=lambda item: item[1], reverse=True)
        self.idx_to_token: list[str] = [UNK, *reserved] + [
            token for token, freq in self.token_freqs
            if freq >= min_freq and token != UNK and token not in reserved]
        self.token_to_idx: dict[str, int] = {
            token: idx for idx, token in enumerate(self.idx_to_token)}

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        """Index of one token, or a list of indices for a list or tuple of tokens."""
        if isinstance(tokens, (list, tuple)):
            return [self.token_to_idx.get(token, 0) for token in tokens]
        return self.token_to_idx.get(tokens, 0)

    def to_tokens(self, indices):
        """Token of one index, or a list of tokens for a sequence of indices."""
        if hasattr(indices, "tolist"):
            indices = indices.tolist()
        if isinstance(indices, (list, tuple)):
            return [self._token(int(i)) for i in indices]
        return self._token(int(indices))

    def _token(self, idx: int) -> str:
        if not 0 <= idx < len(self.idx_to_token):
            raise IndexError(f"index {idx} is outside the vocabulary of "
                             f"{len(self.idx_to_token)} tokens.")
        return self.idx_to_token[idx]

    @property
    def unk(self) -> int:
        """Index of the unknown token (always 0)."""
        return 0

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self.idx_to_token[:8])
        more = ", ..." if len(self) > 8 else ""
        return f"Vocab({len(self)} tokens: {head}{more})"


def _nested(tokens) -> bool:
    """Whether ``tokens`` is a sequence of token lists rather than of tokens."""
    first = next(iter(tokens), None)
    return isinstance(first, (list, tuple))


def time_machine(level: str = "char", valid_fraction: float = 0.1
                 ) -> tuple[Vocab, torch.Tensor, torch.Tensor]:
    """The Time Machine as ``(vocab, train, valid)``: one split for every page.

    The text is cleaned with :func:`clean_text` and tokenised at ``level``; the last
    ``valid_fraction`` of the tokens is held out (the end of the book, not a random
    sample: neighbouring tokens would otherwise leak across the split). The
    vocabulary is built from the training part only, so held-out tokens never seen
    in training map to ``<unk>``. ``train`` and ``valid`` are 1-D tensors of indices.
    Every language model of the course is trained on ``train`` and compared by its
    perplexity on ``valid``. Taught in
    :doc:`/auto_tutorials/11_recurrent_networks/03_language_models`.

    Examples
    --------
    >>> vocab, train, valid = time_machine("char")
    >>> len(vocab), round(len(valid) / (len(train) + len(valid)), 2)
    (28, 0.1)
    """
    from handson.data import load_time_machine

    if not 0 < valid_fraction < 1:
        raise ValueError(f"valid_fraction must lie strictly between 0 and 1, got "
                         f"{valid_fraction}.")
    tokens = tokenize(clean_text(load_time_machine()), level)
    cut = round(len(tokens) * (1 - valid_fraction))
    vocab = Vocab(tokens[:cut])
    return (vocab, torch.tensor(vocab[tokens[:cut]]),
            torch.tensor(vocab[tokens[cut:]]))
