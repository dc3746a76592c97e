"""handson.text, handson.sequences and handson.language_models: results and bad input."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from handson.language_models import (
    clip_gradients,
    detach_state,
    evaluate_perplexity,
    generate,
    train_language_model,
)
from handson.sequences import random_batches, sequential_batches
from handson.text import Vocab, clean_text, tokenize

# --- text -------------------------------------------------------------------------


def test_vocab_orders_by_frequency_after_unk_and_reserved():
    vocab = Vocab(list("banana bandana"), reserved=["<pad>", "<eos>"])
    assert vocab.idx_to_token[:3] == ["<unk>", "<pad>", "<eos>"]
    assert vocab.idx_to_token[3] == "a"  # the most frequent letter
    assert vocab.to_tokens(vocab[list("band")]) == list("band")
    assert vocab["q"] == vocab.unk == 0


def test_vocab_min_freq_maps_rare_tokens_to_unk():
    vocab = Vocab("the cat the dog the end".split(), min_freq=2)
    assert vocab.idx_to_token == ["<unk>", "the"]
    assert vocab[["the", "cat"]] == [1, 0]


def test_vocab_accepts_token_lists_per_line():
    assert len(Vocab([["a", "b"], ["b", "c"]])) == 4


def test_vocab_rejects_empty_corpus_and_strings():
    with pytest.raises(ValueError, match="empty"):
        Vocab([])
    with pytest.raises(TypeError, match="got a string"):
        Vocab("abc")
    with pytest.raises(ValueError, match="distinct"):
        Vocab(["a"], reserved=["<pad>", "<pad>"])


def test_to_tokens_rejects_out_of_range_index():
    with pytest.raises(IndexError, match="outside the vocabulary"):
        Vocab(["a"]).to_tokens(5)


def test_tokenize_rejects_a_token_list_with_a_hint():
    with pytest.raises(TypeError, match="tokens already"):
        tokenize(["the", "time"], "word")
    with pytest.raises(ValueError, match="'char' or 'word'"):
        tokenize("the time", "sentence")


def test_clean_text_keeps_letters_and_single_spaces():
    assert clean_text("It's 1898!\nThe end.") == "it s the end "


# --- minibatches ------------------------------------------------------------------


@pytest.mark.parametrize("make", [random_batches, sequential_batches])
def test_targets_are_inputs_shifted_by_one(make):
    corpus = torch.arange(1000)
    g = torch.Generator().manual_seed(1)
    pairs = list(make(corpus, 4, 7, generator=g))
    assert pairs and all(X.shape == (4, 7) for X, _ in pairs)
    assert all(torch.equal(Y, X + 1) for X, Y in pairs)


def test_random_batches_do_not_overlap_and_cover_the_corpus():
    corpus = torch.arange(1000)
    X = torch.cat([X for X, _ in random_batches(corpus, 5, 10)])
    assert len(torch.unique(X)) == X.numel()  # each token at most once per epoch
    assert X.numel() >= 1000 - 10 - 5 * 10  # offset and the incomplete batch only


def test_sequential_batches_continue_each_row():
    corpus = torch.arange(1000)
    batches = list(sequential_batches(corpus, 4, 6))
    for (X1, _), (X2, _) in zip(batches, batches[1:]):
        assert torch.equal(X2[:, 0], X1[:, -1] + 1)


def test_batch_too_long_for_the_corpus_is_refused():
    with pytest.raises(ValueError, match="too short"):
        next(random_batches(torch.arange(50), 8, 8))
    with pytest.raises(ValueError, match="too short"):
        next(sequential_batches(torch.arange(50), 8, 8))


def test_corpus_must_be_indices():
    with pytest.raises(TypeError, match="Vocab"):
        next(random_batches("the time machine", 2, 2))
    with pytest.raises(ValueError, match="integer"):
        next(random_batches(torch.rand(100), 2, 2))


# --- language models --------------------------------------------------------------


class _TinyLM(nn.Module):
    """An embedding, a GRU and a linear head, following the course's convention."""

    def __init__(self, vocab_size: int, hidden: int = 32):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, hidden)
        self.rnn = nn.GRU(hidden, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, X, state=None):
        out, state = self.rnn(self.embed(X), state)
        return self.head(out), state


def test_clip_gradients_matches_torch():
    torch.manual_seed(0)
    a, b = nn.Linear(5, 3), nn.Linear(5, 3)
    b.load_state_dict(a.state_dict())
    (a(torch.randn(8, 5)) ** 2).sum().backward()
    for p, q in zip(a.parameters(), b.parameters()):
        q.grad = p.grad.clone()
    norm = clip_gradients(a, 0.1)
    expected = torch.nn.utils.clip_grad_norm_(b.parameters(), 0.1)
    assert norm == pytest.approx(float(expected), rel=1e-5)
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p.grad, q.grad)
    with pytest.raises(ValueError, match="positive"):
        clip_gradients(a, 0)


def test_detach_state_handles_tuples_and_rejects_other_types():
    h = torch.ones(2, requires_grad=True) * 2
    h2, c2 = detach_state((h, h))
    assert not h2.requires_grad and not c2.requires_grad
    with pytest.raises(TypeError, match="state"):
        detach_state({"h": h})


def test_training_lowers_perplexity_below_the_uniform_model():
    torch.manual_seed(0)
    text = "abcab" * 200
    vocab = Vocab(list(text))
    corpus = torch.tensor(vocab[list(text)])
    net = _TinyLM(len(vocab))
    before = evaluate_perplexity(net, corpus, 10, 4)
    history = train_language_model(net, corpus, corpus,
                                   torch.optim.Adam(net.parameters(), lr=0.02),
                                   num_epochs=5, batch_size=8, num_steps=10,
                                   sequential=True)
    assert before > 2.5  # near uniform over 4 tokens at the start
    assert history.valid_perplexity[-1] < 1.3  # the pattern is deterministic
    assert len(history.grad_norms) > 0 and all(math.isfinite(n) for n in history.grad_norms)
    assert generate(net, vocab, "abc", 5) == "abcababc"  # "abcab" repeated


def test_generate_and_perplexity_reject_bad_input():
    vocab = Vocab(list("abc"))
    net = _TinyLM(len(vocab))
    with pytest.raises(ValueError, match="non-empty string"):
        generate(net, vocab, "", 3)
    with pytest.raises(ValueError, match="non-empty string"):
        generate(net, vocab, ["a"], 3)
    with pytest.raises(ValueError, match="too short"):
        evaluate_perplexity(net, torch.tensor([1, 2]), 4, 8)


def test_model_with_wrong_logit_shape_gets_a_clear_error():
    class Flat(_TinyLM):
        def forward(self, X, state=None):
            logits, state = super().forward(X, state)
            return logits.reshape(-1, logits.shape[-1]), state

    vocab = Vocab(list("abcabc" * 20))
    corpus = torch.tensor(vocab[list("abcabc" * 20)])
    with pytest.raises(ValueError, match="batch, num_steps, vocab_size"):
        evaluate_perplexity(Flat(len(vocab)), corpus, 5, 2)
