"""What each data set is made of: files, where they come from, and their SHA-256 digests.

The digests pin the exact bytes a loader will parse. For gzip files the digest is of
the *decompressed* payload: the offline mirror and Debian ship re-compressed ``.gz``
files whose compressed bytes differ from upstream's while the IDX content is
identical, so hashing the payload accepts every faithful copy and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REGISTRY", "Dataset", "Derivation", "FileSpec", "get"]


@dataclass(frozen=True)
class Derivation:
    """How to make a file from a member of another data set's verified archive.

    Used when no cache, mirror or system folder holds the file and it has no upstream
    copy of its own: the archive is fetched and verified, the member read, cut to its
    first ``length`` bytes, and the result verified against the file's own digest.
    """

    dataset: str
    archive: str
    member: str
    length: int | None = None


@dataclass(frozen=True)
class FileSpec:
    """One file of a data set.

    Parameters
    ----------
    name
        File name, as upstream and the mirror name it.
    sha256
        Hex digest of the file, or of its decompressed payload when ``gunzip`` is true:
        SHA-256 unless ``algorithm`` names another (a source that only publishes SHA-1).
    url
        Upstream address, or ``None`` when the file exists only in our mirror.
    gunzip
        Hash (and later parse) the gzip-decompressed content rather than the raw bytes.
    size
        Expected size in bytes of the stored file when known (a cheap first check).
    algorithm
        The :mod:`hashlib` name of the digest, ``sha256`` unless upstream pins another.
    derived_from
        How to make the file when no copy exists (see :class:`Derivation`).
    """

    name: str
    sha256: str
    url: str | None = None
    gunzip: bool = False
    size: int | None = None
    algorithm: str = "sha256"
    derived_from: Derivation | None = None


@dataclass(frozen=True)
class Dataset:
    """A named data set: its files and a line saying what it is."""

    name: str
    description: str
    files: tuple[FileSpec, ...]
    homepage: str = ""
    notes: str = ""


_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_FASHION = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_D2L = "http://d2l-data.s3-accelerate.amazonaws.com/"
#: The first 4,000 records of CIFAR-10's data_batch_1.bin (1 label + 3,072 pixel bytes each).
CIFAR_SUBSET_RECORDS = 4_000
#: Pairs in our cut of the English-French file: as many as the mirror's copy holds.
FRA_ENG_PAIRS = 18_065

#: Every data set the course uses, by name.
REGISTRY: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "mnist",
            "MNIST handwritten digits: 60,000 train and 10,000 test 28x28 images.",
            (
                FileSpec("train-images-idx3-ubyte.gz",
                         "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                         _MNIST + "train-images-idx3-ubyte.gz", gunzip=True),
                FileSpec("train-labels-idx1-ubyte.gz",
                         "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                         _MNIST + "train-labels-idx1-ubyte.gz", gunzip=True),
                FileSpec("t10k-images-idx3-ubyte.gz",
                         "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                         _MNIST + "t10k-images-idx3-ubyte.gz", gunzip=True),
                FileSpec("t10k-labels-idx1-ubyte.gz",
                         "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                         _MNIST + "t10k-labels-idx1-ubyte.gz", gunzip=True),
            ),
            homepage="https://yann.lecun.com/exdb/mnist/",
        ),
        Dataset(
            "fashion-mnist",
            "Fashion-MNIST (Zalando): 60,000 train and 10,000 test 28x28 clothing images.",
            (
                FileSpec("train-images-idx3-ubyte.gz",
                         "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                         _FASHION + "train-images-idx3-ubyte.gz", gunzip=True),
                FileSpec("train-labels-idx1-ubyte.gz",
                         "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                         _FASHION + "train-labels-idx1-ubyte.gz", gunzip=True),
                FileSpec("t10k-images-idx3-ubyte.gz",
                         "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                         _FASHION + "t10k-images-idx3-ubyte.gz", gunzip=True),
                FileSpec("t10k-labels-idx1-ubyte.gz",
                         "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                         _FASHION + "t10k-labels-idx1-ubyte.gz", gunzip=True),
            ),
            homepage="https://github.com/zalandoresearch/fashion-mnist",
            notes="Debian's dataset-fashion-mnist installs the same payload.",
        ),
        Dataset(
            "cifar-10",
            "CIFAR-10, binary version: 50,000 train and 10,000 test 32x32 colour images.",
            (
                FileSpec("cifar-10-binary.tar.gz",
                         "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
                         "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                         size=170_052_171),
            ),
            homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
        ),
        Dataset(
            "cifar-10-subset",
            "The first 4,000 training images of CIFAR-10 (our offline mirror's copy).",
            (
                FileSpec("data_batch_1_first4000.bin",
                         "0993cf8b8e43bc207603aef9787006995746513f5e3fa5a52e06d1b069926330",
                         size=12_292_000,
                         derived_from=Derivation(
                             "cifar-10", "cifar-10-binary.tar.gz",
                             "cifar-10-batches-bin/data_batch_1.bin",
                             length=CIFAR_SUBSET_RECORDS * 3_073)),
                FileSpec("batches.meta.txt",
                         "2ce042b1e0b48db4bb214408e6414ba18b2731c24af244f2d6c112fddf31af00",
                         size=60,
                         derived_from=Derivation(
                             "cifar-10", "cifar-10-binary.tar.gz",
                             "cifar-10-batches-bin/batches.meta.txt")),
            ),
            homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
            notes="The first 4,000 records of data_batch_1.bin, no test batch: from the "
                  "mirror, or cut from the official archive and verified.",
        ),
        Dataset(
            "california-housing",
            "California housing: 20,640 districts of the 1990 census, 10 columns.",
            (
                FileSpec("housing.tgz",
                         "d4cd501af90475f09b814c7447c7701f59bf28e8cf1180205ae5ace9737a0109",
                         "https://github.com/ageron/handson-ml2/raw/master/datasets/"
                         "housing/housing.tgz", size=409_488),
            ),
            homepage="https://github.com/ageron/handson-ml2",
        ),
        Dataset(
            "kaggle-house-prices",
            "Ames house prices (Kaggle): 1,460 labelled and 1,459 unlabelled houses.",
            (
                FileSpec("kaggle_house_pred_train.csv",
                         "1e18addf81e5e4d347cc17ee6075bbe4a42b7fa26b9e5b063e8f692a5f929d41",
                         _D2L + "kaggle_house_pred_train.csv", size=460_676),
                FileSpec("kaggle_house_pred_test.csv",
                         "8fdd3d829d4d986b58f845c9553b225e67dd8383624d90fb6ca1d4bed5798c1e",
                         _D2L + "kaggle_house_pred_test.csv", size=451_405),
            ),
            homepage="https://www.kaggle.com/c/house-prices-advanced-regression-techniques",
        ),
        Dataset(
            "timemachine",
            "H. G. Wells, The Time Machine (public domain text).",
            (
                FileSpec("timemachine.txt",
                         "8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516",
                         _D2L + "timemachine.txt", size=178_979),
            ),
            homepage="https://www.gutenberg.org/ebooks/35",
        ),
        Dataset(
            "fra-eng",
            "English-French sentence pairs (Tatoeba): the 18,065 shortest pairs.",
            (
                FileSpec("fra.txt",
                         "c52ae3c5a2f6b3c96d985aad8e2f1aab814c6701cfa9face467989069624bcaa",
                         size=686_457),
            ),
            homepage="https://www.manythings.org/anki/",
            notes="Mirror only: a cut of upstream's file, not byte-identical to any of "
                  "them. Without the mirror, handson.data.load_fra_eng cuts the same "
                  "number of pairs from D2L's copy (fra-eng-d2l).",
        ),
        Dataset(
            "fra-eng-d2l",
            "D2L's English-French pairs (Tatoeba, via manythings.org), zipped.",
            (
                FileSpec("fra-eng.zip", "94646ad1522d915e7b0f9296181140edcf86a4f5",
                         _D2L + "fra-eng.zip", algorithm="sha1"),
            ),
            homepage="https://www.manythings.org/anki/",
            notes="D2L pins this file by SHA-1 in its source; used when no mirror holds "
                  "our cut (fra-eng).",
        ),
        Dataset(
            "airfoil",
            "NASA airfoil self-noise (UCI): 1,503 rows, 5 features and the sound level.",
            (
                FileSpec("airfoil_self_noise.dat",
                         "74c75fd71783f1e6b71f8a622b993dc592897a97cd689c5090a07147a1b097b3",
                         _D2L + "airfoil_self_noise.dat", size=59_984),
            ),
            homepage="https://archive.ics.uci.edu/dataset/291/airfoil+self+noise",
        ),
    ]
}


def get(name: str) -> Dataset:
    """Return the registry entry ``name`` or raise a :class:`KeyError` listing valid names."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown data set {name!r}; known data sets: {known}") from None
