"""Per-site adjustments to the global content model.

Each site that sends feedback gets a small linear model of its own (the global feature
indices folded into ``2**bits`` slots) that learns the *residual* of the global model on that
site: ``p = sigmoid(global + personal)``. It emits ``CONTENT_MODEL_PERSONAL`` only once the site
has taught it at least ``min_learns`` spam **and** ``min_learns`` ham (Rspamd's ``min_learns``
guard): a site with three labels cannot swing its own verdicts.

Memory: two float32 arrays of ``2**bits`` per site with feedback (512 KB at the default 16
bits); at most ``max_sites`` sites are kept, the least recently taught one is dropped first.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from rejoinder.core.records.verdict import Label
from rejoinder.spam.learning.features import SparseVector
from rejoinder.spam.learning.linear import LinearModel, sigmoid

DEFAULT_BITS = 16
DEFAULT_MIN_LEARNS = 50
DEFAULT_MAX_SITES = 200


@dataclass(slots=True)
class SiteModel:
    model: LinearModel
    spam: int = 0
    ham: int = 0


class PersonalModels:
    """Site URL → residual model, with the ``min_learns`` guard."""

    def __init__(
        self,
        bits: int = DEFAULT_BITS,
        min_learns: int = DEFAULT_MIN_LEARNS,
        max_sites: int = DEFAULT_MAX_SITES,
        rate: float = 0.3,
    ):
        self.bits = bits
        self.mask = (1 << bits) - 1
        self.min_learns = min_learns
        self.max_sites = max_sites
        self.rate = rate
        self.sites: OrderedDict[str, SiteModel] = OrderedDict()

    def votes(self, site: str) -> bool:
        found = self.sites.get(site)
        return found is not None and min(found.spam, found.ham) >= self.min_learns

    def logit(self, site: str, x: SparseVector) -> float | None:
        """The site's adjustment in log-odds, or None while it has too few examples."""
        found = self.sites.get(site)
        if found is None or min(found.spam, found.ham) < self.min_learns:
            return None
        return found.model.decision(x, self.mask)

    def learn(self, site: str, x: SparseVector, label: Label, global_logit: float) -> None:
        found = self._site(site)
        linear = found.model
        y = 1.0 if label is Label.SPAM else 0.0
        gradient = sigmoid(global_logit + linear.decision(x, self.mask)) - y
        this, other = (found.spam, found.ham) if label is Label.SPAM else (found.ham, found.spam)
        scale = max(0.1, min(1.0, math.sqrt((other + 10) / (this + 10))))
        linear.step(x, gradient, scale, self.mask)
        if label is Label.SPAM:
            found.spam += 1
        else:
            found.ham += 1

    def _site(self, site: str) -> SiteModel:
        found = self.sites.get(site)
        if found is None:
            found = SiteModel(LinearModel.zeros(1 << self.bits, rate=self.rate))
            self.sites[site] = found
            while len(self.sites) > self.max_sites:
                self.sites.popitem(last=False)
        else:
            self.sites.move_to_end(site)
        return found
