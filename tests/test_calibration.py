import numpy as np
import pytest

from happysad.train.calibration import apply_temperature, fit_temperature
from happysad.train.evaluation import expected_calibration_error
from happysad.train.export import fold_temperature, with_averaged_copies


def overconfident_predictions(n=4000, seed=0):
    """Labels and P(sad) whose logits are three times too large."""
    rng = np.random.default_rng(seed)
    true_logits = rng.normal(0, 2, n)
    labels = (rng.random(n) < 1 / (1 + np.exp(-true_logits))).astype(int)
    return labels, 1 / (1 + np.exp(-3 * true_logits))


def test_fitted_temperature_undoes_overconfidence():
    labels, p_sad = overconfident_predictions()
    temperature = fit_temperature(labels, p_sad)
    assert 2.5 < temperature < 3.5
    before = expected_calibration_error(labels, p_sad)
    after = expected_calibration_error(labels, apply_temperature(p_sad, temperature))
    assert after < before / 2


def test_folding_into_the_model_matches_scaling_its_output(make_model):
    model = make_model(1)
    images = np.random.default_rng(1).random((6, 48, 48, 1)).astype("float32")
    before = np.asarray(model(images, training=False)).ravel()
    fold_temperature(model, 2.0)
    after = np.asarray(model(images, training=False)).ravel()
    np.testing.assert_allclose(after, apply_temperature(before, 2.0), rtol=1e-4, atol=1e-6)


@pytest.mark.slow
def test_folding_into_an_averaged_model_scales_its_logit(make_model):
    model = with_averaged_copies(make_model(1))
    images = np.random.default_rng(1).random((6, 48, 48, 1)).astype("float32")
    before = np.asarray(model(images, training=False)).ravel()
    fold_temperature(model, 2.0)
    after = np.asarray(model(images, training=False)).ravel()
    np.testing.assert_allclose(after, apply_temperature(before, 2.0), rtol=1e-4, atol=1e-6)
