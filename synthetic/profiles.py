"""How each ISIC2019 class looks in the synthetic generator: one frozen profile per class.

The profiles borrow the textbook dermoscopic cues of each diagnosis (pigment network for naevi,
arborising vessels for basal cell carcinoma, red lacunae for vascular lesions...) so that the classes
are learnable, and give every cue a probability and every size or colour a range wide enough that
neighbouring classes overlap. The images have no clinical meaning: they only exercise the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from hierattn.runtime.spec import ISIC2019_CLASSES

RGB = tuple[int, int, int]
Range = tuple[float, float]


@dataclass(frozen=True)
class LesionProfile:
    """Appearance ranges of one class; probabilities are per image, ranges are uniform draws.

    Attributes:
        palette: base colours of the lesion body; one is drawn and jittered per image.
        accents: colours of the extra blotches inside the lesion (multi-colour lesions).
        radius: lesion radius as a fraction of the image side (dermoscopy scale).
        irregularity: amplitude of the border's harmonic wiggles (0 = circle).
        asymmetry: egg-shape distortion and elongation (0 = symmetric).
        border_blur: border softness as a fraction of the radius (ill-defined borders are soft).
        opacity: how strongly the lesion colour covers the skin.
        accent_count: number of accent blotches.
        network: probability of a brown pigment network; ``network_irregular`` how jittered it is.
        dots: (probability, min count, max count) of dots/globules; ``dot_colors`` their colours.
        streaks: probability of radial streaks at the periphery.
        vessels: "arborizing", "dotted" or "none".
        vessel_prob: probability that the vessels are drawn.
        center_patch: probability of a pale central patch (scar-like or keratin); ``center_color``.
        lacunae: probability of red-purple lacunae.
        scale: probability of white surface scale.
        sun_damage: probability of a reddened, freckled background.
    """

    palette: tuple[RGB, ...]
    accents: tuple[RGB, ...]
    radius: Range
    irregularity: Range
    asymmetry: Range
    border_blur: Range
    opacity: Range
    accent_count: tuple[int, int]
    network: float = 0.0
    network_irregular: Range = (0.0, 0.2)
    dots: tuple[float, int, int] = (0.0, 0, 0)
    dot_colors: tuple[RGB, ...] = ((60, 35, 25),)
    streaks: float = 0.0
    vessels: str = "none"
    vessel_prob: float = 0.0
    center_patch: float = 0.0
    center_color: RGB = (235, 225, 215)
    lacunae: float = 0.0
    scale: float = 0.0
    sun_damage: float = 0.1


BROWN_DARK: RGB = (85, 50, 35)
BROWN_MID: RGB = (135, 85, 55)
BROWN_LIGHT: RGB = (170, 120, 85)
BLACK: RGB = (35, 25, 25)
BLUE_GREY: RGB = (95, 100, 120)
PINK: RGB = (215, 130, 125)
RED: RGB = (185, 55, 60)
PURPLE: RGB = (120, 50, 90)
WHITE: RGB = (235, 228, 220)

PROFILES: dict[str, LesionProfile] = {
    # Actinic keratosis: pink-red, ill-defined, scaly, on sun-damaged skin.
    "ACK": LesionProfile(
        palette=(PINK, (200, 110, 100), (190, 120, 95)), accents=(RED, BROWN_LIGHT),
        radius=(0.14, 0.26), irregularity=(0.06, 0.16), asymmetry=(0.05, 0.25),
        border_blur=(0.25, 0.45), opacity=(0.45, 0.7), accent_count=(0, 2),
        dots=(0.3, 3, 12), dot_colors=(RED,), scale=0.8, sun_damage=0.8,
        vessels="dotted", vessel_prob=0.25,
    ),
    # Basal cell carcinoma: pearly pink, arborising vessels, blue-grey nests.
    "BCC": LesionProfile(
        palette=(PINK, (220, 160, 150), (200, 140, 135)), accents=(BLUE_GREY, BROWN_DARK),
        radius=(0.14, 0.28), irregularity=(0.04, 0.12), asymmetry=(0.05, 0.25),
        border_blur=(0.08, 0.2), opacity=(0.55, 0.8), accent_count=(0, 3),
        vessels="arborizing", vessel_prob=0.85, center_patch=0.25, center_color=(120, 45, 40),
        sun_damage=0.4,
    ),
    # Benign keratosis: waxy light brown, sharp border, milia-like cysts, comedo openings.
    "BKL": LesionProfile(
        palette=(BROWN_LIGHT, (160, 115, 75), (150, 100, 70)), accents=(BROWN_MID, (185, 150, 110)),
        radius=(0.16, 0.3), irregularity=(0.05, 0.14), asymmetry=(0.05, 0.25),
        border_blur=(0.03, 0.1), opacity=(0.55, 0.85), accent_count=(1, 3),
        dots=(0.85, 6, 22), dot_colors=(WHITE, (230, 215, 170), BROWN_DARK), network=0.15,
        network_irregular=(0.2, 0.4), sun_damage=0.3, scale=0.2,
    ),
    # Dermatofibroma: small, central white patch, delicate peripheral network.
    "DF": LesionProfile(
        palette=(BROWN_LIGHT, (175, 130, 100), (190, 135, 115)), accents=(BROWN_MID,),
        radius=(0.1, 0.18), irregularity=(0.02, 0.07), asymmetry=(0.0, 0.12),
        border_blur=(0.15, 0.3), opacity=(0.55, 0.8), accent_count=(0, 1),
        network=0.7, network_irregular=(0.05, 0.2), center_patch=0.85, center_color=WHITE,
    ),
    # Melanoma: large, asymmetric, irregular, multicolour, streaks and irregular dots.
    "MEL": LesionProfile(
        palette=(BROWN_DARK, BROWN_MID, (100, 60, 45)), accents=(BLACK, BLUE_GREY, RED, BROWN_LIGHT),
        radius=(0.2, 0.34), irregularity=(0.1, 0.24), asymmetry=(0.2, 0.45),
        border_blur=(0.04, 0.16), opacity=(0.65, 0.95), accent_count=(2, 5),
        network=0.5, network_irregular=(0.35, 0.7), dots=(0.6, 4, 16), dot_colors=(BLACK, BROWN_DARK),
        streaks=0.55, center_patch=0.15, center_color=BLUE_GREY,
    ),
    # Melanocytic naevus: round, symmetric, regular border, uniform brown, regular network.
    "NV": LesionProfile(
        palette=(BROWN_MID, BROWN_DARK, (150, 95, 65)), accents=(BROWN_LIGHT, BROWN_DARK),
        radius=(0.13, 0.26), irregularity=(0.01, 0.07), asymmetry=(0.0, 0.15),
        border_blur=(0.06, 0.16), opacity=(0.6, 0.9), accent_count=(0, 1),
        network=0.7, network_irregular=(0.0, 0.2), dots=(0.3, 3, 10), dot_colors=(BROWN_DARK,),
    ),
    # Squamous cell carcinoma: pink-red, keratin centre, dotted/glomerular vessels, scale.
    "SCC": LesionProfile(
        palette=((205, 115, 110), PINK, (190, 100, 95)), accents=(RED, (225, 205, 160)),
        radius=(0.15, 0.3), irregularity=(0.05, 0.15), asymmetry=(0.05, 0.3),
        border_blur=(0.12, 0.3), opacity=(0.45, 0.75), accent_count=(1, 3),
        vessels="dotted", vessel_prob=0.8, center_patch=0.7, center_color=(235, 215, 165),
        scale=0.5, sun_damage=0.6,
    ),
    # Vascular lesion: red-purple, well demarcated, lacunae.
    "VASC": LesionProfile(
        palette=(RED, PURPLE, (160, 45, 70)), accents=(PURPLE, (90, 30, 50)),
        radius=(0.1, 0.22), irregularity=(0.02, 0.1), asymmetry=(0.0, 0.2),
        border_blur=(0.03, 0.1), opacity=(0.6, 0.9), accent_count=(0, 2),
        lacunae=0.9,
    ),
}

if tuple(sorted(PROFILES)) != ISIC2019_CLASSES:  # pragma: no cover - guards edits to the table
    raise RuntimeError("synthetic profiles must cover exactly the ISIC2019 classes")
