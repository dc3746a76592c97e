"""handson.translation and handson.seq2seq: results and bad input."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from handson.seq2seq import (
    Decoder,
    EncoderDecoder,
    Seq2SeqDecoder,
    Seq2SeqEncoder,
    bleu,
    evaluate_loss,
    greedy_translate,
    masked_cross_entropy,
    train_seq2seq,
)
from handson.translation import (
    BOS,
    EOS,
    PAD,
    pad_or_truncate,
    preprocess,
    tokenize_pairs,
    translation_data,
)

# a toy corpus: numbers and colours, each English sentence with one or two translations
_NUMBERS = [("one", "un"), ("two", "deux"), ("three", "trois"), ("four", "quatre")]
_COLOURS = [("red", "rouge"), ("blue", "bleu"), ("green", "vert")]
TOY = [(f"{n} {c}.", f"{fn} {fc} !") for n, fn in _NUMBERS for c, fc in _COLOURS]
TOY += [("one red.", "un rouge."), ("two blue.", "deux bleus !")]


def toy_data(**kwargs):
    return translation_data(pairs=TOY, **kwargs)


# --- translation: text ------------------------------------------------------------


def test_preprocess_spaces_punctuation_and_lowers():
    assert preprocess("Ça alors\u202f!") == "ça alors !"
    assert preprocess("Hi,\xa0Tom. Go!") == "hi , tom . go !"
    assert preprocess("Wait !") == "wait !"  # no second space


def test_preprocess_rejects_non_strings():
    with pytest.raises(TypeError, match="string"):
        preprocess(["Go."])


def test_tokenize_pairs_splits_both_sides_without_eos():
    src, tgt = tokenize_pairs([("I lost.", "J'ai perdu.")])
    assert src == [["i", "lost", "."]] and tgt == [["j'ai", "perdu", "."]]


def test_tokenize_pairs_rejects_strings_and_bad_pairs():
    with pytest.raises(TypeError, match="got a string"):
        tokenize_pairs("Go.\tVa !")
    with pytest.raises(TypeError, match="pair 1"):
        tokenize_pairs([("Go.", "Va !"), ("Go.",)])
    with pytest.raises(TypeError, match="pair 0"):
        tokenize_pairs([("Go.", 3)])


def test_pad_or_truncate():
    assert pad_or_truncate(["a"], 3) == ["a", PAD, PAD]
    assert pad_or_truncate(list("abcd"), 2) == ["a", "b"]
    assert pad_or_truncate(["a", "b"], 2, pad="_") == ["a", "b"]
    with pytest.raises(TypeError, match="string"):
        pad_or_truncate("abc", 3)
    with pytest.raises(ValueError, match="positive"):
        pad_or_truncate(["a"], 0)


# --- translation: tensors ---------------------------------------------------------


def test_tensors_follow_teacher_forcing_layout():
    data = toy_data(num_steps=5, min_freq=1, num_valid=2)
    assert data.tgt_vocab.idx_to_token[:4] == ["<unk>", PAD, BOS, EOS]
    t = data.train
    assert t.src.shape == t.dec_in.shape == t.tgt.shape == (len(data.train_pairs), 5)
    assert torch.all(t.dec_in[:, 0] == data.tgt_vocab[BOS])
    assert torch.equal(t.dec_in[:, 1:], t.tgt[:, :-1])
    pad = data.tgt_vocab[PAD]
    assert torch.equal(t.tgt_valid_len, (t.tgt != pad).sum(1))
    assert torch.equal(t.src_valid_len, (t.src != data.src_vocab[PAD]).sum(1))
    # e.g. "un rouge ." + <eos> = 4 real tokens, then one <pad>
    for row, (_, french) in enumerate(data.train_pairs):
        words = preprocess(french).split()
        assert data.tgt_vocab.to_tokens(t.tgt[row]) == [*words, EOS, PAD][:5]


def test_truncation_drops_eos_and_caps_valid_len():
    data = toy_data(num_steps=2, min_freq=1, num_valid=2)
    assert int(data.train.src_valid_len.max()) == 2
    assert not torch.any(data.train.tgt == data.tgt_vocab[EOS])


def test_held_out_sources_are_unseen_and_vocab_is_from_train_only():
    data = toy_data(min_freq=1, num_valid=3)
    held_out = {e for e, _ in data.valid_pairs}
    assert len(held_out) == 2  # at most a fifth of the 12 English sentences
    assert not held_out & {e for e, _ in data.train_pairs}
    assert len(data.train_pairs) + len(data.valid_pairs) == len(TOY)
    train_words = {w for _, f in data.train_pairs for w in preprocess(f).split()}
    assert set(data.tgt_vocab.idx_to_token[4:]) == train_words


def test_held_out_sample_ignores_the_seed_offset(monkeypatch):
    first = toy_data(num_valid=3).valid_pairs
    monkeypatch.setenv("HANDSON_SEED_OFFSET", "2")
    torch.manual_seed(123)
    assert toy_data(num_valid=3).valid_pairs == first


def test_translation_data_rejects_bad_settings():
    with pytest.raises(ValueError, match="num_steps"):
        toy_data(num_steps=1)
    with pytest.raises(ValueError, match="min_freq"):
        toy_data(min_freq=-1)
    with pytest.raises(ValueError, match="num_valid"):
        toy_data(num_valid=0)
    with pytest.raises(ValueError, match="too few"):
        translation_data(pairs=TOY[:2])


def test_encode_one_and_many_sentences():
    data = toy_data(num_steps=4, min_freq=1)
    src, valid_len = data.encode("One red.")
    assert src.shape == (1, 4) and valid_len.tolist() == [4]
    assert data.src_vocab.to_tokens(src[0]) == ["one", "red", ".", EOS]
    src, valid_len = data.encode(["red", "zebra red"])
    assert valid_len.tolist() == [2, 3]
    assert int(src[1, 0]) == data.src_vocab.unk
    with pytest.raises(TypeError, match="sentence"):
        data.encode([])
    with pytest.raises(TypeError, match="sentence"):
        data.encode(["go", 3])


def test_real_data_split_and_vocabularies(real_mirror):
    data = translation_data()
    held_out = {e for e, _ in data.valid_pairs}
    assert len(held_out) == 1_000
    assert not held_out & {e for e, _ in data.train_pairs}
    assert 1_000 < len(data.src_vocab) < len(data.tgt_vocab) < 10_000
    assert data.valid.src.shape == (len(data.valid_pairs), 9)


# --- seq2seq: model and loss ------------------------------------------------------


def test_encoder_decoder_shapes_and_state():
    encoder = Seq2SeqEncoder(10, 8, 16, num_layers=2)
    decoder = Seq2SeqDecoder(12, 8, 16, num_layers=2)
    X = torch.randint(0, 10, (4, 7))
    outputs, state = encoder(X)
    assert outputs.shape == (4, 7, 16) and state.shape == (2, 4, 16)
    context, hidden = decoder.init_state((outputs, state))
    torch.testing.assert_close(context, outputs[:, -1])
    logits, (context2, _) = decoder(torch.zeros(4, 3, dtype=torch.long),
                                    (context, hidden))
    assert logits.shape == (4, 3, 12) and context2 is context
    net = EncoderDecoder(encoder, decoder)
    assert net(X, torch.zeros(4, 5, dtype=torch.long)).shape == (4, 5, 12)


def test_decoding_step_by_step_equals_one_call():
    torch.manual_seed(0)
    encoder, decoder = Seq2SeqEncoder(10, 8, 16), Seq2SeqDecoder(12, 8, 16)
    X, Y = torch.randint(0, 10, (3, 6)), torch.randint(0, 12, (3, 5))
    state = decoder.init_state(encoder(X))
    whole, _ = decoder(Y, state)
    steps = []
    for t in range(5):
        logits, state = decoder(Y[:, t: t + 1], state)
        steps.append(logits)
    torch.testing.assert_close(torch.cat(steps, 1), whole, atol=1e-5, rtol=1e-5)


def test_mismatched_encoder_and_decoder_and_bad_inputs():
    encoder, decoder = Seq2SeqEncoder(10, 8, 16), Seq2SeqDecoder(12, 8, 32)
    with pytest.raises(ValueError, match="same num_layers and num_hiddens"):
        decoder.init_state(encoder(torch.zeros(2, 3, dtype=torch.long)))
    with pytest.raises(TypeError, match="outputs, state"):
        decoder.init_state(torch.zeros(1, 2, 32))
    with pytest.raises(ValueError, match="token indices"):
        encoder(torch.zeros(2, 3))


def test_masked_cross_entropy_equals_unpadded_mean():
    torch.manual_seed(0)
    logits, Y = torch.randn(3, 5, 7), torch.randint(0, 7, (3, 5))
    valid_len = torch.tensor([5, 2, 3])
    per_token = torch.cat([
        nn.functional.cross_entropy(logits[i, :n], Y[i, :n], reduction="none")
        for i, n in enumerate(valid_len.tolist())])
    torch.testing.assert_close(masked_cross_entropy(logits, Y, valid_len),
                               per_token.mean())


def test_masked_cross_entropy_rejects_bad_shapes_and_lengths():
    logits, Y = torch.zeros(2, 3, 4), torch.zeros(2, 3, dtype=torch.long)
    with pytest.raises(ValueError, match="logits must have shape"):
        masked_cross_entropy(logits[:, :2], Y, torch.tensor([1, 1]))
    with pytest.raises(ValueError, match="one length per row"):
        masked_cross_entropy(logits, Y, torch.tensor([1, 1, 1]))
    with pytest.raises(ValueError, match="between 0 and num_steps"):
        masked_cross_entropy(logits, Y, torch.tensor([4, 1]))
    with pytest.raises(ValueError, match="no token"):
        masked_cross_entropy(logits, Y, torch.tensor([0, 0]))


# --- seq2seq: training and translation --------------------------------------------


@pytest.fixture
def one_thread():
    """Tiny models train faster on one thread (and much faster on a busy machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _toy_net(data, hidden=32):
    return EncoderDecoder(Seq2SeqEncoder(len(data.src_vocab), 16, hidden),
                          Seq2SeqDecoder(len(data.tgt_vocab), 16, hidden))


def test_training_learns_the_toy_pairs_and_greedy_translates_them(one_thread):
    torch.manual_seed(0)
    data = toy_data(num_steps=5, min_freq=1, num_valid=2)
    net = _toy_net(data)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.02)
    history = train_seq2seq(net, data, optimizer, num_epochs=60, batch_size=8,
                            generator=torch.Generator().manual_seed(0))
    assert len(history.train_loss) == len(history.valid_loss) == 60
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]
    assert evaluate_loss(net, data.train) < 0.2
    unique = [(e, f) for e, f in data.train_pairs
              if sum(e == e2 for e2, _ in data.train_pairs) == 1]
    sources = [e for e, _ in unique]
    one_by_one = [greedy_translate(net, data, e) for e in sources]
    assert one_by_one == [preprocess(f).split() for _, f in unique]
    assert greedy_translate(net, data, sources) == one_by_one  # batched: the same
    assert net.training  # the mode is restored


def test_train_seq2seq_rejects_bad_arguments():
    data = toy_data(min_freq=1)
    net = _toy_net(data)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="TranslationData"):
        train_seq2seq(net, data.train, optimizer, 1, 4)
    with pytest.raises(ValueError, match="num_epochs"):
        train_seq2seq(net, data, optimizer, 0, 4)
    with pytest.raises(ValueError, match="batch_size"):
        train_seq2seq(net, data, optimizer, 1, 0)


class _EosAtStep(Decoder):
    """A fake decoder that emits token 5, then ``<eos>`` from step ``k`` on."""

    def __init__(self, vocab_size, eos, k):
        super().__init__()
        self.vocab_size, self.eos, self.k = vocab_size, eos, k
        self.weight = nn.Parameter(torch.zeros(1))

    def init_state(self, enc_outputs, src_valid_len=None):
        return 0

    def forward(self, X, step):
        logits = torch.zeros(X.shape[0], X.shape[1], self.vocab_size)
        logits[..., self.eos if step + 1 >= self.k else 5] = 1.0
        return logits, step + 1


def test_greedy_translate_stops_at_eos_and_respects_num_steps():
    data = toy_data(min_freq=1)
    eos = data.tgt_vocab[EOS]
    net = EncoderDecoder(Seq2SeqEncoder(len(data.src_vocab), 4, 4),
                         _EosAtStep(len(data.tgt_vocab), eos, k=3))
    word = data.tgt_vocab.to_tokens(5)
    assert greedy_translate(net, data, "one red.") == [word, word]
    assert greedy_translate(net, data, "one red.", num_steps=1) == [word]
    with pytest.raises(ValueError, match="num_steps"):
        greedy_translate(net, data, "one red.", num_steps=0)


# --- BLEU -------------------------------------------------------------------------


def test_bleu_on_d2l_examples():
    label = list("ABCDEF")
    assert bleu(label, label) == 1.0
    assert bleu(list("AB"), label) == pytest.approx(math.exp(1 - 6 / 2))
    # D2L: p1 = 4/5, p2 = 3/4, p3 = 1/3, p4 = 0 for A B B C D against A..F
    pred = list("ABBCD")
    penalty = math.exp(1 - 6 / 5)
    assert bleu(pred, label, k=2) == pytest.approx(penalty * 0.8 ** 0.5 * 0.75 ** 0.25)
    assert bleu(pred, label, k=3) == pytest.approx(
        penalty * 0.8 ** 0.5 * 0.75 ** 0.25 * (1 / 3) ** 0.125)
    assert bleu(pred, label, k=4) == 0.0


def test_bleu_counts_each_label_ngram_once():
    assert bleu(["a", "a", "a"], ["a", "b", "c"], k=1) == pytest.approx((1 / 3) ** 0.5)


def test_bleu_empty_prediction_and_bad_input():
    assert bleu([], ["va", "!"]) == 0.0
    with pytest.raises(TypeError, match="list of token strings"):
        bleu("va !", ["va", "!"])
    with pytest.raises(TypeError, match="label_tokens"):
        bleu(["va"], "va !")
    with pytest.raises(ValueError, match="k must be"):
        bleu(["va"], ["va"], k=0)
