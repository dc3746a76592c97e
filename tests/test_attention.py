"""handson.attention: results against references, and bad input."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from handson.attention import (
    AdditiveAttention,
    DotProductAttention,
    MultiHeadAttention,
    PositionalEncoding,
    Seq2SeqAttentionDecoder,
    masked_softmax,
    show_heatmaps,
)
from handson.seq2seq import EncoderDecoder, Seq2SeqEncoder


def test_masked_softmax_equals_softmax_of_each_valid_prefix():
    torch.manual_seed(0)
    scores = torch.randn(3, 4, 6)
    lens = torch.tensor([[1, 6, 3, 2], [6, 6, 6, 6], [2, 5, 4, 1]])
    out = masked_softmax(scores, lens)
    for b in range(3):
        for q in range(4):
            n = int(lens[b, q])
            torch.testing.assert_close(out[b, q, :n], torch.softmax(scores[b, q, :n], 0))
            assert (out[b, q, n:] == 0).all()


def test_masked_softmax_one_length_per_example_broadcasts_over_heads():
    scores = torch.randn(2, 3, 4, 5)                     # (batch, heads, q, k)
    out = masked_softmax(scores, torch.tensor([2, 5]))
    assert (out[0, ..., 2:] == 0).all() and (out[1] > 0).all()
    torch.testing.assert_close(out.sum(-1), torch.ones(2, 3, 4))
    torch.testing.assert_close(masked_softmax(scores), torch.softmax(scores, -1))


@pytest.mark.parametrize("lens, message", [
    (torch.tensor([3, 7]), "between 1 and the number of keys, 5"),
    (torch.tensor([0, 2]), "between 1 and the number of keys"),
    (torch.tensor([1, 2, 3]), "valid_lens must have shape"),
    (torch.ones(2, 2, dtype=torch.long), "valid_lens must have shape"),
    (torch.tensor([1.0, 2.0]), "integers"),
])
def test_masked_softmax_rejects_bad_lengths(lens, message):
    with pytest.raises((ValueError, TypeError), match=message):
        masked_softmax(torch.randn(2, 4, 5), lens)


def test_dot_product_attention_equals_fused_kernel_with_the_same_mask():
    torch.manual_seed(1)
    q, k, v = torch.randn(2, 3, 8), torch.randn(2, 6, 8), torch.randn(2, 6, 4)
    lens = torch.tensor([4, 6])
    mask = torch.arange(6)[None, None, :] < lens[:, None, None]
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(DotProductAttention()(q, k, v, lens), expected)


def test_attention_rejects_mismatched_widths_and_counts():
    with pytest.raises(ValueError, match="same number of items"):
        DotProductAttention()(torch.ones(1, 2, 4), torch.ones(1, 3, 4), torch.ones(1, 2, 4))
    with pytest.raises(ValueError, match="one width"):
        DotProductAttention()(torch.ones(1, 2, 4), torch.ones(1, 3, 5), torch.ones(1, 3, 4))
    with pytest.raises(ValueError, match="built for 3"):
        AdditiveAttention(3, 4, 8)(torch.ones(1, 2, 4), torch.ones(1, 5, 2),
                                   torch.ones(1, 5, 2))


def test_additive_attention_ignores_masked_keys():
    torch.manual_seed(2)
    attention = AdditiveAttention(2, 5, 8)
    q, k, v = torch.randn(1, 2, 5), torch.randn(1, 6, 2), torch.randn(1, 6, 3)
    out = attention(q, k, v, torch.tensor([3]))
    k2, v2 = k.clone(), v.clone()
    k2[:, 3:], v2[:, 3:] = 100.0, -100.0                # change only the masked keys
    torch.testing.assert_close(attention(q, k2, v2, torch.tensor([3])), out)


def test_multi_head_attention_equals_torch_with_copied_weights():
    torch.manual_seed(3)
    ours = MultiHeadAttention(16, 4, bias=True).eval()
    ref = nn.MultiheadAttention(16, 4, batch_first=True).eval()
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.W_q.weight, ours.W_k.weight,
                                            ours.W_v.weight]))
        ref.in_proj_bias.copy_(torch.cat([ours.W_q.bias, ours.W_k.bias, ours.W_v.bias]))
        ref.out_proj.weight.copy_(ours.W_o.weight)
        ref.out_proj.bias.copy_(ours.W_o.bias)
    X, Y = torch.randn(3, 5, 16), torch.randn(3, 7, 16)
    lens = torch.tensor([2, 7, 4])
    out = ours(X, Y, Y, lens)
    expected, weights = ref(X, Y, Y, key_padding_mask=torch.arange(7)[None] >= lens[:, None],
                            average_attn_weights=False)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(ours.attention_weights, weights, atol=1e-5, rtol=1e-5)


def test_multi_head_attention_rejects_bad_sizes():
    with pytest.raises(ValueError, match="multiple of num_heads"):
        MultiHeadAttention(10, 4)
    with pytest.raises(ValueError, match=r"\(batch, n, 8\)"):
        MultiHeadAttention(8, 2)(torch.ones(2, 3, 6), torch.ones(2, 3, 8),
                                 torch.ones(2, 3, 8))


def test_positional_encoding_values_and_start():
    encoding = PositionalEncoding(6, max_len=20)
    X = torch.zeros(1, 20, 6)
    P = encoding(X)[0]
    i, j = 7, 1                                           # position 7, pair 1
    angle = torch.tensor(i / 10000 ** (2 * j / 6))
    torch.testing.assert_close(P[i, 2 * j], torch.sin(angle))
    torch.testing.assert_close(P[i, 2 * j + 1], torch.cos(angle))
    torch.testing.assert_close(encoding(torch.zeros(1, 3, 6), start=5)[0], P[5:8])
    with pytest.raises(ValueError, match="larger max_len"):
        encoding(torch.zeros(1, 4, 6), start=18)
    with pytest.raises(ValueError, match="even"):
        PositionalEncoding(5)


def test_bahdanau_decoder_step_by_step_equals_teacher_forcing():
    torch.manual_seed(4)
    net = EncoderDecoder(Seq2SeqEncoder(10, 8, 16, num_layers=2),
                         Seq2SeqAttentionDecoder(12, 8, 16, num_layers=2)).eval()
    src, dec_in = torch.randint(0, 10, (3, 7)), torch.randint(0, 12, (3, 5))
    lens = torch.tensor([7, 3, 5])
    full = net(src, dec_in, lens)
    weights = net.decoder.attention_weights
    assert weights.shape == (3, 5, 7) and (weights[1, :, 3:] == 0).all()
    state = net.decoder.init_state(net.encoder(src, lens), lens)
    steps = []
    for t in range(5):
        logits, state = net.decoder(dec_in[:, t: t + 1], state)
        steps.append(logits)
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=1e-5, rtol=1e-5)


def test_bahdanau_decoder_rejects_a_mismatched_encoder():
    decoder = Seq2SeqAttentionDecoder(12, 8, 16, num_layers=2)
    with pytest.raises(ValueError, match="same num_layers and num_hiddens"):
        decoder.init_state(Seq2SeqEncoder(10, 8, 16)(torch.zeros(2, 4, dtype=torch.long)))


def test_show_heatmaps_draws_one_axis_per_matrix():
    fig = show_heatmaps(torch.rand(2, 3, 4, 5), "keys", "queries", titles=["a", "b", "c"])
    assert len([ax for ax in fig.axes if ax.images]) == 6
    with pytest.raises(ValueError, match="weights\\[None, None\\]"):
        show_heatmaps(torch.rand(4, 5), "keys", "queries")
