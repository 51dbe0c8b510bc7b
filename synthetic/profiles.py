"""How each ISIC2019 class looks in the synthetic generator: one frozen profile per class.

The profiles borrow the textbook dermoscopic cues of each diagnosis (pigment network for naevi,
arborising vessels for basal cell carcinoma, red lacunae for vascular lesions...) so that the classes
are learnable, and give every cue a probability and every size or colour a range wide enough that
neighbouring classes overlap. The images have no clinical meaning: they only exercise the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..runtime.spec import ISIC2019_CLASSES

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
    # Actinic keratosis: red-pink, ill-defined "strawberry" erythema with white follicular openings and
    # scale, on sun-damaged skin; few vessels, no keratin plug.
    "ACK": LesionProfile(
        palette=((205, 100, 95), (195, 90, 85), (210, 115, 105)), accents=(RED, BROWN_LIGHT),
        radius=(0.14, 0.26), irregularity=(0.06, 0.16), asymmetry=(0.05, 0.25),
        border_blur=(0.3, 0.5), opacity=(0.45, 0.7), accent_count=(0, 2),
        dots=(0.85, 10, 28), dot_colors=(WHITE, (245, 238, 225)), scale=0.8, sun_damage=0.8,
        vessels="dotted", vessel_prob=0.1,
    ),
    # Basal cell carcinoma: pearly pale pink, sharp border, arborising vessels, blue-grey nests.
    "BCC": LesionProfile(
        palette=((225, 175, 170), (232, 188, 182), (215, 165, 160)), accents=(BLUE_GREY, (80, 85, 110)),
        radius=(0.14, 0.28), irregularity=(0.04, 0.12), asymmetry=(0.05, 0.25),
        border_blur=(0.06, 0.16), opacity=(0.6, 0.85), accent_count=(1, 3),
        vessels="arborizing", vessel_prob=0.9, center_patch=0.2, center_color=(120, 45, 40),
        sun_damage=0.4,
    ),
    # Benign keratosis: large, waxy yellow-brown, sharp "stuck-on" border, milia-like cysts and
    # comedo-like openings.
    "BKL": LesionProfile(
        palette=((175, 135, 80), (165, 122, 70), (185, 148, 95)), accents=(BROWN_MID, (195, 160, 105)),
        radius=(0.18, 0.32), irregularity=(0.05, 0.14), asymmetry=(0.05, 0.25),
        border_blur=(0.02, 0.08), opacity=(0.6, 0.9), accent_count=(1, 3),
        dots=(0.9, 8, 26), dot_colors=(WHITE, (235, 220, 165), BROWN_DARK), network=0.1,
        network_irregular=(0.2, 0.4), sun_damage=0.3, scale=0.2,
    ),
    # Dermatofibroma: small, pinkish brown, soft edge, central white scar-like patch, delicate
    # peripheral network.
    "DF": LesionProfile(
        palette=((190, 135, 115), (200, 145, 125), (180, 122, 108)), accents=(BROWN_MID,),
        radius=(0.08, 0.16), irregularity=(0.02, 0.07), asymmetry=(0.0, 0.12),
        border_blur=(0.2, 0.35), opacity=(0.55, 0.8), accent_count=(0, 1),
        network=0.85, network_irregular=(0.05, 0.2), center_patch=0.95, center_color=WHITE,
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
        network=0.75, network_irregular=(0.0, 0.2), dots=(0.3, 3, 10), dot_colors=(BROWN_DARK,),
    ),
    # Squamous cell carcinoma: pink-red, yellow keratin centre, dotted/glomerular vessels, scale.
    "SCC": LesionProfile(
        palette=((205, 115, 110), PINK, (190, 100, 95)), accents=(RED, (225, 205, 160)),
        radius=(0.15, 0.3), irregularity=(0.05, 0.15), asymmetry=(0.05, 0.3),
        border_blur=(0.12, 0.3), opacity=(0.5, 0.8), accent_count=(1, 3),
        vessels="dotted", vessel_prob=0.85, center_patch=0.85, center_color=(235, 210, 150),
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
