"""Known answers for the checks that come with the mixture fits and the ranking: per-subject
recovery of planted parameters, the model comparison picking the generating model, and
bootstrap intervals that cover a planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from pinfit.behaviour.checks import compare_models, recover_parameters
from pinfit.behaviour.compare import bootstrap_ranking, rank_conditions
from pinfit.behaviour.mixture import fit_mixture, kappa_to_sd, sample_mixture
from pinfit.behaviour.statistics import mixture_table, model_comparison, summarise_subjects
from pinfit.circular import circular_error

PERIOD = 2 * np.pi
# (kappa, p_target, p_nontarget) per planted subject; p_guess = 1 - p_target - p_nontarget
SUBJECTS = {"s1": (20.0, 0.8, 0.1), "s2": (8.0, 0.6, 0.25), "s3": (40.0, 0.9, 0.0), "s4": (12.0, 0.7, 0.15)}


def planted_subjects(n_per_subject: int = 800, set_size: int = 4, seed: int = 0) -> xr.Dataset:
    """A behaviour dataset of planted subjects (one probed report, ``set_size`` items)."""
    parts = []
    for k, (name, (kappa, p_t, p_n)) in enumerate(SUBJECTS.items()):
        s = sample_mixture(
            n_per_subject,
            kappa=kappa,
            p_target=p_t,
            p_nontarget=p_n,
            n_nontargets=set_size - 1,
            period=PERIOD,
            seed=seed + k,
        )
        parts.append((name, s))
    items = np.concatenate([np.column_stack([s["target"], s["nontarget"]]) for _, s in parts])
    response = np.concatenate([s["response"] for _, s in parts])[:, None]
    target = items[:, :1]
    n = items.shape[0]
    return xr.Dataset(
        {
            "item_value": (("trial", "item"), items),
            "probed": (("trial", "report"), np.zeros((n, 1), int)),
            "response": (("trial", "report"), response),
            "target": (("trial", "report"), target),
            "error": (("trial", "report"), circular_error(response, target, PERIOD)),
            "set_size": ("trial", np.full(n, set_size)),
            "subject": ("trial", np.repeat(list(SUBJECTS), n_per_subject)),
        },
        coords={"trial": np.arange(n), "report": [0]},
        attrs={"period": PERIOD},
    )


@pytest.fixture(scope="module")
def fits():
    return mixture_table(planted_subjects(), "human")


def test_mixture_recovers_each_planted_subject(fits):
    """800 trials per subject: sd within 15 %, weights within 0.06 (about 3 binomial SEs)."""
    subjects = fits[fits["level"] == "subject"].set_index("subject")
    for name, (kappa, p_t, p_n) in SUBJECTS.items():
        row = subjects.loc[name]
        assert row["sd_deg"] == pytest.approx(np.degrees(kappa_to_sd(kappa)), rel=0.15), name
        assert row["p_nontarget"] == pytest.approx(p_n, abs=0.06), name
        assert row["p_guess"] == pytest.approx(1 - p_t - p_n, abs=0.06), name
        # the built-in recovery check refits a simulation of this very fit: same tolerances
        assert abs(row["recovery_error_sd_deg"]) < 0.15 * row["sd_deg"], name
        assert abs(row["recovery_error_p_nontarget"]) < 0.06 and abs(row["recovery_error_p_guess"]) < 0.06


def test_summary_is_the_mean_and_sem_over_subjects(fits):
    summary = summarise_subjects(fits).iloc[0]
    subjects = fits[fits["level"] == "subject"]
    assert summary["n_subjects"] == len(SUBJECTS)
    assert summary["p_guess_mean"] == pytest.approx(subjects["p_guess"].mean())
    assert summary["p_guess_se"] == pytest.approx(subjects["p_guess"].std(ddof=1) / np.sqrt(len(SUBJECTS)))
    truth = np.mean([1 - p_t - p_n for _, p_t, p_n in SUBJECTS.values()])
    assert summary["p_guess_mean"] == pytest.approx(truth, abs=3 * summary["p_guess_se"] + 0.02)
    pooled = fits[fits["level"] == "pooled"]
    assert len(pooled) == 1 and pooled["n"].iloc[0] == subjects["n"].sum()
    assert summary["p_guess_pooled"] == pytest.approx(pooled["p_guess"].iloc[0])


@pytest.mark.parametrize(
    ("model", "p_target", "p_nontarget"),
    [("target", 1.0, 0.0), ("target_guess", 0.7, 0.0), ("target_nontarget_guess", 0.6, 0.25)],
)
def test_model_comparison_picks_the_generating_model(model, p_target, p_nontarget):
    s = sample_mixture(1500, kappa=15.0, p_target=p_target, p_nontarget=p_nontarget, n_nontargets=3, seed=4)
    err = circular_error(s["response"], s["target"])
    nt = circular_error(s["response"][:, None], s["nontarget"])
    scores = compare_models(err, nt, period=PERIOD)
    assert scores["best_bic"] == model
    # nested models: more components never fit worse
    assert scores["loglik_target"] <= scores["loglik_target_guess"] + 1e-6
    assert scores["loglik_target_guess"] <= scores["loglik_target_nontarget_guess"] + 1e-6


def test_without_nontargets_the_three_component_model_does_not_apply():
    s = sample_mixture(500, kappa=10.0, p_target=0.8, p_nontarget=0.0, n_nontargets=0, seed=2)
    scores = compare_models(
        circular_error(s["response"], s["target"]), np.full((500, 0), np.nan), period=PERIOD
    )
    assert np.isnan(scores["bic_target_nontarget_guess"]) and scores["best_bic"] == "target_guess"
    long = model_comparison(
        pd.DataFrame(
            [{"source": "human", "level": "subject", "subject": "a", "set_size": 1, "n": 500, **scores}]
        )
    )
    assert list(long["model"]) == ["target", "target_guess"]
    assert long.loc[long["best_bic"], "delta_bic"].tolist() == [0.0]
    assert (long["delta_bic"] >= 0).all()


def test_recovery_uses_the_cells_own_nontargets():
    """A planted all-swap fit on trials whose one non-target sits at +90 deg: the simulation
    puts its responses there, and the refit recovers p_nontarget = 1."""
    n = 400
    err = np.full(n, np.pi / 2) + np.random.default_rng(1).normal(0, 0.05, n)
    nt = (err - np.pi / 2)[:, None]
    fit = fit_mixture(err, nt, period=PERIOD)
    assert fit["p_nontarget"] > 0.99
    rec = recover_parameters(fit, err, nt, period=PERIOD, seed=0)
    assert rec["recovered_p_nontarget"] > 0.99 and abs(rec["recovery_error_p_nontarget"]) < 0.01


def coverage(units_of, n_sets: int = 100, seed: int = 0):
    """Planted data sets: 20 subjects x 30 trials whose per-trial scores have population means
    0.30 (A) and 0.25 (B) nats, subject effects SD 0.08 and trial noise SD 0.3. Returns the
    fraction of sets whose 95 % interval covers each truth, and the mean p_best of A."""
    rng = np.random.default_rng(seed)
    truth = np.array([0.30, 0.25])
    covered, wins = [], []
    for _ in range(n_sets):
        subject_means = truth[:, None] + rng.normal(0, 0.08, (1, 20))  # shared subject effect
        per_trial = subject_means[:, :, None] + rng.normal(0, 0.3, (2, 20, 30))
        units = units_of(np.repeat(np.arange(20), 30))
        table = bootstrap_ranking(
            per_trial.reshape(2, -1, 1), units, n_boot=300, seed=int(rng.integers(1 << 30))
        )
        covered.append((table["loglik_low"] <= truth) & (truth <= table["loglik_high"]))
        wins.append(table["p_best"].iloc[0])
    return np.mean(covered, axis=0), np.mean(wins)


def test_bootstrap_interval_covers_the_planted_mean():
    by_subject, wins = coverage(lambda subject: subject)
    assert ((by_subject >= 0.85) & (by_subject <= 1.0)).all(), by_subject
    assert wins > 0.8  # the better condition is the usual winner, and p_best says so
    # Resampling trials ignores the subject effect: intervals too narrow, coverage too low.
    by_trial, _ = coverage(lambda subject: np.arange(subject.size))
    assert (by_trial < 0.85).all(), by_trial


def test_ranking_bootstraps_subjects_or_trials():
    rng = np.random.default_rng(3)
    n = 200
    target = rng.uniform(0, PERIOD, (n, 1))
    error = rng.normal(0, 0.2, (n, 1))
    base = {
        "target": (("trial", "report"), target),
        "error": (("trial", "report"), error),
    }
    model_error = np.stack([rng.normal(0, s, (6, n, 1)) for s in (0.2, 0.6)])
    reports = xr.Dataset(
        {"error": (("condition", "repeat", "trial", "report"), model_error)},
        coords={
            "condition": ["good", "bad"],
            **{k: ("condition", [0.0, 0.0]) for k in ("recurrent_noise", "input_noise", "ordinal_weight")},
            **{k: ("condition", [1.0, 1.0]) for k in ("p_trainable", "seed")},
        },
        attrs={"period": PERIOD},
    )
    empty = pd.DataFrame(columns=["source", "set_size", "report", "circ_sd_deg", "error_correlation"])
    mixture = pd.DataFrame(
        columns=["source", "level", "subject", "set_size", "report", "p_target", "p_nontarget", "p_guess"]
    )
    bias = pd.DataFrame(columns=["source", "set_size", "report", "offset_deg", "mean_error_deg"])
    for subjects, unit, count in (
        (np.full(n, "one"), "trial", n),
        (np.repeat(["a", "b", "c", "d"], 50), "subject", 4),
    ):
        human = xr.Dataset({**base, "subject": ("trial", subjects)}, attrs={"period": PERIOD})
        table = rank_conditions(human, reports, empty, mixture, bias, n_boot=200)
        assert list(table["condition"]) == ["good", "bad"]
        assert (table["bootstrap_unit"] == unit).all() and (table["bootstrap_unit_count"] == count).all()
        assert table["p_best"].iloc[0] > 0.95 and table["delta_high"].iloc[1] < 0
        assert (table["loglik_low"] <= table["loglik"]).all() and (
            table["loglik"] <= table["loglik_high"]
        ).all()
