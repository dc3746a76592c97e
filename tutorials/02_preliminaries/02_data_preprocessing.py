"""
Data preprocessing with pandas
==============================

Models eat tensors of floating-point numbers; the data of the world come as tables.
A real table mixes numbers with text categories ("brick", "stone"), has holes where
a value was never recorded or does not exist, and puts a lot area in square feet
next to a count of fireplaces. This page turns such a table into tensors, step by
step, with pandas: look at the table, fill the missing numbers, keep missing
categories as a category of their own, encode categories as
:term:`one-hot <one-hot encoding>` columns,
:term:`standardise <standardisation>` the numbers, and convert the result to
``float32`` tensors. The table
is the Ames house prices data of Kaggle's *House Prices* competition (collected by
Dean De Cock, 2011): one row per house sold in Ames, Iowa, described by a few dozen
numeric and categorical columns, with the sale price to predict.

.. grid:: 1 2 2 2
   :gutter: 2

   .. grid-item-card:: What you will learn
      :class-card: sd-border-0 sd-shadow-sm

      * read a table and inspect it: ``head``, ``dtypes``, missing values per
        column
      * fill missing numbers with a mean or median, and keep missing categories
        with ``pd.get_dummies(dummy_na=True)``
      * one-hot encode categories and standardise numbers, with statistics from
        the training table only
      * convert a table to a ``float32`` tensor, and check it (shape, dtype, no
        NaN)
      * do the same standardisation and one-hot encoding by hand with tensors

   .. grid-item-card:: Prerequisites
      :class-card: sd-border-0 sd-shadow-sm

      * :doc:`01_tensors` (dtypes, broadcasting, NumPy interop)
      * a first contact with pandas (``DataFrame``, columns, ``.loc``)
      * data: Kaggle house prices, a training and a test table, loaded offline
        by :func:`handson.data.load_kaggle_house_prices`
"""

# sphinx_gallery_thumbnail_number = 1

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

import handson
from handson.data import load_kaggle_house_prices

handson.seed(0)

# %%
# The idea
# --------
#
# We want the *design matrix* :math:`\mathbf{X} \in \mathbb{R}^{n \times d}` of
# the previous pages: one row :math:`\mathbf{x}^{(i)}` per example (house), one
# column per feature, all numbers, nothing missing. Two transformations get us
# there.
#
# **Standardising** a numeric column :math:`j` subtracts its mean :math:`\mu_j` and
# divides by its standard deviation :math:`\sigma_j`, both computed on the
# :math:`n` training examples,
#
# .. math::
#
#    \mu_j = \frac{1}{n} \sum_{i=1}^{n} x^{(i)}_j, \qquad
#    \sigma_j = \sqrt{\frac{1}{n - 1} \sum_{i=1}^{n} \left(x^{(i)}_j - \mu_j\right)^2},
#    \qquad
#    x^{(i)}_j \leftarrow \frac{x^{(i)}_j - \mu_j}{\sigma_j},
#
# so that every column has mean 0 on the training set, and standard deviation 1 if
# it has no holes, and a square foot weighs as much as a fireplace when training
# starts. Where values are missing, the sums run over the examples that have one (and
# :math:`n` counts those), and each missing value is replaced by the mean, which is 0
# after standardising. The filled-in zeros add no spread, so a column with holes ends
# with a standard deviation a little below 1 (measured below).
#
# **One-hot encoding** a categorical column with :math:`K` categories
# :math:`c_1, \dots, c_K` replaces it by :math:`K` columns of zeros and ones:
# column :math:`k` is 1 exactly where the value is :math:`c_k`. A missing value
# gets a column of its own, so the column becomes :math:`K + 1` columns, with a
# single 1 in every row.
#
# .. dropdown:: Why not number the categories 1, 2, 3, ...?
#
#    A single column of codes would tell a linear model that category 3 lies
#    between categories 2 and 4, and twice as far from 1 as category 2: an order
#    and distances the categories do not have. One-hot columns are all at the same
#    distance from each other, and each gets its own weight.
#
# .. dropdown:: Why :math:`n - 1`?
#
#    Dividing by :math:`n - 1` instead of :math:`n` (Bessel's correction) makes
#    :math:`\sigma_j^2` an unbiased estimate of the variance. pandas'
#    ``DataFrame.std`` and PyTorch's ``torch.std`` both divide by :math:`n - 1` by
#    default, so the two agree below. For standardising, either choice works.
#
# Reading the table
# -----------------
#
# :func:`handson.data.load_kaggle_house_prices` returns the two tables of the
# competition as pandas ``DataFrame`` s (it reads the CSV files with
# :func:`pandas.read_csv`). Only the training table has the label, ``SalePrice``;
# the test table is what a competitor predicts.

train_df, test_df = load_kaggle_house_prices()
print("train:", train_df.shape, "| test:", test_df.shape)
assert "SalePrice" in train_df.columns and "SalePrice" not in test_df.columns
assert list(test_df.columns) == [c for c in train_df.columns if c != "SalePrice"]

# %%
# ``head()`` shows the first rows. Only some of the columns fit on the screen; we
# pick a few, among them ``Id``, ``SalePrice`` and some with holes (``NaN``, "not a
# number", marks a missing value):

train_df[["Id", "MSZoning", "LotFrontage", "LotArea", "Alley", "MasVnrType",
          "GrLivArea", "PoolQC", "SalePrice"]].head()

# %%
# Looking at it
# -------------
#
# Each column has one dtype. pandas stores numbers as ``int64`` or ``float64``
# (columns with holes become ``float64``, since ``NaN`` is a float) and text as
# strings:

print(train_df.dtypes.value_counts())
print(train_df.dtypes[["MSZoning", "LotFrontage", "LotArea"]])

# %%
# The first column, ``Id``, numbers the rows: it says nothing about a house and
# would only let a model memorise rows, so it goes. The features are the remaining
# columns, split into numeric and categorical by dtype. ``select_dtypes`` does the
# split:

assert (train_df["Id"] == np.arange(1, len(train_df) + 1)).all()
y_df = train_df["SalePrice"]
features = train_df.drop(columns=["Id", "SalePrice"])
test_features = test_df.drop(columns=["Id"])
numeric_cols = features.select_dtypes(include="number").columns
categorical_cols = features.select_dtypes(exclude="number").columns
print(f"{features.shape[1]} features: {len(numeric_cols)} numeric, "
      f"{len(categorical_cols)} categorical")
assert len(numeric_cols) + len(categorical_cols) == features.shape[1]

# %%
# Now the holes. ``isna()`` marks every missing entry; summing it counts them per
# column.

missing = features.isna().sum().sort_values(ascending=False)
missing = missing[missing > 0]
print(f"{len(missing)} of {features.shape[1]} columns have missing values "
      "in the training table:")
print(missing.to_string())

# %%
# A bar plot of the fraction missing, per column, says more. Blue bars are numeric
# columns, orange ones categorical:

fraction = missing / len(features)
colors = ["C0" if c in numeric_cols else "C1" for c in fraction.index]
fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
ax.barh(fraction.index[::-1], fraction.values[::-1], color=colors[::-1])
ax.bar(0, 0, color="C0", label="numeric column")  # empty bars, for the legend
ax.bar(0, 0, color="C1", label="categorical column")
ax.legend(loc="lower right")
ax.set_xlabel("fraction of training rows with the value missing")
ax.set_xlim(0, 1)
ax.set_title("Missing values per column, Kaggle house prices (training table)")
plt.show()

# %%
# Some columns are missing almost everywhere. Before "fixing" them, ask *why* a
# value is missing. The competition's data description says that ``NaN`` in
# ``PoolQC`` (pool quality) means "no pool", in ``FireplaceQu`` "no fireplace", in
# ``GarageType`` "no garage". The table agrees: those values are missing exactly in
# the rows whose pool area, number of fireplaces or garage area is 0.

for qual, size in [("PoolQC", "PoolArea"), ("FireplaceQu", "Fireplaces"),
                   ("GarageType", "GarageArea")]:
    same = (features[qual].isna() == (features[size] == 0)).all()
    print(f"{qual:12} missing  <=>  {size} == 0: {same}")
    assert same

# %%
# So here a missing category is information ("there is no pool"), not noise, and
# we will keep it as a category of its own. For a numeric column such as
# ``LotFrontage`` (street frontage of the lot) the value is simply unknown, and we
# will fill it in.
#
# .. note::
#
#    :func:`pandas.read_csv` turns the strings ``NA`` and ``None`` (and a few more,
#    listed under its ``na_values`` argument) into ``NaN``. That is why "no masonry
#    veneer", written ``None`` in the file, shows up as missing ``MasVnrType``.
#    Pass ``keep_default_na=False`` to keep such strings as text.

print(pd.read_csv(io.StringIO("a\nNone\nNA\nbrick\n"))["a"].tolist())
assert pd.read_csv(io.StringIO("a\nNone\nNA\nbrick\n"))["a"].isna().sum() == 2

# %%
# Numeric columns: fill and standardise
# -------------------------------------
#
# Two common choices to fill a missing number are the mean and the median of the
# column. For a skewed column, such as lot area (a few huge estates), the mean is
# pulled up by the largest values while the median is not:

stats = pd.DataFrame({"mean": features[["LotFrontage", "LotArea"]].mean(),
                      "median": features[["LotFrontage", "LotArea"]].median()})
print(stats)
assert features["LotArea"].mean() > features["LotArea"].median()

# %%
# We fill with the mean, because it becomes exactly 0 after standardising: the
# missing value then adds nothing to a linear model's prediction. The statistics
# :math:`\mu_j` and :math:`\sigma_j` come from the training table, and the *same*
# numbers are applied to the test table.
#
# .. warning::
#
#    Fit every statistic (means, standard deviations, fill values, the list of
#    categories) on the training data only, and then apply it unchanged to
#    validation and test data. Statistics computed on the test data let the test
#    set leak into training, and the test error then promises more than the model
#    delivers on truly new data. D2L's Kaggle chapter standardises the training
#    and test tables together for simplicity; we do not.
#    :doc:`../03_linear_regression/01_california_housing` carries the full
#    workflow through: a training, validation and test split, preprocessing fitted
#    on the training split, and a model trained on the result.

mean = features[numeric_cols].mean()  # pandas skips NaN in mean() and std()
std = features[numeric_cols].std()
assert (std > 0).all()  # no constant column: we may divide by std


def standardise(df):
    """Standardise the numeric columns with the TRAINING mean and std; NaN -> 0."""
    df = df.copy()
    df[numeric_cols] = ((df[numeric_cols] - mean) / std).fillna(0.0)
    return df


train_std = standardise(features)
test_std = standardise(test_features)
print("training means after standardising: largest |mean| "
      f"{train_std[numeric_cols].mean().abs().max():.2e}")
print("test means after standardising:     largest |mean| "
      f"{test_std[numeric_cols].mean().abs().max():.2e}")
assert train_std[numeric_cols].isna().sum().sum() == 0
assert test_std[numeric_cols].isna().sum().sum() == 0
assert (train_std[numeric_cols].mean().abs() < 1e-9).all()
assert (test_std[numeric_cols].mean().abs() < 0.25).all()  # close, not equal

# %%
# The training means are 0 up to rounding. The test means are close to 0 but not
# equal to it (the second assert above allows them a quarter of a standard
# deviation): the test houses are a different sample, and that is as it should
# be. The standard deviations are 1 for the training columns that had no holes, and
# a little below 1 for the others, because the filled-in zeros add no spread:

train_sd = train_std[numeric_cols].std()
had_holes = features[numeric_cols].isna().any()
print("std of LotFrontage (had holes):", f"{train_sd['LotFrontage']:.4f}")
print("std of GrLivArea (no holes):   ", f"{train_sd['GrLivArea']:.4f}")
assert np.allclose(train_sd[~had_holes], 1.0)
assert (train_sd[had_holes] < 1.0).all()

# %%
# How much would it matter here to break the rule of the warning above? D2L's Kaggle
# chapter computes the statistics on the training and test features together. On
# this table that moves the means only a little, measured in training standard
# deviations, but changes some standard deviations by more: a spread depends on the
# few most extreme houses, and the test table has extremes of its own.

pooled = pd.concat([features, test_features])[numeric_cols]
mean_shift = ((pooled.mean() - mean) / std).abs()
sd_change = (pooled.std() / std - 1).abs()
print(f"largest shift of a mean: {mean_shift.max():.3f} training sds "
      f"({mean_shift.idxmax()})")
print(f"largest change of a std: {sd_change.max():.1%} ({sd_change.idxmax()})")
handson.check("largest shift of a mean (in training sds) with pooled statistics",
              mean_shift.max(), "<", 0.1, quick=True)
handson.check("largest relative change of a std over the largest mean shift",
              sd_change.max() / mean_shift.max(), ">", 2, quick=True)

# %%
# Some numeric columns have holes *only* in the test table. Filling them with the
# training mean needs no special case: this is why the fill values are stored,
# not recomputed on whatever table comes along.

only_test = [c for c in numeric_cols
             if test_features[c].isna().any() and not features[c].isna().any()]
print("numeric columns with holes only in the test table:", only_test)
assert len(only_test) > 0

# %%
# Standardising moves and rescales a column but does not change the shape of its
# distribution, as the histograms of the living area show:

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
axes[0].hist(features["GrLivArea"], bins=40, color="C0")
axes[0].set_xlabel("GrLivArea (square feet)")
axes[1].hist(train_std["GrLivArea"], bins=40, color="C2")
axes[1].set_xlabel("GrLivArea, standardised")
axes[0].set_ylabel("houses")
fig.suptitle("Same histogram, new axis: mean 0, standard deviation 1")
fig.tight_layout()
plt.show()

# %%
# Categorical columns: one-hot
# ----------------------------
#
# :func:`pandas.get_dummies` one-hot encodes every column of string (or
# categorical) dtype and leaves the numeric ones alone. With ``dummy_na=True`` each
# categorical column also gets a ``<column>_nan`` indicator for missing values. Here
# is the zoning column (``RL``: residential, low density; ``RM``: residential,
# medium density; ``FV``: floating village residential; ...). pandas writes the zeros
# and ones as ``False`` and ``True``:

print(features["MSZoning"].value_counts(dropna=False).to_string())
pd.get_dummies(features[["MSZoning"]], dummy_na=True).head()

# %%
# Applied to the whole table, every categorical column with :math:`K` categories
# becomes :math:`K + 1` columns, whether or not it had holes. So the number of
# columns :math:`d` can be predicted before encoding, and we check it:

train_X = pd.get_dummies(train_std, dummy_na=True)
expected_d = len(numeric_cols) + sum(features[c].nunique() + 1
                                     for c in categorical_cols)
print(f"{features.shape[1]} columns -> d = {train_X.shape[1]} columns")
assert train_X.shape == (len(features), expected_d)

# %%
# The test table must end up with *the same columns in the same order*: a model
# reads column :math:`j` as feature :math:`j`. Encoding the test table on its own
# does not guarantee that, because some categories never occur in it. ``reindex``
# fixes the columns to the training ones: categories absent from the test table get
# a column of zeros, and a category seen only in the test table would be dropped
# (its rows get zeros in the whole block of that column).

test_X_alone = pd.get_dummies(test_std, dummy_na=True)
print("training columns absent from the encoded test table:",
      len(set(train_X.columns) - set(test_X_alone.columns)))
print("test columns unknown to the training table:        ",
      len(set(test_X_alone.columns) - set(train_X.columns)))
test_X = test_X_alone.reindex(columns=train_X.columns, fill_value=False)
assert list(test_X.columns) == list(train_X.columns)

# %%
# The ``_nan`` columns earn their place even where the training table had no
# holes. ``MSZoning`` is never missing in training, but it is in a few test rows:
# those rows land in ``MSZoning_nan``, a column that exists only because of
# ``dummy_na=True``.

print("MSZoning missing in train:", features["MSZoning"].isna().sum(),
      "| in test:", test_features["MSZoning"].isna().sum())
assert not train_X["MSZoning_nan"].any()
assert test_X["MSZoning_nan"].sum() == test_features["MSZoning"].isna().sum() > 0

# %%
# Conversion to tensors
# ---------------------
#
# One last step: ``to_numpy(dtype=float)`` turns the table (floats and the
# booleans of the one-hot columns) into one ``float64`` NumPy array, and
# ``torch.tensor(..., dtype=torch.float32)`` copies it into a tensor of the dtype
# models compute in (see :doc:`01_tensors` on ``float64`` versus ``float32``). The
# label becomes a vector :math:`\mathbf{y}`.

X_train = torch.tensor(train_X.to_numpy(dtype=float), dtype=torch.float32)
X_test = torch.tensor(test_X.to_numpy(dtype=float), dtype=torch.float32)
y_train = torch.tensor(y_df.to_numpy(dtype=float), dtype=torch.float32)
print("X_train:", tuple(X_train.shape), X_train.dtype)
print("X_test: ", tuple(X_test.shape), X_test.dtype)
print("y_train:", tuple(y_train.shape), y_train.dtype)

n, d = X_train.shape
assert d == expected_d and X_test.shape == (len(test_df), d) and y_train.shape == (n,)
for T in (X_train, X_test, y_train):
    assert T.dtype == torch.float32
    assert not torch.isnan(T).any() and torch.isfinite(T).all()

# %%
# A last sanity check that uses the meaning of the columns: every row has exactly
# one 1 in the block of each categorical column of the training table.

for col in categorical_cols:
    block = [j for j, name in enumerate(train_X.columns)
             if name.startswith(col + "_")]
    assert (X_train[:, block].sum(dim=1) == 1).all(), col
print(f"each of the {len(categorical_cols)} one-hot blocks has one 1 per row")

# %%
# From scratch: standardising and one-hot by hand
# -----------------------------------------------
#
# pandas did both steps for us. Here they are with tensors only, for two numeric
# columns (one with holes) and two categorical ones (one with holes), and checked
# against the pandas result above. The numeric columns go into a ``float64`` tensor
# of shape ``(n, 2)``; ``NaN`` marks the holes.

num_cols = ["LotFrontage", "GrLivArea"]
V = torch.tensor(features[num_cols].to_numpy(dtype=float))  # float64, with NaN


def standardise_by_hand(V):
    """Column means and stds over the values present, then (V - mu) / sigma."""
    present = ~torch.isnan(V)
    count = present.sum(dim=0)  # values present, per column
    mu = torch.where(present, V, 0.0).sum(dim=0) / count
    var = torch.where(present, (V - mu) ** 2, 0.0).sum(dim=0) / (count - 1)
    sigma = torch.sqrt(var)
    Z = (V - mu) / sigma  # (n, 2) minus (2,): broadcasting over the rows
    return torch.where(present, Z, 0.0), mu, sigma  # holes -> the mean, i.e. 0


Z, mu, sigma = standardise_by_hand(V)
print("by hand:  mu", mu.numpy(), " sigma", sigma.numpy())
print("pandas:   mu", mean[num_cols].to_numpy(), " sigma", std[num_cols].to_numpy())
torch.testing.assert_close(mu, torch.tensor(mean[num_cols].to_numpy()))
torch.testing.assert_close(sigma, torch.tensor(std[num_cols].to_numpy()))
torch.testing.assert_close(Z, torch.tensor(train_X[num_cols].to_numpy(dtype=float)))
print("standardised columns: by hand == pandas")

# %%
# For one-hot encoding, the categories are the sorted distinct values of the
# training column; a missing value gets the extra index :math:`K`. Each row then
# has an integer code, and comparing the column of codes, shape ``(n, 1)``, with the
# row ``0, 1, ..., K``, shape ``(K + 1,)``, broadcasts to the ``(n, K + 1)`` matrix
# of zeros and ones: row :math:`i` is 1 exactly at its code.


def one_hot_by_hand(column):
    """One-hot matrix of a pandas column (K categories + 1 for missing)."""
    categories = sorted(column.dropna().unique())
    index = {c: k for k, c in enumerate(categories)}
    K = len(categories)
    codes = torch.tensor([K if pd.isna(v) else index[v] for v in column])
    one_hot = (codes.reshape(-1, 1) == torch.arange(K + 1)).to(torch.float32)
    names = [f"{column.name}_{c}" for c in categories] + [f"{column.name}_nan"]
    return one_hot, codes, names


for col in ["MSZoning", "Alley"]:
    one_hot, codes, names = one_hot_by_hand(features[col])
    from_pandas = torch.tensor(train_X[names].to_numpy(dtype=float),
                               dtype=torch.float32)
    torch.testing.assert_close(one_hot, from_pandas, rtol=0, atol=0)
    torch.testing.assert_close(one_hot, torch.nn.functional.one_hot(
        codes, len(names)).to(torch.float32), rtol=0, atol=0)
    print(f"{col}: {len(names)} columns {names}; by hand == pandas == F.one_hot")

# %%
# Summary
# -------
#
# * Look before you fix: ``head()``, ``dtypes`` and ``isna().sum()`` show what a
#   table holds, and a missing value may mean "unknown" or "does not exist".
# * Numeric columns: fill holes with the training mean (or median) and
#   standardise with the training :math:`\mu_j` and :math:`\sigma_j`; after that a
#   filled-in mean is exactly 0.
# * Categorical columns: one-hot with ``pd.get_dummies(dummy_na=True)``; a missing
#   category is a category. Align the test columns with ``reindex``.
# * Fit all statistics on training data only, then apply them unchanged: anything
#   else leaks the test set into training.
# * ``torch.tensor(df.to_numpy(dtype=float), dtype=torch.float32)`` makes the
#   tensor; check its shape and dtype, and that it holds no ``NaN``.

# %%
# Exercises
# ---------
#
# 1. ``MSSubClass`` (the type of dwelling) is stored as integers, so this page
#    standardised it like a number. Read its values: is it a number or a category?
#    Convert it with ``.astype(str)`` in both tables before encoding, and predict
#    how :math:`d` changes before checking.
#
#    .. dropdown:: Answer
#
#       It is a code (20 means "1-story 1946 and newer", 60 "2-story 1946 and
#       newer", ...): 60 is not three times 20 in any sense, so it is a category.
#       As a category with :math:`K` values present in the training table it turns
#       into :math:`K + 1` columns instead of one, so :math:`d` grows by
#       :math:`K`; ``features["MSSubClass"].nunique()`` gives :math:`K`.
#
# 2. Fill the numeric holes with the training *median* instead of the mean
#    (``features[numeric_cols].median()``), then standardise. Which value does a
#    filled ``LotFrontage`` get now? When would you prefer the median?
#
#    .. dropdown:: Answer
#
#       :math:`(\mathrm{median}_j - \mu_j) / \sigma_j`, no longer 0. The median
#       is the better guess for a typical house when a few extreme values pull the
#       mean, as for lot areas; the mean has the advantage that a filled value then
#       contributes nothing to a linear model's prediction. A third option adds a
#       0/1 column "was missing" next to the filled column, so the model can learn
#       what missingness means.
#
# 3. The page computed ``mean`` and ``std`` on the training and test features
#    together, as D2L's Kaggle chapter does, and printed how far they move. Why is
#    pooling wrong in principle, although the test table has no labels? Can this
#    page tell whether it changes the competition score?
#
#    .. dropdown:: Answer
#
#       The test inputs then shape the training features, which is impossible for a
#       house that will be sold next year; in other data sets (a test set from a
#       later period, a different hospital) the shift can be much larger than here.
#       And with a validation split, statistics over all the data make the
#       validation error optimistic. As for the score: no. Kaggle keeps the test
#       labels, so the page can measure how far the statistics move, not what that
#       does to the predictions; a validation split fitted both ways would tell.
#
# 4. Why does every categorical column get a ``_nan`` column, even those with no
#    holes in the training table? What happens to a test row whose category never
#    occurs in the training table?
#
#    .. dropdown:: Answer
#
#       The ``_nan`` column gives test rows with a missing value, such as the
#       missing ``MSZoning`` values above, a place to go. A category unseen in
#       training has no column; ``reindex`` drops it and the row gets zeros in the
#       whole block, which a linear model treats as "none of the known
#       categories". In training, a ``_nan`` column of zeros never receives a
#       gradient, so its weight keeps its initial value: with ``nn.Linear``'s
#       default initialisation a small *random* number, which then gets added to
#       the prediction for every test row that lands in that column. Initialising
#       the weights to zero makes that contribution 0; weight decay, which pulls
#       every weight towards 0, used or not, shrinks it.
#
# 5. **Programming task.** Collect the page into one function
#    ``preprocess(train_df, test_df)`` that returns ``X_train``, ``y_train`` and
#    ``X_test`` as ``float32`` tensors, with every statistic fitted on
#    ``train_df``. Check with ``torch.testing.assert_close`` that it reproduces the
#    tensors of this page, and that feeding it the first 1000 training rows as
#    "train" and the rest as "test" gives a test tensor whose columns match the
#    training tensor's.
#
#    .. dropdown:: Worked answer
#
#       .. code-block:: python
#
#          def preprocess(train_df, test_df):
#              features = train_df.drop(columns=["Id", "SalePrice"])
#              test_features = test_df.drop(columns=["Id", "SalePrice"],
#                                           errors="ignore")
#              num = features.select_dtypes(include="number").columns
#              mean, std = features[num].mean(), features[num].std()
#
#              def encode(df):
#                  df = df.copy()
#                  df[num] = ((df[num] - mean) / std).fillna(0.0)
#                  return pd.get_dummies(df, dummy_na=True)
#
#              train_X = encode(features)
#              test_X = encode(test_features).reindex(columns=train_X.columns,
#                                                     fill_value=False)
#              as_tensor = lambda df: torch.tensor(df.to_numpy(dtype=float),
#                                                  dtype=torch.float32)
#              return (as_tensor(train_X), as_tensor(train_df[["SalePrice"]])[:, 0],
#                      as_tensor(test_X))
#
#          Xa, ya, Xb = preprocess(train_df, test_df)
#          torch.testing.assert_close(Xa, X_train)
#          torch.testing.assert_close(ya, y_train)
#          torch.testing.assert_close(Xb, X_test)
#
#          Xa, ya, Xb = preprocess(train_df[:1000], train_df[1000:])
#          assert Xa.shape[1] == Xb.shape[1] and not torch.isnan(Xb).any()
