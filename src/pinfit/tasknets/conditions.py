"""Training conditions of a task-network sweep, torch-free so the workflow can name them at parse
time."""

from __future__ import annotations

import dataclasses
import itertools

from pinfit.errors import PinfitInputError, check_range


@dataclasses.dataclass(frozen=True)
class Condition:
    """One training condition of a sweep (noise SDs dimensionless, ``p_trainable`` in (0, 1])."""

    recurrent_noise: float
    input_noise: float
    ordinal_weight: float
    p_trainable: float
    seed: int

    @property
    def name(self) -> str:
        """File-safe name used as Snakemake wildcard and store name, e.g. ``rn0.05-in0.1-ord0-p1-s0``."""
        return (
            f"rn{self.recurrent_noise:g}-in{self.input_noise:g}-ord{self.ordinal_weight:g}"
            f"-p{self.p_trainable:g}-s{self.seed}"
        )

    def check(self, spec) -> None:
        """Raise PinfitInputError for values outside their ranges or not usable with the task
        ``spec`` (a :class:`pinfit.TaskSpec`)."""
        where = "behaviour conditions"
        check_range(where, "recurrent_noise", self.recurrent_noise, 0.0, 10.0)
        check_range(where, "input_noise", self.input_noise, 0.0, 10.0)
        check_range(where, "ordinal_weight", self.ordinal_weight, 0.0, 100.0)
        check_range(where, "p_trainable", self.p_trainable, 0.0, 1.0, low_open=True)
        check_range(where, "seed", self.seed, 0, 2**31 - 1)
        if self.ordinal_weight > 0 and not spec.ordinal:
            raise PinfitInputError(
                where,
                "ordinal_weight",
                "the ordinal output needs two items reported in order "
                f"(task 'sequential', report 'all', n_items 2); got a {spec.design!r} task",
                "set ordinal_weight to [0] for this dataset",
            )


def sweep_conditions(*, recurrent_noise, input_noise, ordinal_weight, p_trainable, seed) -> list[Condition]:
    """All combinations (cartesian product, in the given orders) of the listed values."""
    return [
        Condition(float(rn), float(i), float(o), float(p), int(s))
        for rn, i, o, p, s in itertools.product(
            recurrent_noise, input_noise, ordinal_weight, p_trainable, seed
        )
    ]
