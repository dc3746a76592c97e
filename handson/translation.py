"""English-French sentence pairs as padded tensors for sequence-to-sequence models.

Taught in
:doc:`/auto_tutorials/12_modern_recurrent_networks/04_machine_translation_data`. The
pipeline is D2L's (section "Machine Translation and the Dataset"): preprocess the
text, split it into words and punctuation marks, build one vocabulary per language
(words seen fewer than ``min_freq`` times become ``<unk>``), then cut or pad every
sentence to ``num_steps`` tokens and record how many of them are real.

Two choices differ from D2L and are explained on that page: the vocabularies are built
from the training pairs only, and the held-out pairs are a fixed random sample of
English sentences (all translations of a held-out sentence are held out together), not
the pairs that follow the training pairs in a file sorted by length.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import torch

from handson.text import Vocab

__all__ = ["BOS", "EOS", "PAD", "Seq2SeqTensors", "TranslationData", "pad_or_truncate",
           "preprocess", "tokenize_pairs", "translation_data"]

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"
HOLD_OUT_SEED = 2_024
"""The seed of the held-out sample: fixed, so that every run and every seed offset
measures on the same sentences."""


def preprocess(text: str) -> str:
    """D2L's cleaning of a sentence: lower case, plain spaces, spaced punctuation.

    Every letter is lower-cased and a space is put before ``,``, ``.``, ``!`` and
    ``?`` so that they become tokens. Non-breaking spaces (French typography puts a
    narrow one before ``!`` and ``?``) become ordinary spaces, so that splitting at
    spaces separates punctuation marks from words. Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/04_machine_translation_data`.

    Examples
    --------
    >>> preprocess("Cours\\u202f!")
    'cours !'
    >>> preprocess("Hi, Tom. Go!")
    'hi , tom . go !'
    """
    if not isinstance(text, str):
        raise TypeError(f"preprocess expects a string, got {type(text).__name__}.")
    text = text.replace("\u202f", " ").replace("\xa0", " ").lower()
    return "".join(" " + char if i > 0 and char in ",.!?" and text[i - 1] != " "
                   else char for i, char in enumerate(text))


def tokenize_pairs(pairs: Sequence[tuple[str, str]]
                   ) -> tuple[list[list[str]], list[list[str]]]:
    """Preprocess and split each ``(source, target)`` pair into word lists.

    Returns ``(src, tgt)``: ``src[i]`` and ``tgt[i]`` are the tokens (words and
    punctuation marks) of pair ``i``, without ``<eos>`` (it is appended when the
    tensors are built). Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/04_machine_translation_data`.

    Examples
    --------
    >>> tokenize_pairs([("Go.", "Va !"), ("I lost.", "J'ai perdu.")])
    ([['go', '.'], ['i', 'lost', '.']], [['va', '!'], ["j'ai", 'perdu', '.']])
    """
    if isinstance(pairs, str):
        raise TypeError("tokenize_pairs expects a list of (source, target) pairs, got "
                        "a string.")
    src, tgt = [], []
    for i, pair in enumerate(pairs):
        if (not isinstance(pair, (tuple, list)) or len(pair) != 2
                or not all(isinstance(s, str) for s in pair)):
            raise TypeError(f"pair {i} is not a (source, target) pair of strings: "
                            f"{pair!r}.")
        src.append(preprocess(pair[0]).split())
        tgt.append(preprocess(pair[1]).split())
    return src, tgt


def pad_or_truncate(tokens: Sequence[str], num_steps: int, pad: str = PAD) -> list[str]:
    """``tokens`` cut to ``num_steps`` tokens or padded with ``pad`` up to that length.

    Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/04_machine_translation_data`.

    Examples
    --------
    >>> pad_or_truncate(["go", ".", "<eos>"], 5)
    ['go', '.', '<eos>', '<pad>', '<pad>']
    >>> pad_or_truncate(list("abcdef"), 4)
    ['a', 'b', 'c', 'd']
    """
    if isinstance(tokens, str):
        raise TypeError("pad_or_truncate expects a list of tokens, got a string: split "
                        "it first.")
    if not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"num_steps must be a positive integer, got {num_steps!r}.")
    tokens = list(tokens)
    return tokens[:num_steps] + [pad] * (num_steps - len(tokens))


class Seq2SeqTensors(NamedTuple):
    """The five aligned tensors of a split; row ``i`` is pair ``i``.

    ``src`` (pairs, num_steps): source indices, ``<eos>`` then ``<pad>`` at the end;
    ``dec_in`` (pairs, num_steps): the decoder input, ``<bos>`` followed by ``tgt``
    without its last position (teacher forcing); ``tgt`` (pairs, num_steps): the
    labels, the target sentence with ``<eos>``, padded; ``src_valid_len`` and
    ``tgt_valid_len`` (pairs,): the number of real (non-padding) tokens of ``src`` and
    ``tgt``. Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/04_machine_translation_data`.
    """

    src: torch.Tensor
    dec_in: torch.Tensor
    tgt: torch.Tensor
    src_valid_len: torch.Tensor
    tgt_valid_len: torch.Tensor


def _encode_side(sentences: list[list[str]], vocab: Vocab, num_steps: int
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    rows = [pad_or_truncate([*s, EOS], num_steps) for s in sentences]
    X = torch.tensor([vocab[row] for row in rows], dtype=torch.long)
    valid_len = torch.tensor([min(len(s) + 1, num_steps) for s in sentences])
    return X, valid_len


def _tensors(src: list[list[str]], tgt: list[list[str]], src_vocab: Vocab,
             tgt_vocab: Vocab, num_steps: int) -> Seq2SeqTensors:
    X, src_valid_len = _encode_side(src, src_vocab, num_steps)
    Y, tgt_valid_len = _encode_side(tgt, tgt_vocab, num_steps)
    bos = torch.full((len(Y), 1), tgt_vocab[BOS], dtype=torch.long)
    return Seq2SeqTensors(X, torch.cat([bos, Y[:, :-1]], dim=1), Y, src_valid_len,
                          tgt_valid_len)


@dataclass
class TranslationData:
    """The English-French data of the course, ready for a sequence-to-sequence model.

    Built by :func:`translation_data`. Attributes: ``src_vocab`` and ``tgt_vocab``
    (index 0 ``<unk>``, then ``<pad>``, ``<bos>``, ``<eos>``; built from the training
    pairs only), ``num_steps``, ``train`` and ``valid`` (:class:`Seq2SeqTensors`), and
    the raw ``train_pairs`` and ``valid_pairs`` as ``(english, french)`` strings in
    the row order of the tensors. Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/04_machine_translation_data`.
    """

    src_vocab: Vocab
    tgt_vocab: Vocab
    num_steps: int
    train: Seq2SeqTensors
    valid: Seq2SeqTensors
    train_pairs: list[tuple[str, str]]
    valid_pairs: list[tuple[str, str]]

    def encode(self, sentences: str | Sequence[str]
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """Source sentence(s) as ``(src, src_valid_len)``, shapes ``(n, num_steps)``
        and ``(n,)``: preprocessed, split, ``<eos>`` appended, cut or padded.

        One string gives ``n = 1``; a list of strings gives one row each.
        """
        if isinstance(sentences, str):
            sentences = [sentences]
        if not sentences or not all(isinstance(s, str) for s in sentences):
            raise TypeError(f"encode expects a sentence or a non-empty list of "
                            f"sentences (strings), got {sentences!r}.")
        return _encode_side([preprocess(s).split() for s in sentences],
                            self.src_vocab, self.num_steps)


def translation_data(num_steps: int = 9, min_freq: int = 2, num_valid: int = 1_000, *,
                     pairs: Sequence[tuple[str, str]] | None = None
                     ) -> TranslationData:
    """English-French pairs from :func:`handson.data.load_fra_eng` as tensors.

    ``num_valid`` distinct English sentences, drawn at random with a fixed seed, are
    held out together with all their French translations, so no held-out source
    sentence is ever seen in training (the file is sorted shortest first, so the
    tail would be a biased test set). The sample does not change with
    ``HANDSON_SEED_OFFSET``. At most a fifth of the English sentences are held out
    (this matters in quick mode, which loads fewer pairs). ``pairs`` replaces the
    course's data by your own ``(source, target)`` pairs. The vocabularies count the
    training pairs only, keeping tokens seen at least ``min_freq`` times. Taught in
    :doc:`/auto_tutorials/12_modern_recurrent_networks/04_machine_translation_data`.

    Examples
    --------
    >>> data = translation_data()
    >>> data.src_vocab.idx_to_token[:4]
    ['<unk>', '<pad>', '<bos>', '<eos>']
    >>> data.train.src.shape[1] == data.num_steps == 9
    True
    """
    from handson.data import load_fra_eng

    if not isinstance(num_steps, int) or num_steps < 2:
        raise ValueError(f"num_steps must be an integer of at least 2, got "
                         f"{num_steps!r}.")
    if not isinstance(min_freq, int) or min_freq < 0:
        raise ValueError(f"min_freq must be a non-negative integer, got {min_freq!r}.")
    if not isinstance(num_valid, int) or num_valid < 1:
        raise ValueError(f"num_valid must be a positive integer, got {num_valid!r}.")
    pairs = load_fra_eng() if pairs is None else list(pairs)
    english = sorted({e for e, _ in pairs})
    num_valid = min(num_valid, len(english) // 5)
    if num_valid < 1:
        raise ValueError(f"{len(english)} distinct source sentences are too few to "
                         f"hold out a fifth of them; give at least 5.")
    held_out = set(random.Random(HOLD_OUT_SEED).sample(english, num_valid))
    train_pairs = [p for p in pairs if p[0] not in held_out]
    valid_pairs = [p for p in pairs if p[0] in held_out]
    train_src, train_tgt = tokenize_pairs(train_pairs)
    valid_src, valid_tgt = tokenize_pairs(valid_pairs)
    src_vocab = Vocab(train_src, min_freq=min_freq, reserved=[PAD, BOS, EOS])
    tgt_vocab = Vocab(train_tgt, min_freq=min_freq, reserved=[PAD, BOS, EOS])
    return TranslationData(
        src_vocab, tgt_vocab, num_steps,
        _tensors(train_src, train_tgt, src_vocab, tgt_vocab, num_steps),
        _tensors(valid_src, valid_tgt, src_vocab, tgt_vocab, num_steps),
        train_pairs, valid_pairs)
