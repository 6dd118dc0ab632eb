"""The model artifact: weights in ``NAME.npz``, everything else in ``NAME.json``.

The shipped default lives in ``rejoinder/spam/models/`` (``default.json`` + ``default.npz``) and
is part of the wheel. ``rejoinder train`` writes the same two files; the ``model_path`` setting
points at another ``.json`` to use instead. The JSON holds the version, the seed, the feature
configuration, the combiner, the recommended thresholds, the sha256 of every data file and the
cross-validated metrics, so a model can always be traced back to how it was made.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rejoinder.errors import ConfigError
from rejoinder.spam.learning.bayes import NaiveBayes
from rejoinder.spam.learning.calibration import Blend, Blends
from rejoinder.spam.learning.classifier import ClassBalance, ContentModel
from rejoinder.spam.learning.combiner import Combiner
from rejoinder.spam.learning.features import FeatureConfig, FeatureExtractor
from rejoinder.spam.learning.linear import LinearModel
from rejoinder.spam.learning.personal import PersonalModels

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
SHIPPED_NAME = "default"
ARRAY_NAMES = ("index", "weight", "accum", "bayes_index", "bayes_spam", "bayes_ham")


def shipped_path() -> Path:
    """Where the packaged default model's JSON lives."""
    return Path(str(resources.files("rejoinder.spam.models").joinpath(f"{SHIPPED_NAME}.json")))


@dataclass
class ModelBundle:
    """What the engine needs from an artifact: the content model and the combiner."""

    content: ContentModel
    combiner: Combiner
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.content.version


def weights_path(json_path: Path) -> Path:
    return json_path.with_suffix(".npz")


def save_bundle(bundle: ModelBundle, json_path: Path) -> None:
    """Write ``NAME.npz`` then ``NAME.json`` atomically (each via a temporary file)."""
    content = bundle.content
    meta = dict(bundle.metadata)
    meta.update(
        format=FORMAT_VERSION,
        version=content.version,
        features=content.extractor.config.as_dict(),
        linear={
            "bias": content.model.bias,
            "bias_accum": content.model.bias_accum,
            "rate": content.model.rate,
        },
        balance={"spam": content.balance.spam, "ham": content.balance.ham},
        bayes={
            "alpha": content.bayes.alpha,
            "spam_total": content.bayes.spam_total,
            "ham_total": content.bayes.ham_total,
        },
        blend=content.blend.default.as_dict(),
        blends={kind: b.as_dict() for kind, b in sorted(content.blend.by_kind.items())},
        personal={
            "bits": content.personal.bits,
            "min_learns": content.personal.min_learns,
            "rate": content.personal.rate,
        },
        combiner=bundle.combiner.as_dict(),
    )
    json_path.parent.mkdir(parents=True, exist_ok=True)
    weights = content.model.weights
    used = np.flatnonzero(weights).astype(np.int32)
    spam, ham = content.bayes.spam_counts, content.bayes.ham_counts
    counted = np.flatnonzero((spam > 0) | (ham > 0)).astype(np.int32)
    _atomic_write(
        weights_path(json_path),
        lambda fh: np.savez_compressed(
            fh,
            index=used,
            weight=weights[used].astype(np.float32),
            # accumulators only steer online step sizes: half precision is plenty
            accum=np.log1p(content.model.accum[used]).astype(np.float16),
            bayes_index=counted,
            bayes_spam=spam[counted],
            bayes_ham=ham[counted],
        ),
    )
    text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    _atomic_write(json_path, lambda fh: fh.write(text.encode("utf-8")))


def _atomic_write(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_metadata(json_path: Path) -> dict[str, Any]:
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read model {json_path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise ConfigError(f"{json_path} is not a rejoinder model (format {FORMAT_VERSION})")
    return data


@lru_cache(maxsize=4)
def _read_arrays(npz_path: str, mtime_ns: int) -> tuple[np.ndarray[Any, Any], ...]:
    with np.load(npz_path) as data:
        arrays = tuple(data[name] for name in ARRAY_NAMES)
    for array in arrays:
        array.setflags(write=False)
    return arrays


def load_bundle(json_path: Path | None = None) -> ModelBundle:
    """Load an artifact (default: the shipped one) into fresh, independently learnable arrays."""
    path = json_path or shipped_path()
    meta = read_metadata(path)
    npz = weights_path(path)
    try:
        arrays = _read_arrays(str(npz), npz.stat().st_mtime_ns)
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"cannot read model weights {npz}: {exc}") from exc
    try:
        return _bundle_from(meta, arrays)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ConfigError(f"model {path} is damaged: {type(exc).__name__}: {exc}") from exc


def _bundle_from(meta: dict[str, Any], arrays: tuple[np.ndarray[Any, Any], ...]) -> ModelBundle:
    index, weight, accum, bayes_index, bayes_spam, bayes_ham = arrays
    extractor = FeatureExtractor(FeatureConfig.from_dict(meta["features"]))
    linear_meta = meta["linear"]
    model = LinearModel.zeros(extractor.dim, rate=float(linear_meta["rate"]))
    model.weights[index] = weight
    model.accum[index] = np.expm1(accum.astype(np.float32))
    np.maximum(model.accum, np.float32(1.0), out=model.accum)
    model.bias = float(linear_meta["bias"])
    model.bias_accum = float(linear_meta["bias_accum"])
    bayes_meta = meta["bayes"]
    bayes = NaiveBayes.zeros(extractor.dim, float(bayes_meta["alpha"]))
    bayes.spam_counts[bayes_index] = bayes_spam
    bayes.ham_counts[bayes_index] = bayes_ham
    bayes.spam_total = float(bayes_meta["spam_total"])
    bayes.ham_total = float(bayes_meta["ham_total"])
    bayes.refresh()
    blend = Blends(
        _blend(meta["blend"]),
        {str(kind): _blend(b) for kind, b in meta.get("blends", {}).items()},
    )
    personal_meta = meta.get("personal", {})
    personal = PersonalModels(
        bits=int(personal_meta.get("bits", 16)),
        min_learns=int(personal_meta.get("min_learns", 50)),
        rate=float(personal_meta.get("rate", 0.3)),
    )
    balance = ClassBalance(float(meta["balance"]["spam"]), float(meta["balance"]["ham"]))
    content = ContentModel(extractor, model, bayes, blend, personal, balance, str(meta["version"]))
    return ModelBundle(content, Combiner.from_dict(meta.get("combiner", {})), meta)


def _blend(values: dict[str, Any]) -> Blend:
    return Blend(**{k: float(v) for k, v in values.items()})


def load_or_empty(json_path: Path | None = None) -> ModelBundle:
    """The artifact, or an untrained model with a warning when the shipped one is missing.

    An explicitly configured path that cannot be read is an error; only a missing *shipped*
    model (a source checkout before ``rejoinder train``) falls back.
    """
    if json_path is not None:
        return load_bundle(json_path)
    if not shipped_path().is_file():
        log.warning("no shipped content model; run `rejoinder train` (content model disabled)")
        return ModelBundle(ContentModel.empty(), Combiner())
    return load_bundle(None)
