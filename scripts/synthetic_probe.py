"""How hard is the synthetic task? A linear probe on hand-made colour statistics.

Generates ``--per-class`` training and ``--heldout`` images per class (both styles, 128 px), fits a
logistic regression on 62 colour-percentile and gradient statistics, and prints its held-out
accuracy and confusion matrix. A probe near chance would mean the classes carry no colour signal; a
probe near 100% would mean the task is trivial. docs/synthetic_data.md quotes its result.

    .venv/bin/python scripts/synthetic_probe.py [--per-class 120] [--heldout 40]
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from hierattn.runtime.spec import ISIC2019_CLASSES
from hierattn.synthetic.generate import STYLES, generate_image

SIZE = 128


def statistics(job: tuple[str, str, int]) -> list[float]:
    """Mean, std and 5/25/50/75/95th percentiles per channel, whole image and centre, plus gradients."""
    class_name, style, seed = job
    image = np.asarray(generate_image(class_name, style, seed, SIZE), dtype=np.float32) / 255
    centre = image[SIZE // 4:3 * SIZE // 4, SIZE // 4:3 * SIZE // 4]
    features: list[float] = []
    for region in (image, centre):
        pixels = region.reshape(-1, 3)
        features += [*pixels.mean(0), *pixels.std(0), *np.percentile(pixels, [5, 25, 50, 75, 95], axis=0).ravel()]
    grad_y, grad_x = np.gradient(image.mean(2))
    return [*features, float(np.abs(grad_x).mean()), float(np.abs(grad_y).mean())]


def feature_set(seed: int, per_class: int) -> tuple[np.ndarray, np.ndarray]:
    jobs = [(c, STYLES[i % len(STYLES)], seed * 100_000 + i) for c in ISIC2019_CLASSES for i in range(per_class)]
    with ProcessPoolExecutor(2) as pool:
        features = np.array(list(pool.map(statistics, jobs, chunksize=16)))
    return features, np.repeat(np.arange(len(ISIC2019_CLASSES)), per_class)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=120)
    parser.add_argument("--heldout", type=int, default=40)
    args = parser.parse_args()
    train_x, train_y = feature_set(1, args.per_class)
    test_x, test_y = feature_set(2, args.heldout)
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000)).fit(train_x, train_y)
    predicted = probe.predict(test_x)
    print(f"linear probe held-out accuracy: {(predicted == test_y).mean():.4f} ({len(test_y)} images)")
    print("rows true, columns predicted:", " ".join(ISIC2019_CLASSES))
    print(confusion_matrix(test_y, predicted))


if __name__ == "__main__":
    main()
