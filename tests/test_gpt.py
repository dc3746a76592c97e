"""handson.gpt: causal masking, the key-value cache, sampling and bad input."""

from __future__ import annotations

import pytest
import torch

from handson.gpt import GPT, causal_attention, generate, sample_next
from handson.language_models import evaluate_perplexity, train_language_model
from handson.text import Vocab


def _net(fused: bool = True, max_len: int = 16, seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(vocab_size=12, num_hiddens=16, num_heads=2, num_layers=2,
               max_len=max_len, fused=fused).eval()


def _vocab() -> Vocab:
    return Vocab(list("abcdefghij k"))


def test_future_tokens_do_not_change_earlier_logits():
    net = _net()
    X = torch.randint(12, (3, 10))
    X2 = X.clone()
    X2[:, 6:] = torch.randint(12, (3, 4))  # change positions 6..9 only
    with torch.no_grad():
        a, b = net(X, None)[0], net(X2, None)[0]
    torch.testing.assert_close(a[:, :6], b[:, :6])
    assert not torch.allclose(a[:, 6:], b[:, 6:])


def test_scratch_and_fused_attention_agree():
    scratch, fused = _net(fused=False), _net(fused=True)
    fused.load_state_dict(scratch.state_dict())
    X = torch.randint(12, (2, 16))
    with torch.no_grad():
        torch.testing.assert_close(scratch(X, None)[0], fused(X, None)[0],
                                   atol=1e-5, rtol=1e-5)
    Q, K, V = torch.randn(2, 3, 4, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 8)
    torch.testing.assert_close(causal_attention(Q, K, V, fused=False),
                               causal_attention(Q, K, V, fused=True),
                               atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("fused", [False, True])
def test_cache_gives_the_same_logits_as_the_whole_window(fused):
    net = _net(fused)
    X = torch.randint(12, (2, 12))
    with torch.no_grad():
        full = net(X, None)[0]
        out, cache = net.forward_with_cache(X[:, :5])
        pieces = [out]
        for t in range(5, 12, 3):  # several tokens at a time, then the rest
            out, cache = net.forward_with_cache(X[:, t: t + 3], cache)
            pieces.append(out)
    torch.testing.assert_close(torch.cat(pieces, dim=1), full, atol=1e-5, rtol=1e-5)
    assert cache[0][0].shape[2] == 12


@pytest.mark.parametrize("kwargs", [{}, {"temperature": 1.0},
                                    {"temperature": 0.8, "top_k": 3}])
def test_cache_gives_identical_tokens_also_past_the_position_table(kwargs):
    net, vocab = _net(max_len=16), _vocab()
    texts = [generate(net, vocab, "abc", 40, use_cache=use_cache,
                      generator=torch.Generator().manual_seed(1), **kwargs)
             for use_cache in (True, False)]
    assert texts[0] == texts[1]
    assert texts[0].startswith("abc") and len(texts[0]) >= 43  # <unk> is 5 chars


def test_greedy_limits_of_sampling():
    logits = torch.randn(5, 12)
    greedy = logits.argmax(-1)
    assert torch.equal(sample_next(logits, 0.0), greedy)
    assert torch.equal(sample_next(logits, 1.0, top_k=1), greedy)
    assert torch.equal(sample_next(logits, 1e-4), greedy)  # tiny temperature
    draws = torch.stack([sample_next(logits, 1.0, top_k=3,
                                     generator=torch.Generator().manual_seed(s))
                         for s in range(50)])
    top3 = logits.topk(3, dim=-1).indices
    assert (draws[..., None] == top3).any(-1).all()  # never outside the top 3


def test_trains_with_the_course_loop_and_scores_with_evaluate_perplexity():
    torch.manual_seed(0)
    corpus = torch.tensor([0, 1, 2, 3, 4, 5] * 200)  # a repeating pattern
    net = GPT(vocab_size=6, num_hiddens=16, num_heads=2, num_layers=1, max_len=64)
    history = train_language_model(net, corpus, corpus, torch.optim.Adam(
        net.parameters(), lr=0.01), num_epochs=3, batch_size=8, num_steps=16,
        generator=torch.Generator().manual_seed(0))
    assert history.valid_perplexity[-1] < 1.5
    assert evaluate_perplexity(net, corpus, num_steps=64) < 1.5


def test_errors():
    net, vocab = _net(max_len=16), _vocab()
    with pytest.raises(ValueError, match="position table"):
        net(torch.zeros(1, 17, dtype=torch.long), None)
    with pytest.raises(ValueError, match="position table"):
        evaluate_perplexity(net, torch.arange(12).repeat(200))  # windows of 64 > 16
    _, cache = net.forward_with_cache(torch.zeros(1, 10, dtype=torch.long))
    with pytest.raises(ValueError, match="position table"):
        net.forward_with_cache(torch.zeros(1, 7, dtype=torch.long), cache)
    with pytest.raises(ValueError, match="one \\(K, V\\) pair per layer"):
        net.forward_with_cache(torch.zeros(1, 1, dtype=torch.long), cache[:1])
    with pytest.raises(ValueError, match="no recurrent state"):
        net(torch.zeros(1, 4, dtype=torch.long), torch.zeros(1))
    with pytest.raises(ValueError, match="token indices"):
        net(torch.zeros(1, 4), None)
    with pytest.raises(ValueError, match="divisible"):
        GPT(12, num_hiddens=10, num_heads=3)
    with pytest.raises(ValueError, match="max_len"):
        GPT(12, max_len=0)
    for bad in (-1.0, float("nan"), float("inf"), "hot"):
        with pytest.raises(ValueError, match="temperature"):
            generate(net, vocab, "ab", 3, temperature=bad)
    for bad in (0, 13, 2.5, True):
        with pytest.raises(ValueError, match="top_k"):
            generate(net, vocab, "ab", 3, top_k=bad)
    with pytest.raises(ValueError, match="prefix"):
        generate(net, vocab, "", 3)
    with pytest.raises(ValueError, match="num_chars"):
        generate(net, vocab, "ab", -1)
    with pytest.raises(TypeError, match="forward_with_cache"):
        generate(torch.nn.Linear(2, 2), vocab, "ab", 3)
    with pytest.raises(ValueError, match="at least as many keys"):
        causal_attention(torch.randn(1, 1, 5, 4), torch.randn(1, 1, 3, 4),
                         torch.randn(1, 1, 3, 4))
