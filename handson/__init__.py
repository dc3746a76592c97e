"""handson: the helpers that earlier tutorials of Hands-On Deep Learning built.

Each public object names the tutorial that derives it; the library holds nothing a
page has not taught. Submodules:

* :mod:`handson.data` -- verified, offline-capable loaders for the course's data sets;
* :mod:`handson.quick` -- quick mode for smoke tests (``HANDSON_QUICK=1``);
* :mod:`handson.devices` -- choosing CPU, CUDA or Apple's MPS;
* :mod:`handson.reproducibility` -- one call that seeds every generator;
* :mod:`handson.files` -- checkpoints written atomically;
* :mod:`handson.augmentation` -- batch-wise random flips and crops;
* :mod:`handson.optimization` -- the optimisation chapter's test functions and paths;
* :mod:`handson.classic_cnns`, :mod:`handson.modern_cnns` -- the networks of chapter 09,
  shrunk for Fashion-MNIST, and their costs;
* :mod:`handson.text`, :mod:`handson.sequences`, :mod:`handson.language_models`,
  :mod:`handson.recurrent` -- tokens and vocabularies, subsequence minibatches, the
  language-model loop with perplexity, the recurrent network written by hand;
* :mod:`handson.translation`, :mod:`handson.seq2seq` -- the English-French pipeline,
  the encoder-decoder, its masked loss and training loop, decoding and BLEU;
* :mod:`handson.attention` -- the masked softmax, attention scoring, multi-head
  attention, positional encoding, Bahdanau's decoder and attention heatmaps;
* :mod:`handson.transformer`, :mod:`handson.gpt` -- the Transformer encoder-decoder and
  a small decoder-only GPT with a key-value cache (chapter 13);
* :mod:`handson.distributed`, :mod:`handson.ddp_train` -- data parallelism by hand and
  the script ``torchrun`` launches (chapter 14);
* :mod:`handson.metrics`, :mod:`handson.training`, :mod:`handson.plotting`,
  :mod:`handson.timing` -- accuracy, minibatches and the training loop, image grids,
  a stopwatch.
"""

from __future__ import annotations

from handson.augmentation import Augment
from handson.devices import device
from handson.files import save_atomic
from handson.metrics import accuracy, evaluate_accuracy
from handson.plotting import show_images
from handson.quick import check, epochs, is_quick, shrink
from handson.reproducibility import seed
from handson.timing import Timer
from handson.training import History, batches, train

__all__ = [
    "Augment",
    "History",
    "Timer",
    "accuracy",
    "batches",
    "check",
    "device",
    "epochs",
    "evaluate_accuracy",
    "is_quick",
    "save_atomic",
    "seed",
    "show_images",
    "shrink",
    "train",
]
__version__ = "0.1.0"
