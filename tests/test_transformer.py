"""handson.transformer: shapes, masks, step-by-step decoding, and bad input."""

from __future__ import annotations

import pytest
import torch

from handson.seq2seq import (
    EncoderDecoder,
    Seq2SeqEncoder,
    greedy_translate,
    train_seq2seq,
)
from handson.transformer import (
    AddNorm,
    PositionWiseFFN,
    TransformerDecoder,
    TransformerDecoderBlock,
    TransformerEncoder,
    TransformerEncoderBlock,
    causal_valid_lens,
)
from handson.translation import translation_data


def make_net(src_vocab=10, tgt_vocab=12, num_hiddens=16, num_blks=2, dropout=0.0):
    torch.manual_seed(0)
    return EncoderDecoder(
        TransformerEncoder(src_vocab, num_hiddens, 32, 4, num_blks, dropout),
        TransformerDecoder(tgt_vocab, num_hiddens, 32, 4, num_blks, dropout))


def batch(batch_size=3, src_steps=7, tgt_steps=6):
    g = torch.Generator().manual_seed(1)
    src = torch.randint(0, 10, (batch_size, src_steps), generator=g)
    dec_in = torch.randint(0, 12, (batch_size, tgt_steps), generator=g)
    valid = torch.tensor([7, 2, 5])[:batch_size]
    return src, dec_in, valid


# --- shapes ---------------------------------------------------------------------


def test_ffn_and_add_norm_keep_the_shape_and_normalise_each_position():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(2, 3, 4, generator=generator)
    assert PositionWiseFFN(4, 16)(X).shape == (2, 3, 4)
    assert PositionWiseFFN(4, 16, 8)(X).shape == (2, 3, 8)
    Z = X + torch.randn(2, 3, 4, generator=generator)
    out = AddNorm(4)(X, Z - X)
    torch.testing.assert_close(out.mean(-1), torch.zeros(2, 3), atol=1e-6, rtol=0)
    # layer norm divides by sqrt(var + eps): the variance is var / (var + eps)
    var = Z.var(-1, unbiased=False)
    torch.testing.assert_close(out.var(-1, unbiased=False), var / (var + 1e-5),
                               atol=1e-5, rtol=0)


def test_ffn_is_position_wise():
    ffn = PositionWiseFFN(4, 16)
    X = torch.randn(2, 5, 4)
    for t in range(5):
        torch.testing.assert_close(ffn(X)[:, t], ffn(X[:, t]))


def test_blocks_encoder_and_decoder_shapes():
    X = torch.randn(2, 9, 24)
    assert TransformerEncoderBlock(24, 48, 8)(X, torch.tensor([3, 9])).shape == X.shape
    Y, cache = TransformerDecoderBlock(24, 48, 8)(torch.randn(2, 4, 24), X,
                                                 torch.tensor([3, 9]))
    assert Y.shape == (2, 4, 24) and cache.shape == (2, 4, 24)
    net = make_net()
    src, dec_in, valid = batch()
    assert net(src, dec_in, valid).shape == (3, 6, 12)
    assert [tuple(w.shape) for w in net.encoder.attention_weights] == [(3, 4, 7, 7)] * 2
    assert [tuple(w.shape) for w in net.decoder.self_attention_weights] == \
        [(3, 4, 6, 6)] * 2
    assert [tuple(w.shape) for w in net.decoder.cross_attention_weights] == \
        [(3, 4, 6, 7)] * 2


def test_causal_valid_lens():
    assert causal_valid_lens(2, 3).tolist() == [[1, 2, 3], [1, 2, 3]]
    assert causal_valid_lens(1, 2, start=3).tolist() == [[4, 5]]


# --- step by step equals teacher forcing ------------------------------------------


@pytest.mark.parametrize("num_blks", [1, 3])
def test_decoding_one_step_at_a_time_gives_the_teacher_forced_logits(num_blks):
    net = make_net(num_blks=num_blks).eval()
    src, dec_in, valid = batch()
    with torch.no_grad():
        enc = net.encoder(src, valid)
        whole, _ = net.decoder(dec_in, net.decoder.init_state(enc, valid))
        whole_self = net.decoder.self_attention_weights
        state = net.decoder.init_state(enc, valid)
        steps, self_rows = [], []
        for t in range(dec_in.shape[1]):
            logits, state = net.decoder(dec_in[:, t: t + 1], state)
            steps.append(logits)
            self_rows.append(net.decoder.self_attention_weights[-1])
        # two steps at once, then the rest: the same again
        state = net.decoder.init_state(enc, valid)
        first, state = net.decoder(dec_in[:, :2], state)
        rest, state = net.decoder(dec_in[:, 2:], state)
    torch.testing.assert_close(torch.cat(steps, 1), whole, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(torch.cat([first, rest], 1), whole, atol=1e-5, rtol=1e-5)
    assert state[2][0].shape == (3, 6, 16)
    for t, row in enumerate(self_rows):      # step t's query against keys 0 .. t
        torch.testing.assert_close(row[:, :, 0], whole_self[-1][:, :, t, : t + 1],
                                   atol=1e-5, rtol=1e-5)


def test_each_step_needs_its_own_position():
    """Reading a token at position 3 is not the same as reading it at position 0."""
    net = make_net().eval()
    src, dec_in, valid = batch()
    with torch.no_grad():
        state = net.decoder.init_state(net.encoder(src, valid), valid)
        _, state = net.decoder(dec_in[:, :3], state)
        at_3, _ = net.decoder(dec_in[:, 3:4], state)
        net.decoder.pos_encoding.P[:, 3] = net.decoder.pos_encoding.P[:, 0]
        as_if_0, _ = net.decoder(dec_in[:, 3:4], state)
    assert not torch.allclose(at_3, as_if_0, atol=1e-3)


def test_a_call_does_not_change_the_state_it_was_given():
    net = make_net().eval()
    src, dec_in, valid = batch()
    with torch.no_grad():
        state = net.decoder.init_state(net.encoder(src, valid), valid)
        a, _ = net.decoder(dec_in[:, :1], state)
        b, _ = net.decoder(dec_in[:, :1], state)
    torch.testing.assert_close(a, b)
    assert state[2] == (None, None)


# --- masks ----------------------------------------------------------------------


@pytest.mark.parametrize("train_mode", [False, True])
def test_a_future_target_token_does_not_change_earlier_logits(train_mode):
    net = make_net().train(train_mode)      # dropout 0: the mode changes nothing else
    src, dec_in, valid = batch()
    changed = dec_in.clone()
    changed[:, 3] = (changed[:, 3] + 1) % 12
    with torch.no_grad():
        a, b = net(src, dec_in, valid), net(src, changed, valid)
    torch.testing.assert_close(a[:, :3], b[:, :3], atol=1e-6, rtol=1e-6)
    assert (a[:, 3:] - b[:, 3:]).abs().amax() > 1e-3
    for w in net.decoder.self_attention_weights:
        assert (w.triu(diagonal=1) == 0).all()


def test_source_padding_changes_nothing_and_gets_no_weight():
    net = make_net().eval()
    src, dec_in, valid = batch()
    other = src.clone()
    other[1, 2:] = (other[1, 2:] + 3) % 10           # row 1 has valid length 2
    with torch.no_grad():
        a, b = net(src, dec_in, valid), net(other, dec_in, valid)
        enc_a, enc_b = net.encoder(src, valid), net.encoder(other, valid)
    torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(enc_a[1, :2], enc_b[1, :2], atol=1e-6, rtol=1e-6)
    for w in net.encoder.attention_weights:
        assert (w[1, :, :, 2:] == 0).all()
    for w in net.decoder.cross_attention_weights:
        assert (w[1, :, :, 2:] == 0).all()


# --- with the seq2seq tools -------------------------------------------------------

TOY = [(f"{n} {c}.", f"{fn} {fc} !") for n, fn in
       [("one", "un"), ("two", "deux"), ("three", "trois"), ("four", "quatre")]
       for c, fc in [("red", "rouge"), ("blue", "bleu"), ("green", "vert")]]


def test_train_seq2seq_and_greedy_translate_work_unchanged():
    data = translation_data(pairs=TOY, num_steps=5, min_freq=1, num_valid=2)
    torch.manual_seed(0)
    net = EncoderDecoder(
        TransformerEncoder(len(data.src_vocab), 16, 32, 2, 1),
        TransformerDecoder(len(data.tgt_vocab), 16, 32, 2, 1))
    history = train_seq2seq(net, data, torch.optim.Adam(net.parameters(), lr=0.01),
                            40, batch_size=4, generator=torch.Generator().manual_seed(0))
    assert history.train_loss[-1] < 0.3 * history.train_loss[0]
    english = [e for e, _ in data.train_pairs[:4]]
    out = greedy_translate(net, data, english)
    assert len(out) == 4 and all(isinstance(t, str) for row in out for t in row)
    assert greedy_translate(net, data, english[0]) == out[0]


# --- bad input --------------------------------------------------------------------


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="multiple of num_heads"):
        TransformerEncoderBlock(10, 20, 4)
    with pytest.raises(ValueError, match="num_blks must be a positive integer"):
        TransformerDecoder(10, 16, 32, 4, 0)
    with pytest.raises(ValueError, match="ffn_num_hiddens"):
        PositionWiseFFN(4, 0)
    with pytest.raises(ValueError, match="start must be at least 0"):
        causal_valid_lens(1, 2, start=-1)


def test_bad_tensors_get_clear_errors():
    net = make_net()
    src, dec_in, valid = batch()
    with pytest.raises(ValueError, match="token indices"):
        net.encoder(src.float(), valid)
    with pytest.raises(ValueError, match="features in its last axis"):
        PositionWiseFFN(4, 8)(torch.ones(2, 3, 5))
    with pytest.raises(ValueError, match="one shape"):
        AddNorm(4)(torch.ones(2, 3, 4), torch.ones(2, 1, 4))
    enc = net.encoder(src, valid)
    with pytest.raises(TypeError, match="RNN encoder"):
        net.decoder.init_state(Seq2SeqEncoder(10, 8, 16)(src), valid)
    with pytest.raises(ValueError, match=r"enc_outputs must have shape \(batch, steps, 16\)"):
        net.decoder.init_state(enc[..., :8], valid)
    state = net.decoder.init_state(enc, valid)
    with pytest.raises(ValueError, match="token indices"):
        net.decoder(dec_in[:, 0], state)
    with pytest.raises(TypeError, match="state must be"):
        net.decoder(dec_in, state[:2])
    _, state = net.decoder(dec_in[:, :2], state)
    other = (enc[:2], valid[:2], state[2])
    with pytest.raises(ValueError, match="the cache holds 3 sequences but X 2"):
        net.decoder(dec_in[:2, :1], other)
    with pytest.raises(ValueError, match="between 1 and the number of keys"):
        net(src, dec_in, torch.tensor([7, 8, 2]))
    with pytest.raises(ValueError, match="max_len"):
        TransformerEncoder(10, 16, 32, 4, 1, max_len=5)(src, valid)
